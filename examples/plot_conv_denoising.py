"""
A convolutional denoiser for 28x28 digits
=========================================

With ``image_shape=(channels, height, width)``, :class:`skae.AutoencoderTransformer`
reads each row of ``X`` as an image flattened channel first and encodes it with
strided convolutions (``conv_channels``) followed by dense layers
(``hidden_dims``); the decoder mirrors them with transposed convolutions. ``X``
stays an ordinary 2-D array, so the model fits in pipelines and grid searches
like any scikit-learn transformer.

With ``noise > 0`` it is a denoising autoencoder: Gaussian noise of that standard
deviation is added to the training inputs while the targets stay clean. Here it
learns to clean up handwritten digits buried in heavy noise; an MLP autoencoder
with the same code size and the same training is the baseline.

The digits are a subset of `MNIST <https://www.openml.org/d/554>`_, fetched with
:func:`~sklearn.datasets.fetch_openml` when the machine is online. Offline (and
whenever ``SKAE_DOCS_FAST=1`` is set, as when the documentation is built) the
example falls back to scikit-learn's bundled 8x8 digits scaled to 20x20 and placed
in a 28x28 frame (up to 2 pixels off centre, as MNIST's digits vary), and trains on
fewer images for fewer epochs. The figure is saved next to this script as
``conv_denoising.png``.
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
from sklearn.model_selection import train_test_split

from skae import AutoencoderTransformer

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
SEED = 0
NOISE = 0.5  # standard deviation of the noise, in pixel units ([0, 1])


def load_mnist_subset(n_rows):
    """``n_rows`` random MNIST digits with pixels in [0, 1], or None offline."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # network retry warnings
            X, _ = fetch_openml(
                "mnist_784", as_frame=False, parser="auto", n_retries=1, return_X_y=True
            )
    except Exception as exc:  # no network, or OpenML unavailable
        print(f"MNIST could not be fetched ({type(exc).__name__}: {exc})")
        return None
    rows = np.random.RandomState(SEED).permutation(len(X))[:n_rows]
    return X[rows] / 255.0


def framed_digits(X, n_images, rng):
    """``n_images`` of the 8x8 digits ``X`` drawn like MNIST digits: scaled to 20x20
    and placed in a 28x28 frame, up to 2 pixels off centre; pixels in [0, 1]."""
    rows = rng.integers(len(X), size=n_images)
    images = np.clip(zoom(X[rows].reshape(-1, 8, 8), (1, 2.5, 2.5), order=1), 0, 1)
    frames = np.zeros((n_images, 28, 28))
    offsets = rng.integers(2, 7, size=(n_images, 2))
    for frame, image, (top, left) in zip(frames, images, offsets, strict=True):
        frame[top : top + 20, left : left + 20] = image
    return frames.reshape(n_images, 784)


rng = np.random.default_rng(SEED)
n_train = 1000 if FAST else 4000
mnist = None if FAST else load_mnist_subset(n_train + 1000)
if mnist is not None:
    X_train, X_test = mnist[:n_train], mnist[n_train:]
    source = "MNIST"
else:
    # Training and test images come from different digits.
    digits_train, digits_test = train_test_split(load_digits().data / 16.0, random_state=SEED)
    X_train = framed_digits(digits_train, n_train, rng)
    X_test = framed_digits(digits_test, 500, rng)
    source = "scikit-learn digits in 28x28 frames"
print(f"{source}: {len(X_train)} training and {len(X_test)} test images of 28x28")

# %%
# Training the denoisers
# ----------------------
# Both models have 32 codes and train with the same noise, epochs and optimiser;
# the convolutional one gets ``image_shape`` (and the default
# ``conv_channels=(32, 64)``: 28x28 -> 14x14 -> 7x7 feature maps).

common = dict(
    encoding_dim=32,
    noise=NOISE,
    max_epochs=8 if FAST else 30,
    random_state=SEED,
    verbose=0,
)
fit_seconds = {}
denoisers = {}
for name, params in {
    "convolutional": dict(image_shape=(1, 28, 28)),
    "MLP": dict(hidden_dims=(512,)),
}.items():
    start = time.perf_counter()
    denoisers[name] = AutoencoderTransformer(**common, **params).fit(X_train)
    fit_seconds[name] = time.perf_counter() - start
    print(f"{name}: {fit_seconds[name]:.0f} s")

# %%
# Cleaning up noisy test digits
# -----------------------------
# New digits get the same kind of noise; ``inverse_transform(transform(X))``
# reconstructs each one from its codes. The error is measured against the clean
# digits.

X_noisy = X_test + NOISE * rng.standard_normal(X_test.shape)
errors = {"noisy input": np.mean((X_noisy - X_test) ** 2)}
denoised = {}
for name, model in denoisers.items():
    denoised[name] = model.inverse_transform(model.transform(X_noisy))
    errors[f"{name} denoiser"] = np.mean((denoised[name] - X_test) ** 2)
for name, error in errors.items():
    print(f"MSE against the clean digits, {name}: {error:.4f}")

# %%
# Noisy, denoised and clean digits
# --------------------------------

shown = 8
rows = {
    "noisy": X_noisy,
    "MLP": denoised["MLP"],
    "convolutional": denoised["convolutional"],
    "clean": X_test,
}
fig, axes = plt.subplots(len(rows), shown, figsize=(1.2 * shown, 1.35 * len(rows)))
for r, (label, images) in enumerate(rows.items()):
    for c in range(shown):
        ax = axes[r, c]
        ax.imshow(np.clip(images[c], 0, 1).reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
fig.suptitle(
    f"Denoising (noise std {NOISE}): MSE MLP {errors['MLP denoiser']:.4f}, "
    f"convolutional {errors['convolutional denoiser']:.4f}"
)
fig.tight_layout()
fig.savefig(OUTPUT_DIR / "conv_denoising.png", dpi=100)
plt.show()
