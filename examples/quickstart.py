"""skae quickstart: an autoencoder as a drop-in scikit-learn transformer.

Fits ``MinMaxScaler -> AutoencoderTransformer(encoding_dim=16) -> LogisticRegression``
on scikit-learn's bundled 8x8 digits (no download) and compares it with the same
pipeline built on PCA(16) and on the raw 64 pixels: test accuracy, held-out
reconstruction error at 16 dimensions, and fit time.

Run it with::

    python examples/quickstart.py

It takes a few seconds to a few tens of seconds on a laptop CPU, less on a GPU.
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from skae import AutoencoderTransformer

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


def main():
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


if __name__ == "__main__":
    main()
