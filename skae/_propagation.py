"""Soft pseudo-labels for unlabeled rows by label propagation over a kNN graph."""

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sklearn.semi_supervised import LabelSpreading

# LabelSpreading is averaged over these graph sizes: no single k is best on every
# data set, and the average is better than each (measured on digits).
NEIGHBOURS = (7, 10, 15)
# Rounds of replacing each row's label distribution by the mean over its nearest
# other rows: LabelSpreading's own labels for training rows are less accurate than
# its predictions for unseen rows, and this leave-one-out vote recovers the latter.
SMOOTHING_ROUNDS = 2
SMOOTHING_NEIGHBOURS = 7


def propagated_targets(X, y, n_classes):
    """Pseudo-labels and their confidences for every row.

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
        1 for labeled rows; ``1 - entropy / log(n_classes)`` of the propagated
        distribution for the others (0 = no idea, 1 = certain).
    """
    labeled = y >= 0
    n = X.shape[0]
    if labeled.all() or n <= max(NEIGHBOURS) or np.unique(y[labeled]).shape[0] < 2:
        return np.where(labeled, y, 0), labeled.astype(np.float32)
    proba = np.zeros((n, n_classes))
    for k in NEIGHBOURS:
        spreading = LabelSpreading(kernel="knn", n_neighbors=k, alpha=0.2, max_iter=100)
        # Rows the graph does not reach get 0/0 distributions: zeroed just below.
        with np.errstate(invalid="ignore", divide="ignore"):
            distribution = spreading.fit(X, y).label_distributions_
        distribution = np.nan_to_num(distribution, nan=0.0) + 1e-6
        # Columns of the classes labeled in this fit (a warm-started refit may
        # label only some of the classes).
        proba[:, spreading.classes_] += distribution / distribution.sum(1, keepdims=True)
    neighbours = (
        NearestNeighbors(n_neighbors=SMOOTHING_NEIGHBOURS + 1).fit(X).kneighbors(X)[1][:, 1:]
    )
    for _ in range(SMOOTHING_ROUNDS):
        proba = proba[neighbours].mean(1)
    proba /= proba.sum(1, keepdims=True)
    entropy = -(proba * np.log(np.clip(proba, 1e-12, None))).sum(1)
    weights = 1 - entropy / np.log(n_classes)
    targets = proba.argmax(1)
    targets[labeled] = y[labeled]
    weights[labeled] = 1.0
    return targets.astype(np.int64), weights.astype(np.float32)
