"""Seconds per training epoch of one autoencoder, trained seven ways.

The model is a 784-256-64-256-784 ReLU autoencoder (linear code layer, linear
output), MSE loss, Adam(lr=1e-3), batch size 256, on 60,000 x 784 synthetic float32
data (low-rank signal + noise through a sigmoid; generated, nothing is downloaded).

Methods, measured side by side in one process, interleaved across repeats (the order
rotates every repeat) and summarised by medians:

  (a) plain torch loop: shuffle the tensor once per epoch, slice batches, plain
      ``torch.optim.Adam`` (the reference, ratio 1.00)
  (b) skorch ``NeuralNetRegressor`` with its default Dataset/DataLoader (X -> X)
  (c) skorch ``NeuralNetRegressor`` with a slicing iterator (same data path as (a))
  (d) plain torch loop with ``torch.optim.Adam(fused=True)``
  (e) scikit-learn ``MLPRegressor(hidden_layer_sizes=(256, 64, 256))``, X -> X
  (f) ``skae.AutoencoderTransformer(init="random")`` -- same architecture as (a)
  (g) ``skae.AutoencoderTransformer(init="pca")`` -- the default: the same network,
      started at the PCA solution

Both wall-clock and process CPU time are recorded per epoch. On a shared machine the
wall time of a run depends on what else is running; the CPU time (all threads of
this process) mostly does not, so its ratios are the steadier of the two. Per-epoch
times exclude one-off set-up (for skorch/skae the epoch is timed by a callback; the
rest of the ``fit`` call is reported as set-up).

A second table ("where the time goes") profiles one epoch of (a), (d) and (f) with
cProfile and sorts the time into data, forward, backward, optimizer and Python
overhead.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_training_speed.py [--quick]
"""

import argparse
import cProfile
import os
import pstats
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import torch
from _common import (
    check_environment,
    fmt_s,
    load_average,
    low_rank_data,
    machine_header,
    markdown_table,
    median,
    write_result,
)
from skorch.callbacks import Callback
from torch import nn

N_FEATURES = 784
HIDDEN = 256
CODE = 64
BATCH = 256
LR = 1e-3


def make_module():
    """Same layers, in the same order, as skae's ``Autoencoder`` with
    ``hidden_dims=(256,)``, ``encoding_dim=64``, ``init="random"``."""
    return nn.Sequential(
        nn.Linear(N_FEATURES, HIDDEN),
        nn.ReLU(),
        nn.Linear(HIDDEN, CODE),
        nn.Linear(CODE, HIDDEN),
        nn.ReLU(),
        nn.Linear(HIDDEN, N_FEATURES),
    )


class EpochClock(Callback):
    """Records the wall and CPU seconds of each epoch in the skorch history."""

    def on_epoch_begin(self, net, **kwargs):
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def on_epoch_end(self, net, **kwargs):
        net.history.record("bench_wall", time.perf_counter() - self._wall)
        net.history.record("bench_cpu", time.process_time() - self._cpu)


# --------------------------------------------------------------------------- methods
# Each method trains a fresh model for ``epochs`` epochs and returns
# (list of (wall s, cpu s) per epoch, wall seconds of set-up outside the epochs).


def plain_loop(X, epochs, seed, fused=False):
    torch.manual_seed(seed)
    model = make_module()
    if fused:
        opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.MSELoss()
    gen = torch.Generator().manual_seed(seed)
    n = X.shape[0]
    times = []
    for _ in range(epochs):
        wall, cpu = time.perf_counter(), time.process_time()
        model.train()
        # One shuffled copy per epoch (index_select == X[perm]); batches are views.
        shuffled = X.index_select(0, torch.randperm(n, generator=gen))
        total = 0.0
        for start in range(0, n, BATCH):
            xb = shuffled[start : start + BATCH]
            loss = loss_fn(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times, 0.0


class ShuffledSliceLoader:
    """skorch ``iterator_train``: one shuffled copy of the data per epoch, batches
    are contiguous slices of it (the data path of the plain loop)."""

    def __init__(self, dataset, batch_size=128, shuffle=False, **_):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return (len(self.dataset) + self.batch_size - 1) // self.batch_size

    def __iter__(self):
        X, y = self.dataset.X, self.dataset.y
        if self.shuffle:
            perm = torch.randperm(X.shape[0])
            same = y is X
            X = X.index_select(0, perm)
            y = X if same else (None if y is None else y.index_select(0, perm))
        for start in range(0, X.shape[0], self.batch_size):
            stop = start + self.batch_size
            yield X[start:stop], None if y is None else y[start:stop]


def _history_times(history):
    return list(zip(history[:, "bench_wall"], history[:, "bench_cpu"], strict=True))


def skorch_net(X, epochs, seed, slicing):
    from skorch import NeuralNetRegressor

    torch.manual_seed(seed)
    kwargs = {"iterator_train": ShuffledSliceLoader} if slicing else {}
    net = NeuralNetRegressor(
        make_module,
        criterion=nn.MSELoss,
        optimizer=torch.optim.Adam,
        lr=LR,
        batch_size=BATCH,
        max_epochs=epochs,
        train_split=None,
        iterator_train__shuffle=True,
        callbacks=[EpochClock()],
        device="cpu",
        verbose=0,
        **kwargs,
    )
    t0 = time.perf_counter()
    net.fit(X, X)
    total = time.perf_counter() - t0
    times = _history_times(net.history)
    return times, total - sum(w for w, _ in times)


def sklearn_mlp(X_np, epochs, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    times = []
    for epoch in range(epochs):
        mlp = MLPRegressor(
            hidden_layer_sizes=(HIDDEN, CODE, HIDDEN),
            batch_size=BATCH,
            max_iter=1,
            random_state=seed + epoch,
        )
        wall, cpu = time.perf_counter(), time.process_time()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(X_np, X_np)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times, 0.0


def make_skae(epochs, seed, init, callbacks=None):
    from skae import AutoencoderTransformer

    return AutoencoderTransformer(
        encoding_dim=CODE,
        hidden_dims=(HIDDEN,),
        init=init,
        batch_size=BATCH,
        lr=LR,
        max_epochs=epochs,
        device="cpu",
        random_state=seed,
        callbacks=callbacks,
    )


def skae_fit(X_np, epochs, seed, init):
    ae = make_skae(epochs, seed, init, callbacks=[EpochClock()])
    t0 = time.perf_counter()
    ae.fit(X_np)
    total = time.perf_counter() - t0
    times = _history_times(ae.net_.history)
    return times, total - sum(w for w, _ in times)


METHODS = {
    "a": ("(a) plain torch loop, Adam (reference)", lambda X, Xn, e, s: plain_loop(X, e, s)),
    "b": (
        "(b) skorch NeuralNetRegressor, default DataLoader",
        lambda X, Xn, e, s: skorch_net(Xn, e, s, slicing=False),
    ),
    "c": (
        "(c) skorch NeuralNetRegressor, slicing iterator",
        lambda X, Xn, e, s: skorch_net(X, e, s, slicing=True),
    ),
    "d": (
        "(d) plain torch loop, Adam(fused=True)",
        lambda X, Xn, e, s: plain_loop(X, e, s, fused=True),
    ),
    "e": ("(e) sklearn MLPRegressor (256, 64, 256)", lambda X, Xn, e, s: sklearn_mlp(Xn, e, s)),
    "f": (
        '(f) skae AutoencoderTransformer, init="random"',
        lambda X, Xn, e, s: skae_fit(Xn, e, s, "random"),
    ),
    "g": (
        '(g) skae AutoencoderTransformer, init="pca"',
        lambda X, Xn, e, s: skae_fit(Xn, e, s, "pca"),
    ),
}


# ------------------------------------------------------------------ where the time goes

PHASES = [
    "data: shuffle / gather batches",
    "forward + loss (torch ops)",
    "backward (autograd engine)",
    "optimizer: Adam kernels",
    "optimizer: torch.optim Python",
    "Python: nn.Module calls",
    "Python: training loop (skorch / skae / hand loop)",
    "other torch calls (zero_grad, item, ...)",
]


def _phase_of(key, callers):
    filename, _, name = key
    if filename == "~":  # a builtin (C) function or method
        if "run_backward" in name:
            return PHASES[2]
        if any(s in name for s in ("index_select", "randperm", "'index'", "take")):
            return PHASES[0]
        if any(s in name for s in ("linear", "relu", "mse_loss", "addmm", "matmul")):
            return PHASES[1]
        if any("torch/optim" in c[0] for c in callers):
            return PHASES[3]
        return PHASES[7]
    if "torch/optim" in filename:
        return PHASES[4]
    if "torch/nn/modules" in filename:
        return PHASES[5]
    return PHASES[6]


def phase_breakdown(fn):
    """Run ``fn`` under cProfile and sum own time per phase (seconds)."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof).stats
    phases = dict.fromkeys(PHASES, 0.0)
    for key, (_, _, tottime, _, callers) in stats.items():
        if key[2] == "<method 'disable' of '_lsprof.Profiler' objects>":
            continue
        phases[_phase_of(key, callers)] += tottime
    return phases


def where_the_time_goes(X, X_np):
    n_batches = -(-X.shape[0] // BATCH)
    runs = {
        "(a) plain, Adam": lambda: plain_loop(X, 1, 0),
        "(d) plain, fused Adam": lambda: plain_loop(X, 1, 0, fused=True),
        '(f) skae, init="random"': lambda: make_skae(1, 0, "random").fit(X_np),
    }
    results = {}
    for label, fn in runs.items():
        fn()  # warm
        results[label] = phase_breakdown(fn)
    headers = ["phase (ms per batch, under cProfile)", *results]
    rows = []
    for phase in PHASES:
        rows.append([phase, *(f"{1e3 * r[phase] / n_batches:.2f}" for r in results.values())])
    totals = {k: sum(r.values()) for k, r in results.items()}
    rows.append(["**total**", *(f"**{1e3 * t / n_batches:.2f}**" for t in totals.values())])
    ref = totals["(a) plain, Adam"]
    rows.append(["ratio to (a)", *(f"{t / ref:.2f}" for t in totals.values())])
    return markdown_table(headers, rows, align="l" + "r" * len(results))


def small_model_overhead(quick):
    """Per-batch time on a digits-sized model, where framework overhead shows.

    64-128-8-128-64 ReLU autoencoder, batch 128, synthetic 64-feature data: the
    hand loop with fused Adam vs skae (init="random", same layers, fused Adam).
    """
    from skae import AutoencoderTransformer

    n, f, h, k, batch = (2_048 if quick else 20_000), 64, 128, 8, 128
    X_np = low_rank_data(n, f, rank=8, seed=1)
    X = torch.from_numpy(X_np)
    n_batches = -(-n // batch)

    def hand():
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Linear(f, h), nn.ReLU(), nn.Linear(h, k), nn.Linear(k, h), nn.ReLU(), nn.Linear(h, f)
        )
        opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
        loss_fn = nn.MSELoss()
        wall, cpu = time.perf_counter(), time.process_time()
        shuffled = X.index_select(0, torch.randperm(n))
        for start in range(0, n, batch):
            xb = shuffled[start : start + batch]
            loss = loss_fn(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
        return time.perf_counter() - wall, time.process_time() - cpu

    def skae_small():
        ae = AutoencoderTransformer(
            encoding_dim=k,
            hidden_dims=(h,),
            init="random",
            batch_size=batch,
            lr=LR,
            max_epochs=1,
            device="cpu",
            random_state=0,
            callbacks=[EpochClock()],
        ).fit(X_np)
        return _history_times(ae.net_.history)[0]

    fns = {"hand loop, fused Adam": hand, 'skae, init="random"': skae_small}
    for fn in fns.values():
        fn()
    res = {name: [] for name in fns}
    for r in range(2 if quick else 7):
        for name, fn in fns.items() if r % 2 == 0 else reversed(fns.items()):
            res[name].append(fn())
    ref_wall = median([w for w, _ in res["hand loop, fused Adam"]])
    ref_cpu = median([c for _, c in res["hand loop, fused Adam"]])
    rows = []
    for name, values in res.items():
        wall = median([w for w, _ in values])
        cpu = median([c for _, c in values])
        rows.append(
            [
                name,
                f"{1e6 * wall / n_batches:.0f}",
                f"{wall / ref_wall:.2f}",
                f"{1e6 * cpu / n_batches:.0f}",
                f"{cpu / ref_cpu:.2f}",
            ]
        )
    return (
        f"{n:,} x {f} synthetic rows, {f}-{h}-{k}-{h}-{f} ReLU autoencoder, batch {batch} "
        f"({n_batches} batches per epoch), {len(next(iter(res.values())))} interleaved "
        "repeats, medians\n\n"
        + markdown_table(
            ["method", "wall us/batch", "ratio", "CPU us/batch", "ratio (CPU)"], rows, align="lrrrr"
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (a few seconds)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None, help="epochs per repeat")
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--methods", default="abcdefg", help="subset of letters a-g")
    parser.add_argument(
        "--mlp-repeats", type=int, default=None, help="repeats for the (slow) sklearn MLPRegressor"
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the 'where the time goes' table"
    )
    args = parser.parse_args()
    check_environment()

    n_samples = args.n_samples or (1_024 if args.quick else 60_000)
    repeats = args.repeats or (1 if args.quick else 4)
    epochs = args.epochs or 1
    mlp_repeats = min(args.mlp_repeats or (1 if args.quick else 2), repeats)
    methods = [m for m in "abcdefg" if m in args.methods]
    load_before = load_average()

    X_np = low_rank_data(n_samples, N_FEATURES, seed=0)
    X = torch.from_numpy(X_np)

    # Warm-up: every method once on a small slice (oneDNN primitives, lazy imports).
    warm_np = X_np[:512]
    warm = torch.from_numpy(warm_np)
    for m in methods:
        METHODS[m][1](warm, warm_np, 1, 123)

    times = {m: [] for m in methods}
    setup_times = {m: [] for m in methods}
    per_repeat = []
    t_start = time.perf_counter()
    for r in range(repeats):
        order = methods[r % len(methods) :] + methods[: r % len(methods)]
        this = {}
        for m in order:
            if m == "e" and r >= mlp_repeats:
                continue
            epoch_times, setup = METHODS[m][1](X, X_np, epochs, r)
            times[m].extend(epoch_times)
            setup_times[m].append(setup)
            this[m] = (median([w for w, _ in epoch_times]), median([c for _, c in epoch_times]))
            print(
                f"  repeat {r + 1}/{repeats} {METHODS[m][0]}: wall "
                f"{', '.join(f'{w:.2f}' for w, _ in epoch_times)} s/epoch, CPU "
                f"{', '.join(f'{c:.2f}' for _, c in epoch_times)} s/epoch, "
                f"set-up {setup:.2f} s",
                flush=True,
            )
        per_repeat.append(this)
    t_measure = time.perf_counter() - t_start
    load_after = load_average()

    def ratio(m, which):
        values = [rep[m][which] / rep["a"][which] for rep in per_repeat if m in rep and "a" in rep]
        return f"{median(values):.2f}" if values else "n/a"

    rows = []
    for m in methods:
        walls = [w for w, _ in times[m]]
        cpus = [c for _, c in times[m]]
        wall = median(walls)
        setup = median(setup_times[m])
        rows.append(
            [
                METHODS[m][0],
                fmt_s(wall),
                f"{fmt_s(min(walls))}-{fmt_s(max(walls))}",
                ratio(m, 0),
                fmt_s(median(cpus)),
                ratio(m, 1),
                f"{n_samples / wall:,.0f}",
                fmt_s(setup) if setup > 0.0005 else "-",
            ]
        )

    header = machine_header(
        "Training speed: seconds per epoch",
        extra=[
            f"data: {n_samples:,} x {N_FEATURES} float32 (synthetic low-rank + noise)",
            f"model: {N_FEATURES}-{HIDDEN}-{CODE}-{HIDDEN}-{N_FEATURES} ReLU autoencoder, "
            f"MSE, Adam lr={LR}, batch {BATCH}",
            f"{repeats} repeat(s) x {epochs} epoch(s) per method after a warm-up, "
            f"interleaved (MLPRegressor: {mlp_repeats} repeat(s)); measuring took "
            f"{t_measure:.0f} s",
            f"load average (1 min) before / after: {load_before} / {load_after} "
            f"(on {os.cpu_count()} CPUs; above ~{torch.get_num_threads()} means "
            "other processes were competing)",
        ],
    )
    table = markdown_table(
        [
            "method",
            "wall s/epoch",
            "min-max",
            "ratio to (a), wall",
            "CPU s/epoch",
            "ratio to (a), CPU",
            "rows/s (wall)",
            "fit set-up s",
        ],
        rows,
        align="lrrrrrrr",
    )
    notes = (
        "\nRatios are medians of per-repeat ratios (each repeat runs every method "
        "back to back); < 1 is faster than the plain loop. The issue's bar for skae is "
        "<= 1.10, the goal <= 0.85.\n"
        "CPU s/epoch = CPU time of all this process's threads (2 threads busy = 2x "
        "wall), which other processes on the machine barely affect.\n"
        "(e) MLPRegressor has a ReLU on the 64-unit layer too and an L2 penalty "
        "(alpha=1e-4); it trains in float32 NumPy (OpenBLAS).\n"
        "Set-up = the part of `fit` outside the epochs (input validation, PCA for "
        'init="pca", net initialisation).\n'
    )
    text = header + "\n" + table + notes
    if not args.no_profile:
        text += (
            "\n### Where the time goes (one epoch each, cProfile own time)\n\n"
            + where_the_time_goes(X, X_np)
            + "\ncProfile adds a few microseconds per Python call, so the Python rows "
            "are inflated somewhat; the torch-op rows are not.\n"
        )
        text += (
            "\n### Small model: per-batch overhead\n\n"
            + small_model_overhead(args.quick)
            + "\nOn a model this small the per-batch Python work (skorch's callbacks, "
            "history, train-mode switch) is a visible share of the step.\n"
        )
    write_result("bench_training_speed", text, quick=args.quick)


if __name__ == "__main__":
    main()
