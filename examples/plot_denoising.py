"""
Denoising digits with the ``noise`` parameter
=============================================

With ``noise > 0``, :class:`skae.AutoencoderTransformer` adds Gaussian noise of that
standard deviation to its *inputs* during training while the *targets* stay clean:
it learns to map a noisy digit to the clean one (a denoising autoencoder). At
prediction time, ``inverse_transform(transform(X_noisy))`` cleans up new noisy
digits.

This example corrupts held-out digits with Gaussian noise and compares the
reconstructions of an autoencoder trained with ``noise=0`` and one trained with
``noise=0.3``, and of PCA, measuring the error against the clean digits.

It runs in well under a minute on two CPU cores; the documentation build
(``SKAE_DOCS_FAST=1``) trains for 40 epochs instead of 200. The figure is saved next
to this script as ``denoising.png``.
"""

# %%
# Clean training digits, noisy test digits
# ----------------------------------------

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
MAX_EPOCHS = 40 if FAST else 200
NOISE = 0.3
SEED = 0

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=SEED
)
X_test_noisy = X_test + NOISE * np.random.RandomState(SEED).normal(size=X_test.shape)
print(f"noisy test digits: MSE to the clean ones {np.mean((X_test_noisy - X_test) ** 2):.4f}")

# %%
# Three denoisers
# ---------------
# All see only clean training digits. The denoising autoencoder sees them with
# noise added afresh in every epoch. A sigmoid output keeps reconstructions in
# [0, 1]; 32 codes leave room to reproduce details, so the denoising must come from
# training rather than from a narrow bottleneck.

models = {
    "PCA (32 components)": PCA(n_components=32).fit(X_train),
    "autoencoder, noise=0": AutoencoderTransformer(
        encoding_dim=32,
        hidden_dims=(256,),
        output_activation="sigmoid",
        max_epochs=MAX_EPOCHS,
        random_state=SEED,
    ).fit(X_train),
    f"autoencoder, noise={NOISE}": AutoencoderTransformer(
        encoding_dim=32,
        hidden_dims=(256,),
        output_activation="sigmoid",
        noise=NOISE,
        max_epochs=MAX_EPOCHS,
        random_state=SEED,
    ).fit(X_train),
}
denoised = {}
for name, model in models.items():
    denoised[name] = np.clip(model.inverse_transform(model.transform(X_test_noisy)), 0, 1)
    print(f"{name:22s} MSE to the clean digits {np.mean((denoised[name] - X_test) ** 2):.4f}")

# %%
# Noisy and denoised digits
# -------------------------
# Each row's label gives its mean squared error against the clean digits over the
# whole test set.

shown = [np.flatnonzero(y_test == digit)[0] for digit in range(10)]
rows = {"clean": X_test, "noisy, clipped to [0, 1]": np.clip(X_test_noisy, 0, 1), **denoised}
fig, axes = plt.subplots(len(rows), 10, figsize=(9, 1.05 * len(rows)), layout="constrained")
for row_axes, (label, images) in zip(axes, rows.items(), strict=True):
    if label != "clean":
        label += f"\nMSE {np.mean((images - X_test) ** 2):.4f}"
    for ax, index in zip(row_axes, shown, strict=True):
        ax.imshow(images[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    row_axes[0].set_ylabel(
        label.replace(", ", "\n", 1), rotation=0, ha="right", va="center", fontsize=8
    )
fig.suptitle(f"Test digits with Gaussian noise (std {NOISE}), and their reconstructions")
fig.savefig(OUTPUT_DIR / "denoising.png", dpi=100)
