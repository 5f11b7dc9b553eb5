"""skae quickstart: the three estimators on scikit-learn's bundled data (no download).

1. ``MinMaxScaler -> AutoencoderTransformer(encoding_dim=16) -> LogisticRegression`` on
   the 8x8 digits, against the same pipeline on PCA(16) and on the raw 64 pixels: test
   accuracy, held-out reconstruction error at 16 dimensions, fit time.
2. ``PretrainedClassifier`` with 5 labels per digit and every other row unlabeled,
   against LabelSpreading and a logistic regression on the labeled rows.
3. ``GANSampler`` on two moons: how well a classifier tells its samples from held-out
   real rows (C2ST AUC, 0.5 = indistinguishable), against a bootstrap of real rows and a
   Gaussian mixture, and whether conditional samples carry their labels.

Run it with::

    python examples/quickstart.py

It takes a minute or two on a laptop CPU, less on a GPU.
"""

import time

import numpy as np
from sklearn.datasets import load_digits, make_moons
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

ENCODING_DIM = 16
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


def autoencoder_section():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=SEED
    )
    print(
        f"digits: {X_train.shape[0]} train / {X_test.shape[0]} test rows, "
        f"{X.shape[1]} pixels, {len(np.unique(y))} classes\n"
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
        mse = None
        if reducer is not None:
            # Reconstruction error on held-out rows, in the scaled [0, 1] pixel space
            # the reducer was trained in.
            X_test_scaled = pipe.named_steps["scale"].transform(X_test)
            mse = reconstruction_mse(pipe.named_steps["reduce"], X_test_scaled)
        rows.append((name, accuracy, mse, fit_seconds))
        if isinstance(reducer, AutoencoderTransformer):
            ae = pipe.named_steps["reduce"]

    # ``net_`` is the fitted skorch net; its ``device`` is where training ran.
    print(f"autoencoder: trained on device '{ae.net_.device}' for {ae.n_iter_} epochs\n")

    header = f"{'features':<18} {'test accuracy':>13} {'recon. MSE':>11} {'fit time':>9}"
    print(header)
    print("-" * len(header))
    for name, accuracy, mse, fit_seconds in rows:
        mse_text = "-" if mse is None else f"{mse:.4f}"
        print(f"{name:<18} {accuracy:>13.3f} {mse_text:>11} {fit_seconds:>8.2f}s")
    print(
        "\nrecon. MSE: mean squared reconstruction error on the test rows, pixels scaled to [0, 1]."
    )


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
        f"\n\nsemi-supervised digits: {labeled.sum()} labeled and {(~labeled).sum()} "
        f"unlabeled training rows (y = -1)\n"
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
    header = f"{'classifier':<34} {'test accuracy':>13} {'fit time':>9}"
    print(header)
    print("-" * len(header))
    for name, model, X_fit, y_fit in candidates:
        start = time.perf_counter()
        # LabelSpreading divides 0 by 0 for rows with no labeled neighbour, in fit
        # and again in predict.
        with np.errstate(invalid="ignore", divide="ignore"):
            model.fit(X_fit, y_fit)
            seconds = time.perf_counter() - start
            accuracy = model.score(X_test, y_test)
        print(f"{name:<34} {accuracy:>13.3f} {seconds:>8.2f}s")


def gan_section():
    X, y = make_moons(2000, noise=0.1, random_state=SEED)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=SEED
    )
    print(f"\n\ntwo moons: {len(X_train)} training rows, {len(X_test)} held out\n")
    n = len(X_train)
    rng = np.random.RandomState(SEED)
    boot = rng.randint(n, size=n)
    start = time.perf_counter()
    gan = GANSampler(random_state=SEED).fit(X_train, y_train)
    gan_seconds = time.perf_counter() - start
    X_gan, y_gan = gan.sample(n)
    start = time.perf_counter()
    mixture = GaussianMixture(8, random_state=SEED).fit(X_train)
    gmm_seconds = time.perf_counter() - start
    X_gmm = mixture.sample(n)[0]
    judge = KNeighborsClassifier(15).fit(X_train, y_train)
    rows = [
        ("bootstrap of real rows (floor)", X_train[boot], y_train[boot], 0.0),
        ("GaussianMixture(8).sample", X_gmm, None, gmm_seconds),
        ("GANSampler, conditional", X_gan, y_gan, gan_seconds),
    ]
    header = f"{'sampler':<32} {'C2ST AUC':>9} {'label agreement':>16} {'fit time':>9}"
    print(header)
    print("-" * len(header))
    for name, X_syn, y_syn, seconds in rows:
        auc = c2st_auc(X_test, X_syn, random_state=SEED)
        agreement = "-" if y_syn is None else f"{np.mean(judge.predict(X_syn) == y_syn):.3f}"
        print(f"{name:<32} {auc:>9.3f} {agreement:>16} {seconds:>8.2f}s")
    print(
        "\nC2ST AUC: a classifier telling held-out real rows from samples (0.5 = cannot);"
        "\nlabel agreement: share of samples a classifier fitted on real rows gives the"
        " requested label."
    )


def main():
    start = time.perf_counter()
    autoencoder_section()
    semi_supervised_section()
    gan_section()
    print(f"\nquickstart took {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
