"""
New digits and a map of them with a variational autoencoder
===========================================================

:class:`skae.VariationalAutoencoder` learns a probability model of the rows: a
code drawn from a standard normal prior, decoded into a row. Fitted with labels
it is *conditional*: ``sample(y=labels)`` draws new rows of the requested
classes. With two codes, the whole latent space can be laid out on a grid and
decoded, which shows what the model has learned: a continuous map on which
neighbouring codes decode to similar digits.

It runs in well under a minute on two CPU cores; the documentation build
(``SKAE_DOCS_FAST=1``) trains for 30 epochs instead of 200. Figures are saved next
to this script as ``vae_*.png``.
"""

# %%
# A conditional VAE of the digits
# -------------------------------
# The 8x8 digits, pixels scaled to [0, 1]. With ``y`` the decoder gets each row's
# label, so the codes are left to describe how a digit is written: thickness,
# slant, size.

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm
from sklearn.datasets import load_digits

from skae import VariationalAutoencoder

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
EPOCHS = 30 if FAST else 200
SEED = 0

X, y = load_digits(return_X_y=True)
X = X / 16.0

cvae = VariationalAutoencoder(encoding_dim=8, max_epochs=EPOCHS, random_state=SEED)
cvae.fit(X, y)
print(f"conditional VAE: {cvae.n_iter_} epochs, mean ELBO {cvae.score(X, y):.1f} nats per digit")

# %%
# New digits of each class
# ------------------------
# Eight draws of each digit: eight codes from the prior, decoded with the
# requested label. Each column of the figure uses the same code for every
# class, so a column shares a style.

n_per_class = 8
codes = np.random.RandomState(SEED).standard_normal((n_per_class, cvae.encoding_dim))
images = np.stack([cvae.inverse_transform(codes, y=[digit] * n_per_class) for digit in range(10)])
drawn, drawn_labels = cvae.sample(y=np.repeat(np.arange(10), n_per_class))

fig, axes = plt.subplots(10, 2 * n_per_class + 1, figsize=(10, 6))
for digit in range(10):
    for j in range(n_per_class):
        axes[digit, j].imshow(images[digit, j].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        sample = drawn[drawn_labels == digit][j]
        axes[digit, n_per_class + 1 + j].imshow(sample.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
for ax in axes.ravel():
    ax.axis("off")
axes[0, n_per_class // 2].set_title("one code per column, decoded as each digit", fontsize=9)
axes[0, n_per_class + 1 + n_per_class // 2].set_title("sample(y=...): fresh codes", fontsize=9)
fig.tight_layout()
fig.savefig(OUTPUT_DIR / "vae_samples.png", dpi=100)

# %%
# A walk through a two-dimensional latent space
# ---------------------------------------------
# An unconditional VAE with two codes: its codes of the digits (the posterior
# means, ``transform``) on the left, and on the right the digits that a grid of
# codes decodes to (``inverse_transform``). The grid is laid out at the normal
# quantiles 5% to 95% of each code, so that it covers the prior evenly.

vae = VariationalAutoencoder(encoding_dim=2, max_epochs=EPOCHS, random_state=SEED).fit(X)
embedding = vae.transform(X)

n_steps = 15
steps = norm.ppf(np.linspace(0.05, 0.95, n_steps))
grid = np.array([[a, b] for b in steps[::-1] for a in steps])
decoded = vae.inverse_transform(grid).reshape(n_steps, n_steps, 8, 8)
# One blank pixel between neighbouring digits.
tiles = np.pad(decoded, ((0, 0), (0, 0), (0, 1), (0, 1)))
canvas = tiles.transpose(0, 2, 1, 3).reshape(n_steps * 9, n_steps * 9)

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.5))
points = left.scatter(embedding[:, 0], embedding[:, 1], c=y, cmap="tab10", s=6)
left.legend(*points.legend_elements(), title="digit", fontsize=7, loc="upper right")
left.set(xlabel="code 1", ylabel="code 2", title="transform: the digits' codes")
span = [steps[0], steps[-1]]
left.plot(
    [span[0], span[1], span[1], span[0], span[0]],
    [span[0], span[0], span[1], span[1], span[0]],
    "k--",
    lw=1,
)
right.imshow(canvas, cmap="gray_r", extent=[*span, *span], vmin=0, vmax=1)
right.set(xlabel="code 1", ylabel="code 2", title="inverse_transform of a grid of codes")
fig.tight_layout()
fig.savefig(OUTPUT_DIR / "vae_latent_walk.png", dpi=100)

# %%
# How typical is a digit?
# -----------------------
# ``score_samples`` is each row's evidence lower bound: a lower bound on its
# log-likelihood under the model. Real digits score far above the same pixels
# shuffled within each image.

shuffled = np.array([np.random.RandomState(i).permutation(row) for i, row in enumerate(X)])
print(f"median ELBO of real digits:     {np.median(vae.score_samples(X)):10.1f}")
print(f"median ELBO of shuffled pixels: {np.median(vae.score_samples(shuffled)):10.1f}")
