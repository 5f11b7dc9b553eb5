"""
Semi-supervised classification of digits with a handful of labels
=================================================================

:class:`skae.PretrainedClassifier` is meant for data sets where most rows carry no
label. As in scikit-learn's :mod:`sklearn.semi_supervised`, unlabeled rows get the
label ``-1`` and are passed to ``fit`` together with the labeled ones. The
classifier

* pretrains an autoencoder on every row, labeled or not,
* fine-tunes its encoder with a classification head on the labeled rows, on labels
  propagated to the unlabeled rows over nearest-neighbour graphs, and on its own
  confident predictions (an exponential-moving-average teacher).

This example hides all but 1 to 20 labels per class of scikit-learn's bundled 8x8
digits (no download) and compares the test accuracy of
:class:`~skae.PretrainedClassifier` with default settings against

* :class:`~sklearn.semi_supervised.LabelSpreading` (k-nearest-neighbour graph),
* :class:`~sklearn.semi_supervised.SelfTrainingClassifier` around an
  :class:`~sklearn.svm.SVC`,
* :class:`~sklearn.linear_model.LogisticRegression` trained on the labeled rows
  only, i.e. what a purely supervised model makes of the few labels.

Run as a script it takes two to three minutes on two CPU cores, almost all of it in
the five ``PretrainedClassifier`` fits (about 15 CPU seconds each). The
documentation build (``SKAE_DOCS_FAST=1``) tries three label budgets and trains for
40 + 40 epochs instead of the default 100 + 100, which costs a point or two of
accuracy. It uses one train/test
split; add seeds to ``SEEDS`` for smoother curves with min-max bands, or see
``benchmarks/bench_semi_supervised.py``, which averages 5 splits.
"""

# %%
# Setup
# -----
# The figure is written next to this script (or to the current directory when
# ``__file__`` is not defined, as under sphinx-gallery) as
# ``semi_supervised_accuracy.png``.

import os
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier
from sklearn.svm import SVC

from skae import PretrainedClassifier

try:
    OUTPUT_DIR = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    OUTPUT_DIR = Path.cwd()

# The documentation build sets SKAE_DOCS_FAST=1: fewer label budgets, shorter training.
FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
LABELS_PER_CLASS = [2, 5, 10] if FAST else [1, 2, 5, 10, 20]
EPOCHS = {"pretrain_epochs": 40, "finetune_epochs": 40} if FAST else {}  # {}: the defaults
SEEDS = [0]  # one train/test split per seed
SCRIPT_START = time.perf_counter()

X, y = load_digits(return_X_y=True)
X = X / 16  # pixels in [0, 1]
print(f"{X.shape[0]} digits, {X.shape[1]} pixels each, {len(np.unique(y))} classes")

# %%
# Hide most labels
# ----------------
# For each seed the digits are split 75 % / 25 % into training and test rows. Of the
# training rows, ``k`` per class keep their label; all others are marked ``-1``.


def hide_labels(y_train, k, seed):
    """``y_train`` with all but ``k`` random labels per class replaced by -1."""
    rng = np.random.RandomState(seed)
    y_semi = np.full_like(y_train, -1)
    for c in np.unique(y_train):
        keep = rng.choice(np.flatnonzero(y_train == c), k, replace=False)
        y_semi[keep] = c
    return y_semi


X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
y_semi = hide_labels(y_train, 2, seed=0)
print(
    f"{X_train.shape[0]} training rows, {np.sum(y_semi != -1)} of them labeled: "
    f"{y_semi[y_semi != -1]}"
)

# %%
# The contestants
# ---------------
# Every model gets the same rows. The semi-supervised ones are fitted on all training
# rows with ``-1`` for the unlabeled ones; the logistic regression only sees the
# labeled rows. :class:`~skae.PretrainedClassifier` keeps its defaults (100 epochs
# of pretraining, 100 of fine-tuning; 40 + 40 in the documentation build).
# ``SVC(probability=True)`` is deprecated in scikit-learn 1.9, but its replacement,
# :class:`~sklearn.calibration.CalibratedClassifierCV`, needs several labels per
# class for its cross-validation, which the smallest budgets here do not have.

warnings.filterwarnings("ignore", message="The `probability` parameter", category=FutureWarning)


def make_models(seed):
    return {
        "PretrainedClassifier": PretrainedClassifier(random_state=seed, **EPOCHS),
        "LabelSpreading (kNN)": LabelSpreading(kernel="knn"),
        "SelfTraining (SVC)": SelfTrainingClassifier(SVC(probability=True, random_state=seed)),
        "LogisticRegression (labeled rows only)": LogisticRegression(max_iter=2000),
    }


def accuracy(model, name, X_train, y_semi, X_test, y_test):
    if "labeled rows only" in name:
        labeled = y_semi != -1
        model.fit(X_train[labeled], y_semi[labeled])
    else:
        model.fit(X_train, y_semi)
    with np.errstate(invalid="ignore"):  # LabelSpreading: 0/0 for isolated test rows
        return np.mean(model.predict(X_test) == y_test)


# %%
# Accuracy against the number of labels
# --------------------------------------

records = []
for seed in SEEDS:
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    for k in LABELS_PER_CLASS:
        y_semi = hide_labels(y_train, k, seed)
        for name, model in make_models(seed).items():
            start = time.perf_counter()
            score = accuracy(model, name, X_train, y_semi, X_test, y_test)
            records.append(
                {
                    "method": name,
                    "labels per class": k,
                    "seed": seed,
                    "accuracy": score,
                    "fit s": time.perf_counter() - start,
                }
            )
        print(
            f"seed {seed}, {k:2d} labels per class done "
            f"({time.perf_counter() - SCRIPT_START:.0f} s)"
        )

results = pd.DataFrame(records)


def all_labels_accuracy(seed):
    """The supervised ceiling: a logistic regression that knows every label."""
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    return LogisticRegression(max_iter=2000).fit(X_train, y_train).score(X_test, y_test)


ceiling = np.mean([all_labels_accuracy(seed) for seed in SEEDS])

summary = results.pivot_table(
    index="method", columns="labels per class", values="accuracy", aggfunc="mean"
)
print(summary.round(3).to_string())
print(f"LogisticRegression on all {len(y_train)} labels: {ceiling:.3f}")

# %%
# Plot
# ----
# Lines show the test accuracy (the mean over the seeds; with several seeds the shaded
# bands show the range). The dashed line is a logistic regression that knows every
# training label: a supervised reference, not a ceiling for the nonlinear methods.

order = list(make_models(0))
colors = dict(zip(order, ["tab:red", "tab:blue", "tab:green", "tab:gray"], strict=True))
markers = dict(zip(order, ["o", "s", "^", "v"], strict=True))

fig, ax = plt.subplots(figsize=(7.5, 5))
for name in order:
    stats = results[results.method == name].groupby("labels per class")["accuracy"]
    mean, low, high = stats.mean(), stats.min(), stats.max()
    ax.plot(
        mean.index,
        mean.values,
        marker=markers[name],
        color=colors[name],
        label=name,
        linewidth=2.5 if name == "PretrainedClassifier" else 1.5,
    )
    ax.fill_between(mean.index, low.values, high.values, color=colors[name], alpha=0.15)
ax.axhline(
    ceiling,
    color="black",
    linestyle="--",
    linewidth=1,
    label=f"LogisticRegression, all {len(y_train)} labels",
)
ax.set_xscale("log")
ax.set_xticks(LABELS_PER_CLASS)
ax.set_xticklabels([str(k) for k in LABELS_PER_CLASS])
ax.minorticks_off()
ax.set_xlabel("labeled training rows per class (of about 135)")
ax.set_ylabel("test accuracy")
ax.set_ylim(top=1.0)
ax.grid(True, alpha=0.3)
splits = "1 split" if len(SEEDS) == 1 else f"mean of {len(SEEDS)} splits"
ax.set_title(f"Digits with few labels: test accuracy vs labels per class ({splits})")
ax.legend(loc="lower right")
fig.tight_layout()
fig.savefig(OUTPUT_DIR / "semi_supervised_accuracy.png", dpi=100)

# %%
# With one to five labels per class, pretraining on the unlabeled digits and
# propagating labels along the data's neighbourhoods lift
# :class:`~skae.PretrainedClassifier` far above the logistic regression that only
# sees the labels and above self-training, and several points above label
# spreading, the strongest scikit-learn baseline at these budgets. From about 10
# labels per class on, self-training around the SVC catches up (on some splits it is
# slightly ahead), and at 20 labels per class the semi-supervised methods are level,
# within a point of a logistic regression trained on all 1347 training labels.

print(
    f"\nfit times (s, mean over budgets and seeds):\n"
    f"{results.groupby('method')['fit s'].mean().round(2).to_string()}"
)
print(f"whole script: {time.perf_counter() - SCRIPT_START:.0f} s")
