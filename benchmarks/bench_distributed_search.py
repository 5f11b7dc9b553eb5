"""GridSearchCV over AutoencoderTransformer on joblib's backends: one process, loky,
a Dask LocalCluster and Ray.

12 fits (``encoding_dim`` in [2, 4, 8, 16], cv=3) on digits (``load_digits().data /
16``), 2 workers each. Reports the wall time of ``search.fit`` (cluster start-up is
timed separately: it is paid once per session, not per search), the default torch
threads in a Dask worker, and how far the scores are from the one-process search's.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_distributed_search.py [--quick]
"""

import argparse
import statistics
import time

import _common  # noqa: F401  (puts the repository root on sys.path)
import joblib
import numpy as np
from _common import check_environment, load_average, machine_header, markdown_table, write_result
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skae import AutoencoderTransformer

GRID = {"encoding_dim": [2, 4, 8, 16]}
N_WORKERS = 2


def make_search(epochs, torch_num_threads):
    estimator = AutoencoderTransformer(
        max_epochs=epochs,
        random_state=0,
        device="cpu",
        torch_num_threads=torch_num_threads,
    )
    return GridSearchCV(estimator, GRID, cv=3, refit=False, return_train_score=False)


REPEATS = 3


def timed(search, X, backend=None, n_jobs=None):
    """Median wall time of ``REPEATS`` searches, and the scores."""
    search.n_jobs = n_jobs
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        if backend is None:
            search.fit(X)
        else:
            with joblib.parallel_backend(backend):
                search.fit(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times), search.cv_results_["mean_test_score"]


def worker_threads(client_run):
    """torch.get_num_threads() in each worker, as the default setting leaves it."""

    def probe():
        import torch

        return torch.get_num_threads()

    return client_run(probe)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs, a smoke test")
    args = parser.parse_args()
    check_environment()
    global REPEATS
    epochs, REPEATS = (5, 1) if args.quick else (60, REPEATS)
    X = load_digits().data / 16
    rows = []

    reference_s, reference = timed(make_search(epochs, None), X)
    rows.append(["n_jobs=1", "-", f"{reference_s:.1f}", "1.00", "0"])

    def add(name, seconds, scores, startup="-"):
        # Workers run torch with fewer threads than this process, which changes the
        # order of float sums: equal up to rounding, not bit for bit.
        difference = np.max(np.abs(scores - reference) / np.abs(reference))
        rows.append(
            [name, startup, f"{seconds:.1f}", f"{seconds / reference_s:.2f}", f"{difference:.1e}"]
        )

    # Small networks run faster on one thread: intra-op threads cost more than they
    # save on small matrices (more so under OMP_WAIT_POLICY=PASSIVE).
    seconds, scores = timed(make_search(epochs, 1), X)
    add("n_jobs=1, torch_num_threads=1", seconds, scores)

    seconds, scores = timed(make_search(epochs, None), X, n_jobs=N_WORKERS)
    add(f"loky, n_jobs={N_WORKERS}", seconds, scores)

    try:
        from distributed import Client, LocalCluster
    except ImportError:
        rows.append(["Dask", "not installed", "", "", ""])
    else:
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=N_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        )
        with cluster, Client(cluster) as client:
            startup = f"{time.perf_counter() - start:.1f}"
            defaults = sorted(set(worker_threads(client.run).values()))
            for threads in (None, 1):
                seconds, scores = timed(make_search(epochs, threads), X, backend="dask")
                label = f"Dask LocalCluster, torch_num_threads={threads}"
                add(label, seconds, scores, startup)
        rows.append([f"(Dask workers' default torch threads: {defaults})", "", "", "", ""])

    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError:
        rows.append(["Ray", "not installed", "", "", ""])
    else:
        start = time.perf_counter()
        ray.init(num_cpus=N_WORKERS, include_dashboard=False, log_to_driver=False)
        register_ray()
        startup = f"{time.perf_counter() - start:.1f}"
        for threads in (None, 1):
            seconds, scores = timed(make_search(epochs, threads), X, backend="ray")
            add(f"Ray, torch_num_threads={threads}", seconds, scores, startup)
        ray.shutdown()

    table = markdown_table(
        ["backend", "start-up (s)", "search.fit (s)", "vs n_jobs=1", "max rel. score difference"],
        rows,
    )
    text = machine_header(
        "GridSearchCV on joblib backends (12 fits)",
        [
            f"load average at the end: {load_average()}",
            f"AutoencoderTransformer(max_epochs={epochs}) on digits, {N_WORKERS} workers, "
            f"medians of {REPEATS} searches",
        ],
    )
    write_result("bench_distributed_search", text + "\n" + table, quick=args.quick)


if __name__ == "__main__":
    main()
