"""
Outliers among handwritten digits
=================================

:class:`skae.AutoencoderOutlierDetector` finds the rows that do not belong, in the
data it is fitted on, with scikit-learn's outlier API (``fit_predict``,
``decision_function``, ``contamination``), like
:class:`~sklearn.ensemble.IsolationForest`.

Here the data are the handwritten threes and eights of scikit-learn's digits,
with 5% other digits mixed in, as outlier benchmarks (ODDS) build theirs: the
detector never sees a clean training set and must rank every row it was fitted
on. We compare its ranking with IsolationForest's and LocalOutlierFactor's
(``benchmarks/bench_outliers.py`` compares more detectors on more data sets).

It runs in a few seconds on two CPU cores, documentation build
(``SKAE_DOCS_FAST=1``) included. Figures are saved next to this script as
``outlier_*.png``.
"""

# %%
# Threes and eights, with a few other digits mixed in
# ---------------------------------------------------

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import IsolationForest
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.neighbors import LocalOutlierFactor

from skae import AutoencoderOutlierDetector

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

SEED = 0
rng = np.random.RandomState(SEED)
INLIERS = [3, 8]

digits, labels = load_digits(return_X_y=True)
inliers = np.flatnonzero(np.isin(labels, INLIERS))
others = np.flatnonzero(~np.isin(labels, INLIERS))
n_outliers = round(0.05 * len(inliers) / 0.95)
rows = rng.permutation(np.r_[inliers, rng.choice(others, n_outliers, replace=False)])
X, digit = digits[rows], labels[rows]
is_outlier = ~np.isin(digit, INLIERS)
print(f"{len(X)} digits: {(~is_outlier).sum()} threes and eights, {is_outlier.sum()} others")

# %%
# Fit and rank every row
# ----------------------
# ``contamination=0.05`` tells the detector the expected share of outliers: it
# flags that share of the rows. The ranking, which the ROC curve measures, does
# not depend on it.

detector = AutoencoderOutlierDetector(contamination=0.05, random_state=SEED)
flags = detector.fit_predict(X)
print(
    f"encoding_dim_={detector.encoding_dim_}; flagged {np.sum(flags == -1)} rows, "
    f"{np.sum((flags == -1) & is_outlier)} of them other digits"
)

forest = IsolationForest(random_state=SEED).fit(X)
lof = LocalOutlierFactor().fit(X)

anomaly_scores = {
    "AutoencoderOutlierDetector": -detector.score_samples(X),
    "IsolationForest": -forest.score_samples(X),
    "LocalOutlierFactor": -lof.negative_outlier_factor_,
}
for name, scores in anomaly_scores.items():
    print(f"{name:28s} ROC AUC {roc_auc_score(is_outlier, scores):.3f}")

# %%
# ROC curves
# ----------

fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
for name, scores in anomaly_scores.items():
    RocCurveDisplay.from_predictions(is_outlier, scores, name=name, ax=ax)
ax.plot(INLIERS, INLIERS, color="gray", linestyle=":")
ax.set_title("Other digits among threes and eights")
fig.savefig(OUTPUT_DIR / "outlier_roc.png", dpi=100)

# %%
# The digits the detector finds most unusual
# ------------------------------------------
# The 16 lowest scores, most unusual first; the title gives the true digit, in
# red for the mixed-in digits. The threes and eights among them are the oddly
# written ones.

order = np.argsort(detector.score_samples(X))
fig, axes = plt.subplots(2, 8, figsize=(9, 2.9), layout="constrained")
for ax, index in zip(axes.ravel(), order[:16], strict=True):
    ax.imshow(X[index].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{digit[index]}", color="tab:red" if is_outlier[index] else "black")
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Most unusual rows (red: not a 3 or an 8)")
fig.savefig(OUTPUT_DIR / "outlier_worst.png", dpi=100)
