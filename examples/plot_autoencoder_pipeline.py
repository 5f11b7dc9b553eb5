"""
An autoencoder in a scikit-learn pipeline on digits
===================================================

:class:`skae.AutoencoderTransformer` is a scikit-learn transformer: ``fit`` trains an
autoencoder, ``transform`` returns its codes and ``inverse_transform`` decodes them.
So it slots into a :class:`~sklearn.pipeline.Pipeline` and
:class:`~sklearn.model_selection.GridSearchCV` like :class:`~sklearn.decomposition.PCA`.

On scikit-learn's bundled 8x8 digits (no download) this example

* classifies digits from 16 autoencoder codes,
* grid-searches the code size,
* draws a 2-D embedding of all digits,
* plots the training loss curve,
* shows digits reconstructed from 16 codes by the autoencoder and by PCA.

Run as a script it takes about a minute on two CPU cores (``max_epochs`` 100 to
200); the documentation build (``SKAE_DOCS_FAST=1``) trains for 30 to 60 epochs and
searches three code sizes. More epochs generally lower the reconstruction error a
little further.
"""

# %%
# Setup
# -----
# Figures are written next to this script (or to the current directory when
# ``__file__`` is not defined, as under sphinx-gallery) as ``autoencoder_*.png``.

import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
EPOCHS = 60 if FAST else 200  # the default max_epochs is 200
SEARCH_EPOCHS = 30 if FAST else 100
SEARCH_DIMS = [4, 8, 16] if FAST else [4, 8, 16, 32]
SEED = 0
SCRIPT_START = time.perf_counter()

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
print(f"{X_train.shape[0]} training and {X_test.shape[0]} test digits, {X.shape[1]} pixels each")

# %%
# (a) Classify digits from 16 autoencoder codes
# ---------------------------------------------
# ``MinMaxScaler`` puts the pixels in [0, 1], the autoencoder compresses the 64
# pixels to 16 codes, and a logistic regression classifies the codes. By default the
# autoencoder starts from the PCA solution and trains a nonlinear correction on top.

pipe = make_pipeline(
    MinMaxScaler(),
    AutoencoderTransformer(encoding_dim=16, max_epochs=EPOCHS, random_state=SEED),
    LogisticRegression(max_iter=2000),
)
start = time.perf_counter()
pipe.fit(X_train, y_train)
print(f"fitted in {time.perf_counter() - start:.1f} s")
print(f"test accuracy: {pipe.score(X_test, y_test):.3f}")

ae = pipe.named_steps["autoencodertransformer"]
print(f"autoencoder: {ae.n_iter_} epochs on device {ae.net_.device!r}")

# %%
# (b) Grid-search the code size
# -----------------------------
# Pipeline parameters are addressed as ``<step>__<parameter>``; the pipeline's
# score is the classifier's accuracy. Fewer epochs keep the search quick.

search = GridSearchCV(
    make_pipeline(
        MinMaxScaler(),
        AutoencoderTransformer(max_epochs=SEARCH_EPOCHS, random_state=SEED),
        LogisticRegression(max_iter=2000),
    ),
    param_grid={"autoencodertransformer__encoding_dim": SEARCH_DIMS},
    cv=3,
    # Two processes; in the short docs build, starting them (each imports torch)
    # would take longer than the fits themselves.
    n_jobs=1 if FAST else 2,
)
start = time.perf_counter()
search.fit(X_train, y_train)
print(f"grid search took {time.perf_counter() - start:.1f} s")

results = pd.DataFrame(search.cv_results_)
table = results[
    [
        "param_autoencodertransformer__encoding_dim",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
        "mean_fit_time",
    ]
].rename(
    columns={
        "param_autoencodertransformer__encoding_dim": "encoding_dim",
        "mean_test_score": "mean CV accuracy",
        "std_test_score": "std",
        "rank_test_score": "rank",
        "mean_fit_time": "fit time (s)",
    }
)
print(table.to_string(index=False, float_format="{:.3f}".format))
print(f"best: {search.best_params_}, test accuracy {search.score(X_test, y_test):.3f}")

# %%
# (c) A 2-D embedding of the digits
# ---------------------------------
# With ``encoding_dim=2`` the codes can be plotted directly. PCA's 2-D projection is
# drawn beside it for comparison; the autoencoder starts from it and bends it to
# reconstruct the digits better, which tends to pull the classes further apart.

X_scaled = MinMaxScaler().fit_transform(X)
ae_2d = AutoencoderTransformer(encoding_dim=2, max_epochs=EPOCHS, random_state=SEED)
codes = {
    "Autoencoder (encoding_dim=2)": ae_2d.fit_transform(X_scaled),
    "PCA (n_components=2)": PCA(n_components=2).fit_transform(X_scaled),
}

fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained")
cmap = plt.get_cmap("tab10", 10)
for ax, (title, embedding) in zip(axes, codes.items(), strict=True):
    points = ax.scatter(
        embedding[:, 0], embedding[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=9.5, s=8, alpha=0.8
    )
    ax.set_title(title)
    ax.set_xlabel("code 1")
    ax.set_ylabel("code 2")
colorbar = fig.colorbar(points, ax=axes, ticks=range(10))
colorbar.set_label("digit")
fig.suptitle("2-D embedding of the 1797 digits")
fig.savefig(OUTPUT_DIR / "autoencoder_embedding.png", dpi=100)

# %%
# (d) Learning curve
# ------------------
# ``loss_curve_`` holds the training loss (here the mean squared reconstruction
# error) after each epoch. The dashed line is PCA's error with the same 16
# dimensions: the autoencoder starts there and improves on it.

X_train_scaled = pipe.named_steps["minmaxscaler"].transform(X_train)
pca_16 = PCA(n_components=16).fit(X_train_scaled)
X_train_pca = pca_16.inverse_transform(pca_16.transform(X_train_scaled))
pca_train_mse = np.mean((X_train_pca - X_train_scaled) ** 2)

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
epochs = np.arange(1, ae.n_iter_ + 1)
ax.plot(epochs, ae.loss_curve_, label="autoencoder (encoding_dim=16), training loss")
ax.axhline(pca_train_mse, color="gray", linestyle="--", label="PCA (16 components), training MSE")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("mean squared reconstruction error")
ax.set_title("Autoencoder training loss on the digits")
ax.legend()
fig.savefig(OUTPUT_DIR / "autoencoder_loss_curve.png", dpi=100)

# %%
# (e) Reconstructions: autoencoder vs PCA
# ---------------------------------------
# Ten held-out digits, encoded to 16 numbers and decoded again by the autoencoder
# fitted in (a) and by PCA with 16 components. Each row's label gives its mean
# squared error over all test digits.

X_test_scaled = pipe.named_steps["minmaxscaler"].transform(X_test)
reconstructions = {
    "original": X_test_scaled,
    "autoencoder": ae.inverse_transform(ae.transform(X_test_scaled)),
    "PCA": pca_16.inverse_transform(pca_16.transform(X_test_scaled)),
}
shown = [np.flatnonzero(y_test == digit)[0] for digit in range(10)]

fig, axes = plt.subplots(3, 10, figsize=(10, 3.6), layout="constrained")
for row, (name, images) in zip(axes, reconstructions.items(), strict=True):
    label = name
    if name != "original":
        label += f"\nMSE {np.mean((images - X_test_scaled) ** 2):.4f}"
    for ax, index in zip(row, shown, strict=True):
        ax.imshow(images[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(label, rotation=0, ha="right", va="center")
for ax, digit in zip(axes[0], range(10), strict=True):
    ax.set_title(str(digit))
fig.suptitle("Held-out digits reconstructed from 16 dimensions")
fig.savefig(OUTPUT_DIR / "autoencoder_reconstructions.png", dpi=100)

print(f"figures written to {OUTPUT_DIR.name}/")
print(f"total run time: {time.perf_counter() - SCRIPT_START:.1f} s")
