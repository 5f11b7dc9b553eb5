"""scikit-learn's estimator checks over every public estimator.

Expected failures would be listed here with their reasons; there are none.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderTransformer

ESTIMATORS = [
    AutoencoderTransformer(max_epochs=3, random_state=0),
    AutoencoderTransformer(max_epochs=3, init="random", batch_norm=True, random_state=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
