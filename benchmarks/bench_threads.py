"""GridSearchCV over AutoencoderTransformer with n_jobs=1 vs n_jobs=2 (loky).

Searches ``encoding_dim`` in [2, 4, 8, 16] with cv=3 (12 fits, scored by the
transformer's own ``score``: negative reconstruction MSE) on digits
(``load_digits().data / 16``). Requirement: n_jobs=2 must be faster than n_jobs=1,
i.e. the worker processes must not oversubscribe the cores with torch threads.

Also reports the number of torch / OpenMP / BLAS threads seen inside a loky worker,
and, as a diagnostic, n_jobs=1 with torch limited to one thread.

Runs are interleaved over repeats (the order alternates) and medians are reported.
The loky workers are started (and torch imported in them) by a probe job before the
timed runs; that start-up cost is reported separately.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_threads.py [--quick]
"""

import argparse
import os
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
from _common import (
    check_environment,
    load_average,
    machine_header,
    markdown_table,
    median,
    write_result,
)

GRID = {"encoding_dim": [2, 4, 8, 16]}
CV = 3


def probe():
    """Runs inside a worker: what does torch (and friends) think it may use?"""
    import torch
    from threadpoolctl import threadpool_info

    pools = {f"{p['internal_api']}": p["num_threads"] for p in threadpool_info()}
    return {
        "pid": os.getpid(),
        "torch.get_num_threads()": torch.get_num_threads(),
        "torch.get_num_interop_threads()": torch.get_num_interop_threads(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "(unset)"),
        "MKL_NUM_THREADS": os.environ.get("MKL_NUM_THREADS", "(unset)"),
        "threadpoolctl": ", ".join(f"{k}={v}" for k, v in sorted(pools.items())),
    }


def children_cpu_seconds():
    """CPU seconds (user + system) used so far by this process's live children, i.e.
    the loky workers (which persist between searches, so RUSAGE_CHILDREN misses them).
    Linux only; 0.0 elsewhere."""
    me = os.getpid()
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:  # field 4 (ppid), counted after the ")"
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def grid_search(X, n_jobs, epochs, torch_threads=None):
    import torch
    from sklearn.model_selection import GridSearchCV

    from skae import AutoencoderTransformer

    previous = torch.get_num_threads()
    if torch_threads is not None:
        torch.set_num_threads(torch_threads)
    try:
        search = GridSearchCV(
            # torch_num_threads=None: this benchmark studies torch's global setting.
            AutoencoderTransformer(
                max_epochs=epochs, random_state=0, device="cpu", torch_num_threads=None
            ),
            GRID,
            cv=CV,
            n_jobs=n_jobs,
        )
        wall, cpu, child = time.perf_counter(), time.process_time(), children_cpu_seconds()
        search.fit(X)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu + children_cpu_seconds() - child
        return wall, cpu, search
    finally:
        torch.set_num_threads(previous)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (a few seconds)")
    parser.add_argument("--epochs", type=int, default=None, help="max_epochs of each fit")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    check_environment()

    from joblib import Parallel, delayed
    from sklearn.datasets import load_digits

    epochs = args.epochs or (2 if args.quick else 40)
    repeats = args.repeats or (1 if args.quick else 2)
    X = load_digits().data / 16
    if args.quick:
        X = X[:600]
    load_before = load_average()

    # Warm-up in the main process (imports, first kernels).
    grid_search(X[:200], 1, 1)

    # Cold start: the first n_jobs=2 search spawns the loky workers, which import
    # torch, skorch and skae before they can fit anything. Timed on a tiny search.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cold_wall = grid_search(X[:200], 2, 1)[0]
        tiny_warm = grid_search(X[:200], 2, 1)[0]
        probes = Parallel(n_jobs=2)(delayed(probe)() for _ in range(4))
    main_probe = probe()

    configs = {
        "n_jobs=1": dict(n_jobs=1),
        "n_jobs=2 (loky)": dict(n_jobs=2),
        "n_jobs=1, torch.set_num_threads(1)": dict(n_jobs=1, torch_threads=1),
    }
    times = {k: [] for k in configs}
    scores = {}
    for r in range(repeats):
        order = list(configs) if r % 2 == 0 else list(reversed(configs))
        for name in order:
            wall, cpu, search = grid_search(X, epochs=epochs, **configs[name])
            times[name].append((wall, cpu))
            scores[name] = search.best_params_["encoding_dim"], search.best_score_
            print(
                f"  repeat {r + 1}/{repeats} {name}: {wall:.1f} s wall, "
                f"{cpu:.1f} s CPU (main process + workers)",
                flush=True,
            )

    ref = median([w for w, _ in times["n_jobs=1"]])
    rows = []
    for name in configs:
        wall = median([w for w, _ in times[name]])
        ratios = [w / t[0] for (w, _), t in zip(times[name], times["n_jobs=1"], strict=True)]
        best_k, best = scores[name]
        cpu = median([c for _, c in times[name]])
        rows.append(
            [
                name,
                f"{wall:.1f}",
                ", ".join(f"{w:.1f}" for w, _ in times[name]),
                f"{median(ratios):.2f}",
                f"{ref / wall:.2f}x",
                f"{cpu:.1f}",
                f"{cpu / wall:.2f}",
                f"{best_k} ({best:.4f})",
            ]
        )
    table = markdown_table(
        [
            "configuration",
            "wall s (median)",
            "each repeat",
            "time vs n_jobs=1",
            "speed-up",
            "CPU s (main + workers)",
            "cores used (CPU/wall)",
            "best encoding_dim (score)",
        ],
        rows,
        align="lrrrrrrr",
    )

    probe_rows = [["main process", *[str(v) for k, v in main_probe.items() if k != "pid"]]]
    for p in {p["pid"]: p for p in probes}.values():
        probe_rows.append(
            [f"loky worker (pid {p['pid']})", *[str(v) for k, v in p.items() if k != "pid"]]
        )
    probe_table = markdown_table(
        ["process", *[k for k in main_probe if k != "pid"]], probe_rows, align="lrrlll"
    )

    n_fits = len(GRID["encoding_dim"]) * CV
    header = machine_header(
        "GridSearchCV: n_jobs=1 vs n_jobs=2",
        extra=[
            f"data: digits {X.shape[0]} x {X.shape[1]} (/16); grid encoding_dim "
            f"{GRID['encoding_dim']}, cv={CV} ({n_fits} fits), "
            f"AutoencoderTransformer(max_epochs={epochs}, random_state=0), other "
            'parameters default (init="pca", hidden_dims=(128,), batch_size=128)',
            f"{repeats} repeat(s) per configuration, order alternating, all after a "
            "warm-up; the loky workers were started before timing",
            f"cold start: a tiny search ({CV * len(GRID['encoding_dim'])} fits x 1 epoch on "
            f"200 rows) with n_jobs=2 took {cold_wall:.1f} s when it had to spawn the "
            f"workers (they import torch, skorch, skae) and {tiny_warm:.1f} s once they "
            "were running",
            f"load average (1 min) before / after: {load_before} / {load_average()} "
            f"(on {os.cpu_count()} CPUs)",
        ],
    )
    verdict = (
        "PASS: n_jobs=2 is faster than n_jobs=1"
        if median([w for w, _ in times["n_jobs=2 (loky)"]]) < ref
        else "FAIL: n_jobs=2 is not faster than n_jobs=1"
    )
    text = (
        header
        + "\n"
        + table
        + f"\n**{verdict}**\n"
        + "\n'cores used' well below the number of busy threads (2) means other "
        "processes on the machine took part of the CPUs during the run (see the load "
        "average above); then wall-time ratios reflect the scheduler's share more than "
        "the code, and the CPU column is the steadier measure of work done.\n"
        + "\n### Threads seen by torch\n\n"
        + probe_table
        + "\njoblib's loky backend caps OpenMP/BLAS threads in its workers at "
        "cpu_count // n_jobs via environment variables set before the worker starts "
        "(so torch, which reads OMP_NUM_THREADS when it initialises, gets 1 here).\n"
    )
    write_result("bench_threads", text, quick=args.quick)


if __name__ == "__main__":
    main()
