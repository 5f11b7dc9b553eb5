"""Measures of sample quality, to judge a sampler such as :class:`~skae.GANSampler`."""

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array


def c2st_auc(X_real, X_synthetic, *, classifier=None, cv=5, random_state=None):
    """Classifier two-sample test: how well a classifier tells real from synthetic rows.

    Equal numbers of real and synthetic rows (the larger set is subsampled) are
    labeled 0 and 1; out-of-fold probabilities from ``cv``-fold cross-validation
    give a ROC AUC. 0.5 means indistinguishable, 1.0 perfectly separable. Use real
    rows the sampler was not trained on.

    Parameters
    ----------
    X_real : array-like of shape (n_real, n_features)
        Real rows, ideally held out from the sampler's training data.
    X_synthetic : array-like of shape (n_synthetic, n_features)
        Generated rows.
    classifier : classifier with ``predict_proba``, default=None
        None uses ``HistGradientBoostingClassifier``.
    cv : int, default=5
        Number of stratified folds.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling and the folds.

    Returns
    -------
    auc : float
        ROC AUC of the out-of-fold predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skae.metrics import c2st_auc
    >>> rng = np.random.RandomState(0)
    >>> a, b = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    >>> bool(c2st_auc(a, b, classifier=LogisticRegression(), random_state=0) < 0.6)
    True
    >>> bool(c2st_auc(a, b + 3, classifier=LogisticRegression(), random_state=0) > 0.95)
    True
    """
    rng = check_random_state(random_state)
    X_real = check_array(X_real)
    X_synthetic = check_array(X_synthetic)
    if X_real.shape[1] != X_synthetic.shape[1]:
        raise ValueError(
            f"X_real has {X_real.shape[1]} features but X_synthetic has {X_synthetic.shape[1]}."
        )
    n = min(len(X_real), len(X_synthetic))
    real = X_real[rng.permutation(len(X_real))[:n]]
    synthetic = X_synthetic[rng.permutation(len(X_synthetic))[:n]]
    X = np.vstack([real, synthetic])
    y = np.repeat([0, 1], n)
    model = (
        clone(classifier)
        if classifier is not None
        else HistGradientBoostingClassifier(random_state=0)
    )
    folds = StratifiedKFold(cv, shuffle=True, random_state=rng.randint(2**31 - 1))
    proba = cross_val_predict(model, X, y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, proba))


def tstr_score(X_synthetic, y_synthetic, X_real, y_real, *, estimator=None):
    """Train on synthetic, test on real: accuracy on real rows of a model fitted to
    synthetic ones. Close to train-on-real accuracy means the synthetic rows carry
    the label information.

    Parameters
    ----------
    X_synthetic, y_synthetic : array-like
        Generated rows and their (conditional) labels.
    X_real, y_real : array-like
        Real held-out rows and labels.
    estimator : classifier, default=None
        None uses a ``StandardScaler`` followed by ``LogisticRegression(max_iter=1000)``.

    Returns
    -------
    accuracy : float
        Accuracy on ``X_real``, ``y_real`` of the model fitted to the synthetic rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import tstr_score
    >>> X = np.array([[0.0], [1.0], [0.1], [0.9]]); y = np.array([0, 1, 0, 1])
    >>> tstr_score(X, y, X, y)
    1.0
    """
    if estimator is None:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    else:
        model = clone(estimator)
    model.fit(X_synthetic, y_synthetic)
    return float(model.score(X_real, y_real))


def mode_coverage(samples, modes, std, *, n_std=3.0):
    """Mode collapse measures for samples of a known Gaussian mixture.

    As in the PacGAN and VEEGAN papers: a sample is *high quality* when it lies
    within ``n_std`` standard deviations of some mode; a mode is *captured* when at
    least one high-quality sample is nearest to it; the reverse KL compares the
    histogram of high-quality samples over modes with the uniform one.

    Parameters
    ----------
    samples : array-like of shape (n_samples, n_features)
        The rows to judge, e.g. from :meth:`GANSampler.sample`.

    modes : array-like of shape (n_modes, n_features)
        The centres of the mixture's components.

    std : float
        The standard deviation of each mixture component.

    n_std : float, default=3.0
        How many standard deviations (``std``) from its nearest mode a sample may
        lie and still count as high quality.

    Returns
    -------
    result : dict
        ``modes`` (number captured), ``high_quality`` (share of samples, in [0, 1])
        and ``reverse_kl`` (KL of the captured-mode histogram from uniform).

    Examples
    --------
    >>> import numpy as np
    >>> from skae.metrics import mode_coverage
    >>> modes = np.array([[0.0, 0.0], [1.0, 1.0]])
    >>> mode_coverage(np.array([[0.0, 0.01], [1.0, 0.99]]), modes, std=0.01)
    {'modes': 2, 'high_quality': 1.0, 'reverse_kl': 0.0}
    """
    samples = check_array(samples)
    modes = check_array(modes)
    distances = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=2)
    nearest = distances.argmin(1)
    good = distances[np.arange(len(samples)), nearest] <= n_std * std
    counts = np.bincount(nearest[good], minlength=len(modes))
    reverse_kl = 0.0
    if counts.sum() > 0:
        p = counts / counts.sum()
        present = p > 0
        reverse_kl = float(np.sum(p[present] * np.log(p[present] * len(modes))))
    return {
        "modes": int((counts > 0).sum()),
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
    }
