"""
Anomaly detection with the reconstruction error
===============================================

An autoencoder trained on normal data reconstructs normal rows well and unusual
rows badly. :meth:`skae.AutoencoderTransformer.score_samples` returns minus each
row's reconstruction error, so low scores flag anomalies, like the
``score_samples`` of :class:`~sklearn.ensemble.IsolationForest`.

Here the autoencoder is fitted on clean digits, and a test set mixes clean
held-out digits with corrupted ones: digits with a block of pixels blotted out,
and digits whose pixels were shuffled. The ROC AUC measures how well each
detector ranks the corrupted digits below the clean ones.

It runs in well under a minute on two CPU cores; the documentation build
(``SKAE_DOCS_FAST=1``) trains for 40 epochs instead of 200. Figures are saved next
to this script as ``anomaly_*.png``.
"""

# %%
# Clean training digits, and a test set with corrupted ones
# ---------------------------------------------------------

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import IsolationForest
from sklearn.metrics import RocCurveDisplay, roc_auc_score
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
SEED = 0
rng = np.random.RandomState(SEED)

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test = train_test_split(X, test_size=0.3, stratify=y, random_state=SEED)

n_corrupt = 60
blotted = X_test[rng.choice(len(X_test), n_corrupt, replace=False)].copy().reshape(-1, 8, 8)
for image in blotted:
    row, col = rng.randint(0, 5, size=2)
    image[row : row + 4, col : col + 4] = 1.0  # a 4x4 block of ink
blotted = blotted.reshape(-1, 64)
shuffled = X_test[rng.choice(len(X_test), n_corrupt, replace=False)].copy()
for image in shuffled:
    rng.shuffle(image)  # same ink, scattered over the image

X_eval = np.vstack([X_test, blotted, shuffled])
is_anomaly = np.r_[np.zeros(len(X_test)), np.ones(2 * n_corrupt)]
kind = np.array(["clean"] * len(X_test) + ["blotted"] * n_corrupt + ["shuffled"] * n_corrupt)
print(f"{len(X_train)} clean training digits; test: {len(X_test)} clean, {2 * n_corrupt} corrupted")

# %%
# Two detectors
# -------------
# Both are fitted on clean digits only. Their ``score_samples`` are higher for
# typical rows, so minus the score is the anomaly score.

ae = AutoencoderTransformer(encoding_dim=8, max_epochs=40 if FAST else 200, random_state=SEED).fit(
    X_train
)
forest = IsolationForest(n_estimators=200, random_state=SEED).fit(X_train)

anomaly_scores = {
    "autoencoder": -ae.score_samples(X_eval),
    "IsolationForest": -forest.score_samples(X_eval),
}
for name, scores in anomaly_scores.items():
    auc = roc_auc_score(is_anomaly, scores)
    per_kind = ", ".join(
        f"{k} {roc_auc_score(is_anomaly[kind != other], scores[kind != other]):.3f}"
        for k, other in (("blotted", "shuffled"), ("shuffled", "blotted"))
    )
    print(f"{name:16s} ROC AUC {auc:.3f} ({per_kind})")

# %%
# ROC curves and score distributions
# ----------------------------------

fig, (ax_roc, ax_hist) = plt.subplots(1, 2, figsize=(11, 4.3), layout="constrained")
for name, scores in anomaly_scores.items():
    RocCurveDisplay.from_predictions(is_anomaly, scores, name=name, ax=ax_roc)
ax_roc.plot([0, 1], [0, 1], color="gray", linestyle=":")
ax_roc.set_title("Corrupted vs clean test digits")

ae_scores = anomaly_scores["autoencoder"]
bins = np.geomspace(ae_scores.min(), ae_scores.max(), 40)
for k in ("clean", "blotted", "shuffled"):
    ax_hist.hist(ae_scores[kind == k], bins=bins, alpha=0.6, label=k)
ax_hist.set_xscale("log")
ax_hist.set_xlabel("reconstruction error (-score_samples)")
ax_hist.set_ylabel("digits")
ax_hist.set_title("Autoencoder anomaly scores")
ax_hist.legend()
fig.savefig(OUTPUT_DIR / "anomaly_roc.png", dpi=100)

# %%
# The digits the autoencoder finds most and least unusual
# -------------------------------------------------------
# A threshold on the score, e.g. the 99th percentile of the training digits'
# errors, turns the score into a yes/no decision.

threshold = np.quantile(-ae.score_samples(X_train), 0.99)
flagged = ae_scores > threshold
print(
    f"threshold {threshold:.4f}: flags {flagged[is_anomaly == 1].mean():.0%} of the corrupted "
    f"and {flagged[is_anomaly == 0].mean():.0%} of the clean test digits"
)

order = np.argsort(ae_scores)
fig, axes = plt.subplots(2, 8, figsize=(9, 2.8), layout="constrained")
for ax, index in zip(axes[0], order[::-1][:8], strict=True):
    ax.imshow(X_eval[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{kind[index]}\n{ae_scores[index]:.3f}", fontsize=8)
for ax, index in zip(axes[1], order[:8], strict=True):
    ax.imshow(X_eval[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"{kind[index]}\n{ae_scores[index]:.4f}", fontsize=8)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("most\nunusual", rotation=0, ha="right", va="center")
axes[1, 0].set_ylabel("most\ntypical", rotation=0, ha="right", va="center")
fig.savefig(OUTPUT_DIR / "anomaly_examples.png", dpi=100)
