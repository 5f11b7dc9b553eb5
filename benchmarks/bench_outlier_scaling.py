"""How the outlier detectors' time grows with the rows: AutoencoderOutlierDetector
against IsolationForest, LocalOutlierFactor, and pyod's AutoEncoder and ECOD.

Two kinds of data, each at several sizes: a table of 20 correlated Gaussian
columns, and 784-pixel rows near a 10-d subspace (the shape of MNIST). For each
detector at its defaults, the seconds to fit and rank the training rows (the ODDS
protocol: ``fit_predict``'s work; LocalOutlierFactor and pyod rank them in
``fit``), to score 1,000 new rows (LocalOutlierFactor with ``novelty=True``), and
to score a batch of 10 (the median of 5 calls: the latency of scoring as rows
arrive).
One run per cell, interleaved by size; pyod's detectors run only when ``import
pyod`` works (see ``bench_outliers.py``).

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_outlier_scaling.py [--quick]
"""

import argparse
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import (
    check_environment,
    fmt_s,
    load_average,
    machine_header,
    markdown_table,
    write_result,
)

NEW_ROWS = 1_000
SMALL_BATCH = 10
SMALL_BATCH_CALLS = 5


def table(n, seed=0):
    """``n`` rows of 20 correlated Gaussian columns."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 20)) @ rng.normal(size=(20, 20))


def images(n, seed=0):
    """``n`` rows of 784 values in [0, 1] near a 10-d subspace."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 10)) @ rng.normal(size=(10, 784)) / np.sqrt(10)
    X += 0.1 * rng.normal(size=X.shape)
    return (1 / (1 + np.exp(-X))).astype(np.float32)


def detectors():
    """``{name: (fit_and_rank(X) -> fitted, score_new(fitted, X))}``."""
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor

    from skae import AutoencoderOutlierDetector

    def ours(X):
        detector = AutoencoderOutlierDetector(random_state=0, verbose=0)
        detector.fit_predict(X)
        return detector

    def forest(X):
        detector = IsolationForest(random_state=0).fit(X)
        detector.score_samples(X)
        return detector

    found = {
        "AutoencoderOutlierDetector": (ours, lambda d, X: d.score_samples(X)),
        "IsolationForest": (forest, lambda d, X: d.score_samples(X)),
        "LocalOutlierFactor": (
            lambda X: LocalOutlierFactor(novelty=True).fit(X),
            lambda d, X: d.score_samples(X),
        ),
    }
    try:
        from pyod.models.auto_encoder import AutoEncoder
        from pyod.models.ecod import ECOD
    except ImportError:
        print("pyod is not installed: its detectors are left out")
        return found
    found["pyod AutoEncoder"] = (
        lambda X: AutoEncoder(random_state=0, verbose=0).fit(X),
        lambda d, X: d.decision_function(X),
    )
    found["pyod ECOD"] = (lambda X: ECOD().fit(X), lambda d, X: d.decision_function(X))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes")
    args = parser.parse_args()
    check_environment()
    cases = (
        [("table", table, 2_000), ("images", images, 1_000)]
        if args.quick
        else [
            ("table", table, 5_000),
            ("table", table, 20_000),
            ("table", table, 50_000),
            ("images", images, 5_000),
            ("images", images, 20_000),
        ]
    )
    found = detectors()
    # A first small fit of each, untimed: imports and one-off set-up are not growth.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fit_and_rank, score_new in found.values():
            score_new(fit_and_rank(table(200)), table(10, seed=1))
    rows = []
    for kind, build, n in cases:
        X, new = build(n), build(NEW_ROWS, seed=1)
        for name, (fit_and_rank, score_new) in found.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                fitted = fit_and_rank(X)
                fit_seconds = time.perf_counter() - start
                start = time.perf_counter()
                score_new(fitted, new)
                score_seconds = time.perf_counter() - start
                latencies = []
                for _ in range(SMALL_BATCH_CALLS):
                    start = time.perf_counter()
                    score_new(fitted, new[:SMALL_BATCH])
                    latencies.append(time.perf_counter() - start)
            rows.append(
                [
                    kind,
                    f"{n:,} x {X.shape[1]}",
                    name,
                    fmt_s(fit_seconds),
                    fmt_s(score_seconds),
                    f"{1000 * np.median(latencies):.1f}",
                ]
            )
            print(*rows[-1], flush=True)
    text = machine_header(
        "Outlier detectors: seconds as the rows grow",
        [
            "table: 20 correlated Gaussian columns; images: 784 values near a 10-d subspace",
            "one run per cell (the small batch: median of 5 calls), detectors at their defaults",
            f"load average at the end: {load_average()}",
        ],
    )
    text += "\n" + markdown_table(
        [
            "data",
            "rows x columns",
            "detector",
            "fit and rank the rows (s)",
            f"score {NEW_ROWS:,} new rows (s)",
            f"score {SMALL_BATCH} new rows (ms)",
        ],
        rows,
        align="lllrrr",
    )
    write_result("bench_outlier_scaling", text, quick=args.quick)


if __name__ == "__main__":
    main()
