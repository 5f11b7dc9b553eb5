"""
Sampling new rows with GANSampler
=================================

:class:`skae.GANSampler` is a generative adversarial network for tables: it learns
the distribution of ``X`` (optionally conditioned on class labels ``y``) and draws
new rows from it. This example shows

1. how well it covers the 25 modes of a 2D grid of Gaussians, a classic test of
   mode collapse, and
2. how its conditional samples can rebalance an imbalanced training set, so that
   a classifier's balanced accuracy on the real test set improves.

The settings below are chosen so that the whole example runs in a few minutes on
two CPU cores; the estimator's defaults train longer.
"""

import pathlib
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import GANSampler
from skae.metrics import mode_coverage

try:
    HERE = pathlib.Path(__file__).resolve().parent
except NameError:  # e.g. run cell by cell in a notebook
    HERE = pathlib.Path.cwd()

# The defaults (lr=1e-3, one critic step per generator step) with a little less
# training than the default max_steps=2000, to keep the example short.
FAST = dict(lr=1e-3, n_critic=1, max_steps=1500)

# %%
# A grid of 25 Gaussians
# ----------------------
# 20,000 points drawn around the 25 points of ``{-4, -2, 0, 2, 4}^2`` with standard
# deviation 0.05. A generator that collapses puts its samples on a few of them.

rng = np.random.default_rng(0)
grid = np.array([(a, b) for a in (-4, -2, 0, 2, 4) for b in (-4, -2, 0, 2, 4)], float)
std = 0.05
X_grid = grid[rng.integers(len(grid), size=20_000)] + std * rng.standard_normal((20_000, 2))

start = time.perf_counter()
gan = GANSampler(random_state=0, **FAST).fit(X_grid)
print(f"fitted in {time.perf_counter() - start:.0f} s")
X_fake = gan.sample(2_500)

# %%
# :func:`skae.metrics.mode_coverage` counts the modes that received at least one
# sample within 3 standard deviations, the share of such "high-quality" samples,
# and the reverse KL divergence of the mode histogram from the uniform one.

coverage = mode_coverage(X_fake, grid, std)
print(coverage)

fig, axes = plt.subplots(1, 2, figsize=(10, 5), sharex=True, sharey=True)
axes[0].scatter(*X_grid[:2_500].T, s=3, alpha=0.5, color="tab:blue")
axes[0].set_title("real (2,500 of 20,000 points)")
axes[1].scatter(*X_fake.T, s=3, alpha=0.5, color="tab:orange")
axes[1].set_title(
    f"GANSampler (2,500 samples)\n{coverage['modes']}/25 modes, "
    f"{100 * coverage['high_quality']:.0f}% within 3 std of a mode"
)
for ax in axes:
    ax.set_xticks(grid[::5, 0])
    ax.set_yticks(grid[:5, 1])
    ax.grid(color="lightgray", linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)
    ax.set_aspect("equal")
    ax.set_xlim(-5.5, 5.5)
    ax.set_ylim(-5.5, 5.5)
fig.tight_layout()
fig.savefig(HERE / "gan_grid.png", dpi=100)

# %%
# Rebalancing an imbalanced data set
# ----------------------------------
# A binary problem where only 5% of the rows are positive. A classifier trained on
# it as is favours the majority class. :meth:`GANSampler.fit_resample` fits a
# conditional GAN on the training rows and adds generated minority rows until the
# classes are the same size (the API of imbalanced-learn's samplers). We compare it
# with no rebalancing and with random oversampling (repeating minority rows); the
# test set stays untouched.

X, y = make_classification(
    n_samples=4_000,
    n_features=5,
    n_informative=2,
    n_redundant=0,
    n_clusters_per_class=1,
    weights=[0.95, 0.05],
    class_sep=0.3,
    flip_y=0.0,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
print("training class counts:", np.bincount(y_train))


def score(X_fit, y_fit):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(X_fit, y_fit)
    return balanced_accuracy_score(y_test, model.predict(X_test))


minority = np.flatnonzero(y_train == 1)
extra = rng.choice(minority, size=(y_train == 0).sum() - minority.size)
X_over = np.vstack([X_train, X_train[extra]])
y_over = np.concatenate([y_train, y_train[extra]])

start = time.perf_counter()
X_gan, y_gan = GANSampler(random_state=0, **FAST).fit_resample(X_train, y_train)
print(f"fit_resample in {time.perf_counter() - start:.0f} s; class counts:", np.bincount(y_gan))

results = {
    "no rebalancing": score(X_train, y_train),
    "random oversampling": score(X_over, y_over),
    "GANSampler.fit_resample": score(X_gan, y_gan),
}
print(f"\n{'training set':<26}balanced accuracy (test)")
for name, value in results.items():
    print(f"{name:<26}{value:.3f}")

# %%
# The bar chart shows the balanced accuracy (the mean of the per-class recalls) on
# the real test set; 0.5 is what always predicting the majority class scores.
# Generated minority rows help the classifier over no rebalancing. With only 100
# minority rows to learn from, the GAN's minority samples are rough, and simply
# repeating the real minority rows does at least as well here: a GAN pays off when
# the classifier can overfit repeated rows (flexible models) or when new, varied
# rows are the goal.

fig, ax = plt.subplots(figsize=(6, 3.5))
bars = ax.barh(list(results), list(results.values()), color=["tab:gray", "tab:blue", "tab:orange"])
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.axvline(0.5, color="black", linestyle=":", linewidth=1)
ax.set_xlim(0.4, 1.0)
ax.invert_yaxis()
ax.set_xlabel("balanced accuracy on the real test set")
ax.set_title("LogisticRegression; 1,900 majority vs 100 minority training rows")
fig.tight_layout()
fig.savefig(HERE / "gan_rebalancing.png", dpi=100)
