"""
A real mixed table: penguins with categories and gaps
=====================================================

The Palmer penguins (Gorman, Williams and Fraser, 2014; CC0, shipped next to this
script as ``penguins.csv``): 344 penguins, four measurements, species, island and
sex as categories, the year as an integer, and gaps in five columns. It is the
kind of table a data scientist really has, and every skae estimator takes it as it
is, with no preprocessing pipeline in front:

1. :class:`skae.GANSampler` learns it and samples new penguins, with the same
   columns, dtypes, categories and share of gaps;
2. ``sample(conditions=...)`` draws penguins of one island only;
3. :class:`skae.AutoencoderTransformer` embeds the mixed rows in two dimensions.

Run as a script, the GAN trains for the default ``max_steps=2000``; the
documentation build (``SKAE_DOCS_FAST=1``) trains it for 600 steps. Figures are
saved next to this script as ``mixed_*.png``.
"""

import os
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skae import AutoencoderTransformer, GANSampler

try:
    HERE = pathlib.Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs the script without __file__
    HERE = pathlib.Path.cwd()

FAST = os.environ.get("SKAE_DOCS_FAST") == "1"
MAX_STEPS = 600 if FAST else 2000  # 2000 is the default

penguins = pd.read_csv(
    HERE / "penguins.csv",
    dtype={"species": "category", "island": "category", "sex": "category"},
)
print(penguins.dtypes.to_string())
print("share of gaps:", penguins.isna().mean().round(3).to_dict())

# %%
# Fit and sample
# --------------
# The frame goes in as it is: categories become one-hot blocks, gaps become
# missing indicators, and ``sample`` turns the model's rows back into a frame.

gan = GANSampler(max_steps=MAX_STEPS, random_state=0).fit(penguins)
synthetic = gan.sample(len(penguins))
print(synthetic.head())
assert (synthetic.dtypes == penguins.dtypes).all()
print("share of gaps, synthetic:", synthetic.isna().mean().round(3).to_dict())

# %%
# Real against synthetic marginals
# --------------------------------

numeric = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
categorical = ["species", "island", "sex"]
fig, axes = plt.subplots(2, 4, figsize=(14, 6.5))
for ax, column in zip(axes[0], numeric, strict=True):
    bins = np.histogram_bin_edges(penguins[column].dropna(), bins=20)
    ax.hist(penguins[column].dropna(), bins=bins, alpha=0.5, density=True, label="real")
    ax.hist(synthetic[column].dropna(), bins=bins, alpha=0.5, density=True, label="GAN")
    ax.set_title(column)
axes[0, 0].legend()
for ax, column in zip(axes[1], categorical + ["year"], strict=True):
    real = penguins[column].astype(object).fillna("(gap)").value_counts(normalize=True)
    fake = synthetic[column].astype(object).fillna("(gap)").value_counts(normalize=True)
    levels = sorted(set(real.index) | set(fake.index), key=str)
    x = np.arange(len(levels))
    ax.bar(x - 0.2, real.reindex(levels, fill_value=0), 0.4, label="real")
    ax.bar(x + 0.2, fake.reindex(levels, fill_value=0), 0.4, label="GAN")
    ax.set_xticks(x, [str(level) for level in levels])
    ax.set_title(column)
fig.suptitle("Palmer penguins: real rows and GANSampler's rows")
fig.tight_layout()
fig.savefig(HERE / "mixed_marginals.png", dpi=100)

# %%
# A pair of columns, by species
# -----------------------------
# Bill length against bill depth separates the species; the synthetic penguins
# keep that structure, which no per-column model would.

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True, sharey=True)
colors = {"Adelie": "tab:orange", "Chinstrap": "tab:purple", "Gentoo": "tab:cyan"}
for ax, (title, frame) in zip(axes, [("real", penguins), ("GAN", synthetic)], strict=True):
    for species, rows in frame.groupby("species", observed=True):
        ax.scatter(
            rows["bill_length_mm"], rows["bill_depth_mm"], s=10, c=colors[species], label=species
        )
    ax.set_title(title)
    ax.set_xlabel("bill_length_mm")
axes[0].set_ylabel("bill_depth_mm")
axes[0].legend()
fig.tight_layout()
fig.savefig(HERE / "mixed_pairs.png", dpi=100)

# %%
# Conditional samples: penguins of one island
# -------------------------------------------
# Every row of ``sample(n, conditions={"island": "Dream"})`` lives on Dream, and
# its other columns follow the data given that: no Gentoo penguins live there.

dream = gan.sample(300, conditions={"island": "Dream"})
print("islands:", dream["island"].value_counts().to_dict())
real_dream = penguins.loc[penguins["island"] == "Dream", "species"]
shares = pd.DataFrame(
    {
        "real, Dream": real_dream.value_counts(normalize=True),
        "GAN, conditions={'island': 'Dream'}": dream["species"].value_counts(normalize=True),
        "real, all islands": penguins["species"].value_counts(normalize=True),
    }
)
print(shares.round(3))
ax = shares.plot.bar(rot=0, figsize=(8, 4))
ax.set_ylabel("share of penguins")
ax.set_title("Species on Dream island")
ax.figure.tight_layout()
ax.figure.savefig(HERE / "mixed_conditional.png", dpi=100)

# %%
# An autoencoder's view of the mixed rows
# ---------------------------------------
# :class:`~skae.AutoencoderTransformer` reconstructs numeric columns by squared
# error (standardised, gaps left out) and each categorical column by
# cross-entropy; its two-dimensional codes separate the species, which it was
# never told.

codes = AutoencoderTransformer(encoding_dim=2, random_state=0).fit_transform(
    penguins.drop(columns="species")
)
fig, ax = plt.subplots(figsize=(6, 5))
for species, color in colors.items():
    rows = (penguins["species"] == species).to_numpy()
    ax.scatter(*codes[rows].T, s=10, c=color, label=species)
ax.set_title("AutoencoderTransformer codes (species not given)")
ax.legend()
fig.tight_layout()
fig.savefig(HERE / "mixed_embedding.png", dpi=100)
