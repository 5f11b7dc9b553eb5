"""Reconstruction error and downstream accuracy: AutoencoderTransformer vs PCA.

Digits (``load_digits().data / 16``), ``train_test_split(test_size=0.25,
random_state=0)``. For each code size k in 2, 8, 16, 32:

  * PCA(k);
  * ``AutoencoderTransformer(encoding_dim=k, random_state=seed)`` with every other
    parameter at its default (``init="pca"``: the network starts at the PCA
    solution, the MLP learns the rest), seeds 0, 1, 2;
  * the same with ``init="random"`` (a plain MLP autoencoder), to show what the
    PCA initialisation buys.

Metrics on the held-out 25%: reconstruction MSE (mean over rows and pixels of the
squared error; lower is better) and the test accuracy of
``LogisticRegression(max_iter=2000)`` trained on the codes of the training rows
(codes used as they come, no scaling). Raw pixels give the accuracy ceiling.
Autoencoder rows show the mean over seeds and [min, max].

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_quality.py [--quick]
"""

import argparse
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import check_environment, load_average, machine_header, markdown_table, write_result


def logreg_accuracy(train, y_train, test, y_test):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning on raw codes
        clf = LogisticRegression(max_iter=2000).fit(train, y_train)
    return clf.score(test, y_test)


def spread(values, fmt):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(values.mean())} [{fmt.format(values.min())}, {fmt.format(values.max())}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (a few seconds)")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds")
    parser.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="override max_epochs (default: the estimator's default)",
    )
    args = parser.parse_args()
    check_environment()

    from sklearn.datasets import load_digits
    from sklearn.decomposition import PCA
    from sklearn.model_selection import train_test_split

    from skae import AutoencoderTransformer

    digits = load_digits()
    X = digits.data / 16
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.25, random_state=0
    )
    ks = [2, 8] if args.quick else [2, 8, 16, 32]
    seeds = list(range(args.seeds or (1 if args.quick else 3)))
    max_epochs = args.max_epochs or (5 if args.quick else None)
    extra = {} if max_epochs is None else {"max_epochs": max_epochs}
    load_before = load_average()

    raw_acc = logreg_accuracy(X_train, y_train, X_test, y_test)
    AutoencoderTransformer(max_epochs=1).fit(X_train[:256])  # warm-up: first-call costs
    rows = []
    t_all = time.perf_counter()
    for k in ks:
        pca = PCA(k).fit(X_train)
        pca_mse = float(np.mean((X_test - pca.inverse_transform(pca.transform(X_test))) ** 2))
        pca_acc = logreg_accuracy(pca.transform(X_train), y_train, pca.transform(X_test), y_test)
        rows.append([str(k), f"PCA({k})", f"{pca_mse:.5f}", "1.00", f"{pca_acc:.3f}", "-"])
        for init in ("pca", "random"):
            mses, accs, secs = [], [], []
            for seed in seeds:
                params = {"encoding_dim": k, "random_state": seed, **extra}
                if init == "random":
                    params["init"] = "random"
                ae = AutoencoderTransformer(**params)
                t0 = time.perf_counter()
                ae.fit(X_train)
                secs.append(time.perf_counter() - t0)
                mses.append(-ae.score(X_test))
                accs.append(
                    logreg_accuracy(ae.transform(X_train), y_train, ae.transform(X_test), y_test)
                )
                print(
                    f"  k={k} init={init} seed={seed}: MSE {mses[-1]:.5f}, "
                    f"acc {accs[-1]:.3f}, {secs[-1]:.1f} s",
                    flush=True,
                )
            label = 'AE, defaults (init="pca")' if init == "pca" else 'AE, init="random"'
            rows.append(
                [
                    str(k),
                    label,
                    spread(mses, "{:.5f}"),
                    spread(np.asarray(mses) / pca_mse, "{:.2f}"),
                    spread(accs, "{:.3f}"),
                    f"{np.mean(secs):.1f}",
                ]
            )
    rows.append(["64", "raw pixels", "0", "-", f"{raw_acc:.3f}", "-"])
    elapsed = time.perf_counter() - t_all

    defaults = AutoencoderTransformer()
    header = machine_header(
        "Quality: AutoencoderTransformer vs PCA on digits",
        extra=[
            f"digits / 16: {X_train.shape[0]} train / {X_test.shape[0]} test rows "
            "(train_test_split test_size=0.25, random_state=0)",
            f"AutoencoderTransformer defaults: hidden_dims={defaults.hidden_dims}, "
            f"max_epochs={max_epochs or defaults.max_epochs}, "
            f"batch_size={defaults.batch_size}, lr={defaults.lr}, "
            f"optimizer={defaults.optimizer!r}, loss={defaults.loss!r}; seeds {seeds}",
            f"took {elapsed:.0f} s; load average (1 min) before / after: "
            f"{load_before} / {load_average()}",
        ],
    )
    table = markdown_table(
        [
            "k",
            "method",
            "test MSE (mean [min, max])",
            "MSE / PCA MSE",
            "LogReg test accuracy",
            "fit s",
        ],
        rows,
        align="llrrrr",
    )
    notes = (
        "\nMSE / PCA MSE < 1: the autoencoder reconstructs held-out digits better than "
        "PCA with the same number of components.\n"
        "LogisticRegression(max_iter=2000) on unscaled codes; raw pixels = the 64 "
        "inputs themselves.\n"
    )
    write_result("bench_quality", header + "\n" + table + notes, quick=args.quick)


if __name__ == "__main__":
    main()
