"""skae quickstart: the three estimators on scikit-learn's bundled data (no download),
each against the baselines a scikit-learn user would reach for, with a verdict.

1. Dimensionality reduction to 8 numbers per 8x8 digit:
   ``MinMaxScaler -> AutoencoderTransformer(encoding_dim=8) -> LogisticRegression``
   against the same pipeline on PCA(8) and on the raw 64 pixels: test accuracy,
   held-out reconstruction error, fit time.
2. Few labels: ``PretrainedClassifier`` with 5 labels per digit and the other training
   rows unlabeled, against LabelSpreading and a logistic regression on the labeled rows.
3. New rows like a real table: a conditional ``GANSampler`` on the digits, against a
   Gaussian mixture per class and a bootstrap of real rows (the floor no generator can
   beat): how well a classifier tells the samples from held-out real digits (C2ST
   AUC, 0.5 = indistinguishable), and whether each sample shows its requested digit.

It prints a table and a verdict per task and saves ``quickstart.png`` (the accuracies,
and generated digits next to real ones) beside this script. Run it with::

    python examples/quickstart.py

About a minute and a half on 2 laptop CPU cores, less on a GPU.
"""

import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.semi_supervised import LabelSpreading

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier
from skae.metrics import c2st_auc

ENCODING_DIM = 8
SEED = 0


def make_pipeline(reducer):
    """MinMaxScaler -> ``reducer`` (or nothing) -> LogisticRegression."""
    steps = [("scale", MinMaxScaler())]
    if reducer is not None:
        steps.append(("reduce", reducer))
    steps.append(("classify", LogisticRegression(max_iter=2000)))
    return Pipeline(steps)


def reconstruction_mse(reducer, X):
    """Mean squared error of ``reducer``'s reconstruction of ``X``."""
    X_hat = reducer.inverse_transform(reducer.transform(X))
    return float(np.mean((X - X_hat) ** 2))


def print_table(headers, rows, formats):
    widths = [max(len(h), 8) for h in headers]
    widths[0] = max(widths[0], *(len(r[0]) for r in rows))
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w)
        for i, (h, w) in enumerate(zip(headers, widths, strict=True))
    )
    print(line)
    print("-" * len(line))
    for row in rows:
        cells = [
            f"{value:{fmt}}" if isinstance(value, float) else str(value)
            for value, fmt in zip(row, formats, strict=True)
        ]
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
        )


def autoencoder_section():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    print(
        f"1. Reducing {X.shape[1]} pixels to {ENCODING_DIM} numbers per digit "
        f"({X_train.shape[0]} train / {X_test.shape[0]} test rows)\n"
    )
    candidates = {
        f"autoencoder ({ENCODING_DIM})": AutoencoderTransformer(
            encoding_dim=ENCODING_DIM, random_state=SEED
        ),
        f"PCA ({ENCODING_DIM})": PCA(n_components=ENCODING_DIM, random_state=SEED),
        f"raw pixels ({X.shape[1]})": None,
    }
    rows = []
    for name, reducer in candidates.items():
        pipe = make_pipeline(reducer)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        fit_seconds = time.perf_counter() - start
        accuracy = pipe.score(X_test, y_test)
        mse = "-"
        if reducer is not None:
            # Held-out reconstruction error in the [0, 1] pixel scale the reducer saw.
            X_test_scaled = pipe.named_steps["scale"].transform(X_test)
            mse = reconstruction_mse(pipe.named_steps["reduce"], X_test_scaled)
        rows.append((name, accuracy, mse, fit_seconds))
    print_table(
        ["features", "test accuracy", "recon. MSE", "fit (s)"], rows, ["", ".3f", ".4f", ".1f"]
    )
    (ae, ae_acc, ae_mse, _), (pca, pca_acc, pca_mse, _), (_, raw_acc, _, _) = rows
    print(
        f"\nverdict: at {ENCODING_DIM} numbers per digit the autoencoder's codes classify "
        f"{'better' if ae_acc > pca_acc else 'worse'} than PCA's ({ae_acc:.3f} vs "
        f"{pca_acc:.3f}) and reconstruct held-out digits with "
        f"{100 * (1 - ae_mse / pca_mse):.0f}% less error; the raw 64 pixels, 8 times "
        f"the size, classify {'best' if raw_acc > max(ae_acc, pca_acc) else 'no better'} "
        f"({raw_acc:.3f})."
    )
    return rows


def semi_supervised_section(labels_per_class=5):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    rng = np.random.RandomState(SEED)
    y_semi = np.full_like(y_train, -1)
    for label in np.unique(y_train):
        rows = rng.choice(np.flatnonzero(y_train == label), labels_per_class, replace=False)
        y_semi[rows] = label
    labeled = y_semi != -1
    print(
        f"\n\n2. Learning digits from {labeled.sum()} labels ({labels_per_class} per class) "
        f"and {(~labeled).sum()} unlabeled rows (y = -1)\n"
    )
    candidates = [
        ("PretrainedClassifier", PretrainedClassifier(random_state=SEED), X_train, y_semi),
        ("LabelSpreading (knn)", LabelSpreading(kernel="knn"), X_train, y_semi),
        (
            "LogisticRegression, labeled rows",
            LogisticRegression(max_iter=2000),
            X_train[labeled],
            y_semi[labeled],
        ),
    ]
    results = []
    for name, model, X_fit, y_fit in candidates:
        start = time.perf_counter()
        # LabelSpreading divides 0 by 0 for rows with no labeled neighbour, in fit
        # and again in predict.
        with np.errstate(invalid="ignore", divide="ignore"):
            model.fit(X_fit, y_fit)
            seconds = time.perf_counter() - start
            accuracy = model.score(X_test, y_test)
        results.append((name, accuracy, seconds))
    print_table(["classifier", "test accuracy", "fit (s)"], results, ["", ".3f", ".1f"])
    best = max(results, key=lambda row: row[1])
    others = ", ".join(f"{name} {acc:.3f}" for name, acc, _ in results if name != best[0])
    print(f"\nverdict: {best[0]} is most accurate ({best[1]:.3f}; {others}).")
    return results


def gaussian_mixture_per_class(X, y, seed):
    """The classical baseline: a GaussianMixture per class, its samples rounded and
    clipped to the pixels' range as GANSampler's are."""
    parts = []
    for label in np.unique(y):
        rows = X[y == label]
        mixture = GaussianMixture(min(10, len(rows) // 10), random_state=seed).fit(rows)
        parts.append(np.clip(np.round(mixture.sample(len(rows))[0]), X.min(), X.max()))
    return np.vstack(parts), np.repeat(np.unique(y), [np.sum(y == c) for c in np.unique(y)])


def gan_section():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    n = len(X_train)
    print(
        f"\n\n3. New digits: {n} generated rows like the training rows, judged against "
        f"{len(X_test)} held-out real digits\n"
    )
    start = time.perf_counter()
    gan = GANSampler(random_state=SEED).fit(X_train, y_train)
    gan_seconds = time.perf_counter() - start
    X_gan, y_gan = gan.sample(y=y_train)
    start = time.perf_counter()
    X_gmm, y_gmm = gaussian_mixture_per_class(X_train, y_train, SEED)
    gmm_seconds = time.perf_counter() - start
    boot = np.random.RandomState(SEED).randint(n, size=n)
    judge = KNeighborsClassifier(5).fit(X_train, y_train)
    rows = []
    samples = {}
    for name, X_syn, y_syn, seconds in [
        ("bootstrap of real rows (floor)", X_train[boot], y_train[boot], 0.0),
        ("GaussianMixture per class", X_gmm, y_gmm, gmm_seconds),
        ("GANSampler, conditional", X_gan, y_gan, gan_seconds),
    ]:
        auc = c2st_auc(X_test, X_syn, random_state=SEED)
        agreement = float(np.mean(judge.predict(X_syn) == y_syn))
        rows.append((name, auc, agreement, seconds))
        samples[name] = (X_syn, y_syn)
    print_table(
        ["sampler", "C2ST AUC", "label agreement", "fit (s)"], rows, ["", ".3f", ".3f", ".1f"]
    )
    (_, floor, _, _), (_, gmm_auc, _, _), (_, gan_auc, _, _) = rows
    print(
        "\nC2ST AUC: a classifier telling held-out real digits from samples (0.5 = cannot);"
        "\nlabel agreement: share of samples a classifier fitted on real digits reads as"
        " their requested digit."
    )
    print(
        f"\nverdict: GANSampler's digits are {'harder' if gan_auc < gmm_auc else 'easier'} "
        f"to tell from real ones than a Gaussian mixture's ({gan_auc:.3f} vs {gmm_auc:.3f}); "
        f"copies of real rows, which no generator can beat, score {floor:.3f}."
    )
    return rows, samples, (X_train, y_train)


def save_figure(ae_rows, semi_rows, gan_samples, real, path):
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.15])
    for spec, rows, title in [
        (grid[0, 0], ae_rows, f"1. digits reduced to {ENCODING_DIM} numbers"),
        (grid[0, 1], semi_rows, "2. 5 labels per digit"),
    ]:
        ax = fig.add_subplot(spec)
        names, accuracies = [r[0] for r in rows], [r[1] for r in rows]
        bars = ax.barh(names[::-1], accuracies[::-1], color=["#999", "#999", "#1f77b4"])
        ax.bar_label(bars, fmt="%.3f", padding=3)
        ax.set_xlim(min(accuracies) - 0.1, 1.0)
        ax.set_xlabel("test accuracy")
        ax.set_title(title)
    ax = fig.add_subplot(grid[1, :])
    X_real, y_real = real
    mosaic_rows = [("real", X_real, y_real)] + [
        (name.split(",")[0].split(" ")[0], *gan_samples[name])
        for name in ("GANSampler, conditional", "GaussianMixture per class")
    ]
    tiles = []
    for _, X_rows, y_rows in mosaic_rows:
        row = [X_rows[np.flatnonzero(y_rows == d)[0]].reshape(8, 8) for d in range(10)]
        tiles.append(np.hstack([np.pad(t, 1, constant_values=0) for t in row]))
    ax.imshow(np.vstack(tiles), cmap="gray_r", vmin=0, vmax=16)
    ax.set_yticks([5 + 10 * i for i in range(len(mosaic_rows))], [r[0] for r in mosaic_rows])
    ax.set_xticks([])
    ax.set_title("3. a real digit of each class, and generated ones")
    fig.savefig(path, dpi=100)
    print(f"\nfigure saved: {path.name}")


def main():
    start = time.perf_counter()
    ae_rows = autoencoder_section()
    semi_rows = semi_supervised_section()
    _, samples, real = gan_section()
    save_figure(ae_rows, semi_rows, samples, real, Path(__file__).with_name("quickstart.png"))
    print(f"\nquickstart took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
