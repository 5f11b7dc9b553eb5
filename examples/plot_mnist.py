"""
A 2-D embedding of MNIST
========================

:class:`skae.AutoencoderTransformer` with ``encoding_dim=2`` gives a 2-D map of
high-dimensional data that can be plotted directly. Here it maps 28x28 handwritten
digits (784 pixels) to two codes, next to PCA's 2-D projection.

The data is a subset of `MNIST <https://www.openml.org/d/554>`_, fetched with
:func:`~sklearn.datasets.fetch_openml` when the machine is online. Offline (and
whenever the environment variable ``SKAE_DOCS_FAST=1`` is set, as when the
documentation is built) the example falls back to scikit-learn's bundled 8x8
digits, upsampled to 28x28 like MNIST digits, so that it runs anywhere without a
download, and trains for 30 epochs instead of 60.

It runs in about a minute on two CPU cores. The figure is saved next to this
script as ``mnist_embedding.png``.
"""

# %%
# Loading the digits
# ------------------

import os
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from scipy.ndimage import zoom
from sklearn.datasets import fetch_openml, load_digits
from sklearn.decomposition import PCA

from skae import AutoencoderTransformer

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
N_ROWS = 10_000
SEED = 0


def load_mnist_subset(n_rows):
    """``n_rows`` random MNIST digits with pixels in [0, 1], or None offline."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # network retry warnings
            X, y = fetch_openml(
                "mnist_784",
                as_frame=False,
                parser="auto",
                n_retries=1,
                delay=0.1,
                return_X_y=True,
            )
    except Exception as exc:  # no network, or OpenML unavailable
        print(f"MNIST could not be fetched ({type(exc).__name__}: {exc})")
        return None
    rows = np.random.RandomState(SEED).permutation(len(X))[:n_rows]
    return X[rows] / 255.0, y[rows].astype(int)


def load_upsampled_digits():
    """scikit-learn's 8x8 digits drawn like MNIST: scaled to 20x20 and centred in
    a 28x28 frame, pixels in [0, 1]."""
    X, y = load_digits(return_X_y=True)
    images = zoom(X.reshape(-1, 8, 8) / 16.0, (1, 2.5, 2.5), order=1)
    frame = np.zeros((len(images), 28, 28))
    frame[:, 4:24, 4:24] = np.clip(images, 0, 1)
    return frame.reshape(len(X), 784), y


data = None if FAST else load_mnist_subset(N_ROWS)
if data is None:
    X, y = load_upsampled_digits()
    source = "scikit-learn digits upsampled to 28x28"
else:
    X, y = data
    source = f"{len(X)} MNIST digits"
print(f"{source}: X has shape {X.shape}")

# %%
# Fitting the autoencoder
# -----------------------
# Pixels are in [0, 1], so the binary cross-entropy loss (``loss="bce"``) fits
# them well; it implies a sigmoid output. The wide input wants a wider hidden
# layer than the default.

start = time.perf_counter()
ae = AutoencoderTransformer(
    encoding_dim=2,
    hidden_dims=(256, 64),
    loss="bce",
    max_epochs=40 if data is not None else 30 if FAST else 60,  # MNIST: 10,000 rows
    batch_size=128,
    random_state=SEED,
).fit(X)
print(f"autoencoder: {ae.n_iter_} epochs in {time.perf_counter() - start:.1f} s")

embeddings = {
    "Autoencoder (encoding_dim=2)": ae.transform(X),
    "PCA (n_components=2)": PCA(n_components=2).fit_transform(X),
}

# %%
# The embedding
# -------------

fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained")
cmap = plt.get_cmap("tab10", 10)
for ax, (title, embedding) in zip(axes, embeddings.items(), strict=True):
    points = ax.scatter(
        embedding[:, 0], embedding[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=9.5, s=4, alpha=0.7
    )
    ax.set_title(title)
    ax.set_xlabel("code 1")
    ax.set_ylabel("code 2")
fig.colorbar(points, ax=axes, ticks=range(10), label="digit")
fig.suptitle(f"2-D embedding of {source}")
fig.savefig(OUTPUT_DIR / "mnist_embedding.png", dpi=100)
