"""Soft pseudo-labels for unlabeled rows: label propagation over kNN graphs, blended
with a supervised fit as far as the labeled rows say propagation deserves."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.model_selection import StratifiedKFold
from sklearn.semi_supervised import LabelSpreading

from ._neighbours import nearest_neighbours

# LabelSpreading is averaged over these graph sizes: no single k is best on every
# data set, and the average is better than each (measured on digits).
NEIGHBOURS = (7, 10, 15)
# Rounds of replacing each row's label distribution by the mean over its nearest
# other rows: LabelSpreading's own labels for training rows are less accurate than
# its predictions for unseen rows, and this leave-one-out vote recovers the latter.
SMOOTHING_ROUNDS = 2
SMOOTHING_NEIGHBOURS = 7
# Shares of propagation in the blend with the supervised fit, the one with the best
# cross-validated Brier score on the labeled rows is kept. Folds: at most this many,
# at most the labels of the rarest class.
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
MAX_FOLDS = 3
# Rows per block of kernel similarities to the labeled rows in the supervised fit.
KERNEL_BLOCK_ROWS = 4096


def propagated_targets(X, y, n_classes):
    """Pseudo-labels and their confidences for every row.

    Labels are propagated over nearest-neighbour graphs of the rows (the cluster
    assumption) and predicted by a supervised fit on the labeled rows (no assumption
    about unlabeled rows: see ``SupervisedFit``); the two class distributions are blended
    with the share of propagation that predicts held-out labeled rows best. Where
    the graph misleads (classes that overlap in the metric, irrelevant features),
    the pseudo-labels fall back to the supervised fit.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Class indices, -1 for unlabeled rows.
    n_classes : int

    Returns
    -------
    targets : ndarray of int64, shape (n_samples,)
        The true class of labeled rows, the most likely one of the others.
    weights : ndarray of float32, shape (n_samples,)
        1 for labeled rows; ``1 - entropy / log(n_classes)`` of the blended
        distribution for the others (0 = no idea, 1 = certain).
    share : float
        The share of propagation in the blend (1 where it cannot be cross-validated:
        a class with one label).
    supervised : SupervisedFit or None
        The supervised fit on the labeled rows, where it has a share in the blend.
    """
    labeled = y >= 0
    n = X.shape[0]
    if labeled.all() or n <= max(NEIGHBOURS) or np.unique(y[labeled]).shape[0] < 2:
        return np.where(labeled, y, 0), labeled.astype(np.float32), 1.0, None
    neighbours = nearest_neighbours(X, SMOOTHING_NEIGHBOURS + 1).kneighbors(X)[1][:, 1:]
    share = _propagation_share(X, y, n_classes, neighbours)
    proba = share * _spread(X, y, n_classes, neighbours)
    supervised = None
    if share < 1:
        supervised = SupervisedFit(n_classes).fit(X, y)
        proba += (1 - share) * supervised.predict_proba(X)
    proba = np.clip(proba, 1e-12, None)
    proba /= proba.sum(1, keepdims=True)
    entropy = -(proba * np.log(proba)).sum(1)
    weights = 1 - entropy / np.log(n_classes)
    targets = proba.argmax(1)
    targets[labeled] = y[labeled]
    weights[labeled] = 1.0
    return targets.astype(np.int64), weights.astype(np.float32), share, supervised


def _spread(X, y, n_classes, neighbours):
    """Class distributions by LabelSpreading over several graphs, smoothed."""
    proba = np.zeros((X.shape[0], n_classes))
    for k in NEIGHBOURS:
        spreading = LabelSpreading(kernel="knn", n_neighbors=k, alpha=0.2, max_iter=100)
        # Rows the graph does not reach get 0/0 distributions: zeroed just below.
        with np.errstate(invalid="ignore", divide="ignore"):
            distribution = spreading.fit(X, y).label_distributions_
        distribution = np.nan_to_num(distribution, nan=0.0) + 1e-6
        # Columns of the classes labeled in this fit (a warm-started refit may
        # label only some of the classes).
        proba[:, spreading.classes_] += distribution / distribution.sum(1, keepdims=True)
    for _ in range(SMOOTHING_ROUNDS):
        proba = proba[neighbours].mean(1)
    return proba / proba.sum(1, keepdims=True)


class SupervisedFit:
    """The supervised fit on the labeled rows: class distributions that make no
    assumption about the unlabeled rows.

    The mean of two logistic regressions: one on the features (linear boundaries)
    and one on the RBF-kernel similarities to the labeled rows, with scikit-learn's
    SVC "scale" width ``gamma = 1 / (n_features * X.var())`` over all rows (smooth
    non-linear boundaries). Neither is the better one on every data set (the linear
    one where 5 features of 100 matter, the kernel one on 13-feature wine or
    concentric circles), and with a few labels per class cross-validation cannot
    reliably tell which to trust; the mean stays near the linear fit where that is
    right and takes much of the kernel fit's lead where boundaries curve.

    Parameters
    ----------
    n_classes : int
        Number of classes; columns of classes without a label stay 0.
    """

    def __init__(self, n_classes):
        self.n_classes = n_classes

    def fit(self, X, y):
        """Fit on the rows of ``X`` whose class index in ``y`` is not -1."""
        labeled = y >= 0
        self.labeled_rows_ = X[labeled]
        self.linear_ = LogisticRegression(max_iter=1000).fit(self.labeled_rows_, y[labeled])
        variance = X.var()
        self.gamma_ = 1.0 / (X.shape[1] * variance) if variance > 0 else 1.0
        similarities = rbf_kernel(self.labeled_rows_, self.labeled_rows_, gamma=self.gamma_)
        self.kernel_ = LogisticRegression(max_iter=1000).fit(similarities, y[labeled])
        return self

    def predict_proba(self, X):
        """Class distributions, shape ``(n_rows, n_classes)``."""
        proba = np.zeros((X.shape[0], self.n_classes))
        proba[:, self.linear_.classes_] += self.linear_.predict_proba(X)
        # In blocks: the similarities of every row to every labeled row can be large.
        for start in range(0, X.shape[0], KERNEL_BLOCK_ROWS):
            block = slice(start, start + KERNEL_BLOCK_ROWS)
            similarities = rbf_kernel(X[block], self.labeled_rows_, gamma=self.gamma_)
            proba[block, self.kernel_.classes_] += self.kernel_.predict_proba(similarities)
        return proba / 2


def _propagation_share(X, y, n_classes, neighbours):
    """The share of propagation whose blend with the supervised fit has the lowest
    Brier score on held-out labeled rows (cross-validation over the labels)."""
    labeled = np.flatnonzero(y >= 0)
    counts = np.bincount(y[labeled])
    n_folds = min(MAX_FOLDS, counts[counts > 0].min())
    if n_folds < 2:
        return 1.0
    scores = np.zeros(len(SHARES))
    for _, test in StratifiedKFold(n_folds).split(labeled, y[labeled]):
        hidden = labeled[test]
        y_fold = y.copy()
        y_fold[hidden] = -1
        if np.unique(y_fold[y_fold >= 0]).shape[0] < 2:
            return 1.0
        spread = _spread(X, y_fold, n_classes, neighbours)[hidden]
        supervised = SupervisedFit(n_classes).fit(X, y_fold).predict_proba(X[hidden])
        truth = np.eye(n_classes)[y[hidden]]
        for i, share in enumerate(SHARES):
            blend = share * spread + (1 - share) * supervised
            scores[i] += ((blend - truth) ** 2).sum()
    # Ties go to the larger share: propagation is what uses the unlabeled rows.
    return float(SHARES[len(SHARES) - 1 - np.argmin(scores[::-1])])
