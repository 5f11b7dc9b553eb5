"""torch_num_threads="auto" against fixed thread counts, on a quiet machine and beside
a busy process.

Four fits, small to large: the default AutoencoderTransformer on digits (64 pixels),
PretrainedClassifier on digits with every other label hidden (shortened to 30 + 30
epochs), GANSampler on digits (300 steps, no matching or rejection), and the
784-256-64-256-784 autoencoder on 10,000 random rows (3 epochs). Each runs with
``torch_num_threads`` = 1, 2 and "auto", on the quiet machine and beside one
process that keeps a core busy (``python -c "while True: pass"``), interleaved and
repeated; medians of wall time. Goals (issue #21): quiet, "auto" within 10% of the
best fixed count; beside the busy process, no more than 1.5x the quiet best.

Run with OpenMP's default (active) wait policy, as users run it:

    python benchmarks/bench_threads_auto.py [--repeats 3]
"""

import argparse
import subprocess
import sys
import time

import numpy as np
from _common import check_environment, machine_header, markdown_table, write_result
from sklearn.datasets import load_digits

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier

SETTINGS = [1, 2, "auto"]


def cases():
    X, y = load_digits(return_X_y=True)
    X = X / 16
    y_semi = np.where(np.arange(len(y)) % 2 == 0, y, -1)
    wide = np.random.RandomState(0).rand(10_000, 784).astype(np.float32)
    return {
        "AutoencoderTransformer, digits": lambda t: AutoencoderTransformer(
            2, max_epochs=50, random_state=0, torch_num_threads=t
        ).fit(X),
        "PretrainedClassifier, digits": lambda t: PretrainedClassifier(
            pretrain_epochs=30, finetune_epochs=30, random_state=0, torch_num_threads=t
        ).fit(X, y_semi),
        "GANSampler, digits (300 steps)": lambda t: GANSampler(
            max_steps=300,
            match_marginals=False,
            rejection_sampling=False,
            random_state=0,
            torch_num_threads=t,
        ).fit(X * 16, y),
        "784-256-64 autoencoder, 10,000 rows": lambda t: AutoencoderTransformer(
            64, hidden_dims=(256,), max_epochs=3, random_state=0, torch_num_threads=t
        ).fit(wide),
    }


def timed(fit, threads):
    start = time.perf_counter()
    fit(threads)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    check_environment()
    fits = cases()
    times = {(name, cond, s): [] for name in fits for cond in ("quiet", "busy") for s in SETTINGS}
    for name, fit in fits.items():
        timed(fit, "auto")  # warm-up: imports, first-call allocations
        for _ in range(args.repeats):
            for condition in ("quiet", "busy"):
                spinner = None
                if condition == "busy":
                    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
                    time.sleep(1.0)
                try:
                    for setting in SETTINGS:
                        times[name, condition, setting].append(timed(fit, setting))
                finally:
                    if spinner is not None:
                        spinner.kill()
                        spinner.wait()
                        time.sleep(0.5)
        print(
            name, {k[1:]: round(float(np.median(v)), 2) for k, v in times.items() if k[0] == name}
        )

    rows = []
    for name in fits:
        med = {
            (c, s): float(np.median(times[name, c, s])) for c in ("quiet", "busy") for s in SETTINGS
        }
        quiet_best = min(med["quiet", 1], med["quiet", 2])
        rows.append(
            [
                name,
                *(f"{med['quiet', s]:.2f}" for s in SETTINGS),
                *(f"{med['busy', s]:.2f}" for s in SETTINGS),
                f"{med['quiet', 'auto'] / quiet_best:.2f}",
                f"{med['busy', 'auto'] / quiet_best:.2f}",
            ]
        )
    text = "\n".join(
        [
            machine_header("torch_num_threads='auto' against fixed thread counts"),
            f"Wall seconds per fit, medians of {args.repeats} interleaved runs; busy = beside "
            "one process spinning on a core. Last two columns: 'auto' against the best "
            "fixed count on the quiet machine (goal <= 1.10), and 'auto' beside the busy "
            "process against that same quiet best (goal <= 1.50).",
            "",
            markdown_table(
                [
                    "fit",
                    "quiet 1",
                    "quiet 2",
                    "quiet auto",
                    "busy 1",
                    "busy 2",
                    "busy auto",
                    "auto / best, quiet",
                    "auto busy / best quiet",
                ],
                rows,
                align="lrrrrrrrr",
            ),
            "",
        ]
    )
    write_result("bench_threads_auto", text)


if __name__ == "__main__":
    main()
