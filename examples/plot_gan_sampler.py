"""
Sampling new rows with GANSampler
=================================

:class:`skae.GANSampler` is a generative adversarial network for tables: it learns
the distribution of ``X`` (optionally conditioned on class labels ``y``) and draws
new rows from it. This example shows

1. how well it covers the 25 modes of a 2-D grid of Gaussians, a classic test of
   mode collapse, and
2. conditional sampling on a real table, scikit-learn's bundled breast cancer data
   (no download): rows of a requested class, and
   :meth:`~skae.GANSampler.fit_resample` to rebalance an imbalanced training set,
   compared with ``class_weight="balanced"`` and random oversampling.

Run as a script, the GANs train for the default ``max_steps=2000``; the
documentation build (``SKAE_DOCS_FAST=1``) trains them for 600 steps. Figures are
saved next to this script as ``gan_*.png``.
"""

import os
import pathlib
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import GANSampler
from skae.metrics import c2st_auc, mode_coverage

try:
    HERE = pathlib.Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    HERE = pathlib.Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
MAX_STEPS = 600 if FAST else 2000  # 2000 is the default

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
gan = GANSampler(max_steps=MAX_STEPS, random_state=0).fit(X_grid)
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
# Conditional sampling on a real table
# ------------------------------------
# The breast cancer data has 30 numeric features of 569 tumours, 212 of them
# malignant. To make the classes imbalanced, the training half keeps all its benign
# tumours but only 20 malignant ones; the test half is left as it is. Malignant is
# class 1 here.

data = load_breast_cancer()
X, y = data.data, 1 - data.target  # 1 = malignant
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
rng_table = np.random.RandomState(0)
keep = np.r_[
    np.flatnonzero(y_train == 0),
    rng_table.choice(np.flatnonzero(y_train == 1), 20, replace=False),
]
X_train, y_train = X_train[keep], y_train[keep]
print("training class counts (benign, malignant):", np.bincount(y_train))
print("test class counts:", np.bincount(y_test))

# %%
# :meth:`~skae.GANSampler.fit_resample` fits a conditional GAN on the training rows
# and adds generated malignant rows until both classes have the same size (the API
# of imbalanced-learn's samplers). The fitted sampler also draws rows of any
# requested class with ``sample(y=...)``.

start = time.perf_counter()
sampler = GANSampler(max_steps=MAX_STEPS, random_state=0)
X_gan, y_gan = sampler.fit_resample(X_train, y_train)
print(f"fit_resample in {time.perf_counter() - start:.0f} s; class counts:", np.bincount(y_gan))

X_malignant, _ = sampler.sample(y=[1] * 200)
real_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
real_model.fit(X_test, y_test)  # judge: a classifier fitted on the untouched test half
print(
    f"generated malignant rows the judge calls malignant: "
    f"{np.mean(real_model.predict(X_malignant) == 1):.0%}"
)
auc = c2st_auc(X_test[y_test == 1], X_malignant, random_state=0)
print(f"two-sample AUC, generated vs real malignant rows (0.5 = indistinguishable): {auc:.2f}")

# %%
# Two of the features, real rows against generated malignant ones:

fig, ax = plt.subplots(figsize=(6, 4.5))
columns = [list(data.feature_names).index(name) for name in ("mean radius", "mean texture")]
for label, name, color in ((0, "benign", "tab:blue"), (1, "malignant", "tab:red")):
    rows = X_test[y_test == label]
    ax.scatter(*rows[:, columns].T, s=12, alpha=0.5, color=color, label=f"real {name} (test)")
ax.scatter(*X_malignant[:, columns].T, s=14, marker="x", color="black", label="generated malignant")
ax.set_xlabel("mean radius")
ax.set_ylabel("mean texture")
ax.set_title(f"sample(y=[1] * 200) after {MAX_STEPS} steps,\nlearnt from 20 malignant rows")
ax.legend(fontsize=8)
fig.tight_layout()
fig.savefig(HERE / "gan_breast_cancer.png", dpi=100)

# %%
# Does rebalancing help a classifier?
# -----------------------------------
# A logistic regression is trained on four versions of the training set and scored
# by its balanced accuracy (the mean of the per-class recalls) on the real test
# half. The baselines are the unbalanced data, ``class_weight="balanced"`` (no new
# rows, the minority class weighs more) and random oversampling (the 20 malignant
# rows repeated until the classes are even).


def balanced_accuracy(X_fit, y_fit, **params):
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, **params))
    model.fit(X_fit, y_fit)
    return balanced_accuracy_score(y_test, model.predict(X_test))


minority = np.flatnonzero(y_train == 1)
extra = rng_table.choice(minority, size=(y_train == 0).sum() - minority.size)
X_over = np.vstack([X_train, X_train[extra]])
y_over = np.concatenate([y_train, y_train[extra]])

results = {
    "no rebalancing": balanced_accuracy(X_train, y_train),
    'class_weight="balanced"': balanced_accuracy(X_train, y_train, class_weight="balanced"),
    "random oversampling": balanced_accuracy(X_over, y_over),
    "GANSampler.fit_resample": balanced_accuracy(X_gan, y_gan),
}
print(f"\n{'training set':<26}balanced accuracy (test)")
for name, value in results.items():
    print(f"{name:<26}{value:.3f}")

# %%
# The outcome, stated plainly: on this table the logistic regression is already
# good without any rebalancing (0.925), and ``class_weight`` (0.929) and random
# oversampling (0.926) change little. GAN rebalancing gave 0.949 with the
# documentation build's 600 steps and 0.939 with the default 2000 steps when we ran
# this example: a real but small gain, learnt from only 20 malignant rows. The
# generated rows carry their label (a classifier fitted on real data calls 95-98%
# of them malignant) but are not indistinguishable from the 20 real ones
# (two-sample AUC 0.96-0.99), so check them with :mod:`skae.metrics` and a held-out
# test set before training on them, and try ``class_weight`` first: it is free.

fig, ax = plt.subplots(figsize=(6.5, 3.5))
colors = ["tab:gray", "tab:green", "tab:blue", "tab:orange"]
bars = ax.barh(list(results), list(results.values()), color=colors)
ax.bar_label(bars, fmt="%.3f", padding=3)
ax.axvline(0.5, color="black", linestyle=":", linewidth=1)
ax.set_xlim(0.4, 1.05)
ax.invert_yaxis()
ax.set_xlabel("balanced accuracy on the real test half")
ax.set_title(f"LogisticRegression; {np.bincount(y_train)[0]} benign vs 20 malignant rows")
fig.tight_layout()
fig.savefig(HERE / "gan_rebalancing.png", dpi=100)
