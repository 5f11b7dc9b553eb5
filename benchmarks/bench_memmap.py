"""Training on data larger than memory: AutoencoderTransformer on a NumPy memmap.

Two parts:

1. Speed, on a 784-feature float32 file of ``--rows`` rows: seconds per epoch of the
   784-256-64-256-784 autoencoder when batches are read (a) by skae, as contiguous
   blocks in shuffled order, (b) by a plain loop reading row by row, as a
   ``Dataset.__getitem__`` under a ``DataLoader`` does, (c) by a plain loop with
   contiguous blocks, and (d) from the same data in memory. "Cold" drops the page
   cache first (``/proc/sys/vm/drop_caches``, needs root), so rows come from disk;
   "warm" repeats the epoch with the file cached.
2. Memory: skae trains one epoch on a file ``--size-ratio`` times larger than a cap
   on the process's data memory (``RLIMIT_DATA``, which counts anonymous memory but
   not the read-only file mapping); the peak anonymous memory (``RssAnon``, sampled
   every 20 ms) is reported. Exceeding the cap would fail the run with MemoryError.


    OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_memmap.py [--quick]
"""

import argparse
import os
import pathlib
import resource
import tempfile
import threading
import time

import numpy as np
import torch
from _common import (
    check_environment,
    fmt_s,
    load_average,
    machine_header,
    markdown_table,
    write_result,
)
from bench_training_speed import make_module
from torch import nn

N_FEATURES, HIDDEN, CODE, BATCH = 784, 256, 64, 256
MiB = 2**20


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class PeakAnonymousMemory:
    """Samples ``RssAnon`` in a thread; ``peak`` is the largest value in bytes."""

    def __enter__(self):
        self.peak = status_kib("RssAnon") * 1024
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, status_kib("RssAnon") * 1024)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, status_kib("RssAnon") * 1024)


def write_file(path, n_rows, seed=0):
    """A low-rank 784-feature float32 .npy file, written block by block."""
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((32, N_FEATURES), dtype=np.float32) / np.sqrt(32)
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n_rows, N_FEATURES))
    for start in range(0, n_rows, 65536):
        stop = min(start + 65536, n_rows)
        block = rng.standard_normal((stop - start, 32), dtype=np.float32) @ basis
        X[start:stop] = 1 / (1 + np.exp(-block))
    X.flush()
    del X


def plain_epoch(X, read, seed=0):
    """One epoch of a hand-written loop; ``read(X, batch_number, order)`` gives a batch."""
    torch.manual_seed(seed)
    model = make_module()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    n_batches = -(-X.shape[0] // BATCH)
    order = np.random.default_rng(seed).permutation(X.shape[0])
    blocks = np.random.default_rng(seed).permutation(n_batches)
    start = time.perf_counter()
    for i in range(n_batches):
        xb = read(X, i, order, blocks)
        loss = nn.functional.mse_loss(model(xb), xb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def rows_read(X, i, order, blocks):
    rows = order[i * BATCH : (i + 1) * BATCH]
    return torch.stack([torch.from_numpy(np.array(X[row], dtype=np.float32)) for row in rows])


def drop_page_cache():
    """Evict cached file pages, so that the next reads come from disk; False if not allowed."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
        return True
    except OSError:
        return False


def block_read(X, i, order, blocks):
    start = blocks[i] * BATCH
    return torch.from_numpy(np.array(X[start : start + BATCH], dtype=np.float32))


def skae_epoch(X):
    from skae import AutoencoderTransformer

    ae = AutoencoderTransformer(
        encoding_dim=CODE,
        hidden_dims=(HIDDEN,),
        init="random",
        max_epochs=1,
        batch_size=BATCH,
        device="cpu",
        random_state=0,
    )
    ae.fit(X)
    # The epoch itself, without the one-off validation of X and set-up.
    return ae.net_.history[-1, "dur"], ae


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small files, for a smoke test")
    parser.add_argument("--rows", type=int, default=500_000, help="rows of the speed file")
    parser.add_argument("--cap-mib", type=int, default=1024, help="data-memory cap")
    parser.add_argument("--size-ratio", type=float, default=4.0, help="file size / cap")
    parser.add_argument("--dir", default=None, help="where to write the files (default: tmp)")
    args = parser.parse_args()
    check_environment()
    if args.quick:
        args.rows, args.cap_mib, args.size_ratio = 20_000, 256, 2.0
    directory = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="skae-memmap-"))

    speed_path = directory / "speed.npy"
    write_file(speed_path, args.rows)
    X = np.load(speed_path, mmap_mode="r")
    size = X.nbytes
    methods = {
        "skae, contiguous blocks in shuffled order": lambda: skae_epoch(X)[0],
        "plain loop, row by row (a Dataset's __getitem__)": lambda: plain_epoch(X, rows_read),
        "plain loop, contiguous blocks": lambda: plain_epoch(X, block_read),
    }
    rows = []
    for name, run in methods.items():
        cold = f"{run():.1f}" if drop_page_cache() else "n/a"
        rows.append([name, cold, f"{run():.1f}"])
    in_memory = torch.from_numpy(np.array(X))
    seconds = plain_epoch(
        in_memory, lambda X, i, order, blocks: X[order[i * BATCH : (i + 1) * BATCH]]
    )
    rows.append(["plain loop, data in memory", "-", f"{seconds:.1f}"])
    del in_memory
    speed_table = markdown_table(["reading batches", "cold s / epoch", "warm s / epoch"], rows)

    big_path = directory / "big.npy"
    cap = args.cap_mib * MiB
    big_rows = int(args.size_ratio * cap / (N_FEATURES * 4))
    write_file(big_path, big_rows, seed=1)
    big = np.load(big_path, mmap_mode="r")
    # The cap counts from what the process already has (interpreter, torch, ...).
    baseline = status_kib("VmData") * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (baseline + cap, resource.RLIM_INFINITY))
    before = status_kib("RssAnon") * 1024
    drop_page_cache()
    with PeakAnonymousMemory() as memory:
        big_s, ae = skae_epoch(big)
    with PeakAnonymousMemory() as transform_memory:
        codes = ae.transform(big)
    resource.setrlimit(resource.RLIMIT_DATA, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    memory_table = markdown_table(
        [
            "file",
            "data-memory cap",
            "epoch (s)",
            "anonymous memory before",
            "peak in fit",
            f"peak in transform (output: {codes.nbytes / MiB:,.0f} MiB)",
        ],
        [
            [
                f"{big.nbytes / MiB:,.0f} MiB ({big_rows:,} rows)",
                f"{args.cap_mib:,} MiB",
                fmt_s(big_s),
                f"{before / MiB:,.0f} MiB",
                f"{memory.peak / MiB:,.0f} MiB",
                f"{transform_memory.peak / MiB:,.0f} MiB",
            ]
        ],
    )
    text = machine_header(
        "Training on a memmap",
        [
            f"load average at the end: {load_average()}",
            f"speed file: {size / MiB:,.0f} MiB ({args.rows:,} x {N_FEATURES} float32), "
            f"batch {BATCH}, model {N_FEATURES}-{HIDDEN}-{CODE}-{HIDDEN}-{N_FEATURES}",
        ],
    )
    text += "\n### Seconds per epoch by read pattern\n\n" + speed_table
    text += (
        "\n### Memory: one epoch and a transform of a file larger than the cap\n\n" + memory_table
    )
    write_result("bench_memmap", text, quick=args.quick)
    speed_path.unlink()
    big_path.unlink()


if __name__ == "__main__":
    main()
