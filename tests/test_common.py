"""scikit-learn's estimator checks over every public estimator.

Expected failures are listed in ``EXPECTED_FAILURES`` with their reasons.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import (
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    GANSampler,
    PretrainedClassifier,
    VariationalAutoencoder,
)

# No configuration with image_shape: it fixes n_features (channels * height *
# width), and the checks fit data of their own widths (2 to 10 columns), which fit
# refuses by design. tests/test_image.py runs the checks that need no data on
# every estimator with image_shape, and its own tests of fitting and round trips.
ESTIMATORS = [
    AutoencoderTransformer(max_epochs=3, random_state=0),
    AutoencoderTransformer(max_epochs=3, init="random", batch_norm=True, random_state=0),
    AutoencoderOutlierDetector(max_epochs=3, random_state=0),
    PretrainedClassifier(pretrain_epochs=2, finetune_epochs=20, random_state=0),
    GANSampler(max_steps=3, random_state=0),
    GANSampler(max_steps=3, loss="hinge", pac=1, preprocessing="standard", random_state=0),
    VariationalAutoencoder(max_epochs=3, random_state=0),
    VariationalAutoencoder(
        max_epochs=3, beta=2.0, kl_warmup=2, match_marginals=True, random_state=0
    ),
]

EXPECTED_FAILURES = {
    "PretrainedClassifier": {
        # The check fits binary labels {-1, 1}; by scikit-learn's semi-supervised
        # convention -1 marks an unlabeled row, leaving one class. scikit-learn
        # exempts its own semi-supervised classifiers from this case by name.
        "check_classifiers_classes": "-1 marks unlabeled rows (semi-supervised convention)",
    },
}


def expected_failed_checks(estimator):
    return EXPECTED_FAILURES.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
