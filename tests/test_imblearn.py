"""imbalanced-learn's own sampler checks on GANSampler, declared as imbalanced-learn's
over-samplers declare themselves (imbalanced-learn is optional: skipped without it)."""

import pytest

from skae import GANSampler

pytest.importorskip("imblearn")

from imblearn.utils._tags import InputTags, SamplerTags, Tags  # noqa: E402
from imblearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402


class DeclaredGANSampler(GANSampler):
    """GANSampler with the tags imbalanced-learn's samplers carry (``SamplerMixin``):
    a sampler that needs ``y``, takes 2-D arrays, sparse matrices, DataFrames,
    strings and gaps."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        declared = Tags(
            estimator_type="sampler",
            target_tags=tags.target_tags,
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
            sampler_tags=SamplerTags(sample_indices=False),
        )
        declared.target_tags.required = True
        declared.input_tags = InputTags(
            two_d_array=True, allow_nan=True, string=True, dataframe=True, sparse=True
        )
        return declared


@parametrize_with_checks([DeclaredGANSampler(max_steps=5, random_state=0)])
def test_imbalanced_learn_sampler_checks(estimator, check):
    check(estimator)
