"""Transform throughput and peak training memory of AutoencoderTransformer.

Part 1 -- throughput (rows/s) of ``transform`` on 60,000 x 784 float32 data with a
fitted 784-256-64 encoder (``init="random"`` and ``init="pca"``), against:

  * bare: the fitted encoder module called by hand under ``torch.inference_mode()``
    in batches of 8,192 rows, from a NumPy array to a NumPy array (the reference);
  * bare, one call: the same on all rows at once;
  * skorch: ``skorch.NeuralNet(module=<the same encoder>).predict(X)``, i.e. skorch's
    default Dataset/DataLoader inference path (batch 8,192, and skorch's default 128).

All methods are interleaved over the repeats; medians are reported. The goal is
skae >= 0.9 of bare.

Part 2 -- peak resident memory during ``fit`` (2 epochs on 60,000 x 784), measured in
a fresh subprocess per case: the peak RSS during ``fit`` minus the RSS just before it
(after imports, data creation and a tiny warm-up fit), relative to the size of the
data as float32. The peak is the kernel's VmHWM, reset right before ``fit``; plain
``ru_maxrss`` would be wrong here because Linux carries the parent's peak over into
a child through fork + exec.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_transform.py [--quick]
"""

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import (
    check_environment,
    load_average,
    machine_header,
    markdown_table,
    median,
    write_result,
)
from bench_training_speed import make_module

N_FEATURES = 784
HIDDEN = 256
CODE = 64
# The method every other one is compared with.
REFERENCE = "bare: encoder under inference_mode, batches of 8192 (reference)"
BATCH_ROWS = 8192


def make_data(n_samples, dtype=np.float32, seed=0, rank=32, chunk=1024):
    """Low-rank + noise data through a sigmoid, built chunk by chunk so that the peak
    memory of creating it is the array itself (this matters for the RSS baseline)."""
    rng = np.random.default_rng(seed)
    right = rng.standard_normal((rank, N_FEATURES), dtype=np.float32) / np.sqrt(rank)
    X = np.empty((n_samples, N_FEATURES), dtype=dtype)
    for start in range(0, n_samples, chunk):
        stop = min(start + chunk, n_samples)
        block = rng.standard_normal((stop - start, rank), dtype=np.float32) @ right
        block += 0.1 * rng.standard_normal(block.shape, dtype=np.float32)
        X[start:stop] = 1 / (1 + np.exp(-block))
    return X


def fitted_skae(X, init, epochs=1, fit_rows=10_000):
    from skae import AutoencoderTransformer

    ae = AutoencoderTransformer(
        encoding_dim=CODE,
        hidden_dims=(HIDDEN,),
        init=init,
        batch_size=256,
        max_epochs=epochs,
        device="cpu",
        random_state=0,
    )
    return ae.fit(X[:fit_rows])


# ------------------------------------------------------------------ throughput methods


def bare_batches(encoder, X):
    import torch

    encoder.eval()
    tensor = torch.from_numpy(X)
    with torch.inference_mode():
        out = torch.cat(
            [encoder(tensor[i : i + BATCH_ROWS]) for i in range(0, tensor.shape[0], BATCH_ROWS)]
        )
    return out.numpy()


def bare_one_call(encoder, X):
    import torch

    encoder.eval()
    with torch.inference_mode():
        return encoder(torch.from_numpy(X)).numpy()


def skorch_predictor(encoder, batch_size):
    import torch
    from skorch import NeuralNet

    return NeuralNet(
        module=encoder,
        criterion=torch.nn.MSELoss,
        batch_size=batch_size,
        device="cpu",
    ).initialize()


def first_touch_cost(nbytes):
    """Seconds to write a freshly allocated buffer, then to write it again.

    On a VM the first write to memory the guest has not used recently can be far
    slower than the second (the host has to back the pages); any code path that
    allocates a data-sized temporary pays this, which matters for the float64 rows.
    """
    buf = np.empty(nbytes // 4, dtype=np.float32)
    t0 = time.perf_counter()
    buf.fill(1.0)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    buf.fill(2.0)
    second = time.perf_counter() - t0
    return first, second


def throughput(args):
    import torch

    n = args.n_samples or (4_096 if args.quick else 60_000)
    repeats = args.repeats or (2 if args.quick else 4)
    X = make_data(n)
    touch_first, touch_again = first_touch_cost(X.nbytes)
    X64 = X.astype(np.float64)
    fit_rows = min(n, 2_000 if args.quick else 10_000)
    models = {init: fitted_skae(X, init, fit_rows=fit_rows) for init in ("random", "pca")}

    methods = {}
    for init, ae in models.items():
        encoder = ae.net_.module_.encoder
        net_big = skorch_predictor(encoder, BATCH_ROWS)
        net_default = skorch_predictor(encoder, 128)
        methods[init] = {
            REFERENCE: lambda X, enc=encoder: bare_batches(enc, X),
            "bare: encoder, all rows in one call": lambda X, enc=encoder: bare_one_call(enc, X),
            "skae: transform(X), float32 X": lambda X, ae=ae: ae.transform(X),
            "skae: transform(X), float64 X (float64 codes)": None,  # uses X64 below
            "skorch: NeuralNet(module=encoder).predict(X), batch 8192": lambda X, net=net_big: (
                net.predict(X)
            ),
        }
        if init == "random":
            methods[init]["skorch: NeuralNet(module=encoder).predict(X), batch 128 (default)"] = (
                lambda X, net=net_default: net.predict(X)
            )
        methods[init]["skae: transform(X), float64 X (float64 codes)"] = lambda X, ae=ae: (
            ae.transform(X64)
        )

    # Correctness check: every path gives the same codes.
    for table in methods.values():
        ref = next(iter(table.values()))(X)
        for name, fn in table.items():
            out = fn(X)
            assert out.shape == (n, CODE), (name, out.shape)
            np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4, err_msg=name)

    times = {(init, name): [] for init, table in methods.items() for name in table}
    keys = list(times)
    for r in range(repeats):
        shift = r % len(keys)
        for key in keys[shift:] + keys[:shift]:
            fn = methods[key[0]][key[1]]
            wall, cpu = time.perf_counter(), time.process_time()
            fn(X)
            times[key].append((time.perf_counter() - wall, time.process_time() - cpu))

    rows = []
    for init in methods:
        ref_key = (init, REFERENCE)
        for name in methods[init]:
            key = (init, name)
            wall = median([w for w, _ in times[key]])
            cpu = median([c for _, c in times[key]])
            pairs = list(zip(times[ref_key], times[key], strict=True))
            wall_ratio = median([r[0] / t[0] for r, t in pairs])
            cpu_ratio = median([r[1] / t[1] for r, t in pairs])
            rows.append(
                [
                    f'init="{init}"',
                    name,
                    f"{n / wall:,.0f}",
                    f"{1e3 * wall:.0f}",
                    f"{wall_ratio:.2f}",
                    f"{n / cpu:,.0f}",
                    f"{cpu_ratio:.2f}",
                ]
            )
    table = markdown_table(
        [
            "model",
            "method",
            "rows/s (wall)",
            "ms per call",
            "vs bare, wall",
            "rows per CPU-s",
            "vs bare, CPU",
        ],
        rows,
        align="llrrrrr",
    )
    info = [
        f"transform input: {n:,} x {N_FEATURES} float32 ({X.nbytes / 2**20:.0f} MiB); "
        f'encoder {N_FEATURES}-{HIDDEN}-{CODE} (init="pca" adds a {N_FEATURES}-{CODE} '
        "linear path)",
        f"{repeats} repeats per method, interleaved; torch threads {torch.get_num_threads()}; "
        "ratios are medians of per-repeat ratios (> 1 = faster than bare)",
        f"writing a fresh {X.nbytes / 2**20:.0f} MiB buffer: first touch "
        f"{touch_first:.3f} s, second touch {touch_again:.3f} s (cost of page faults "
        "on fresh memory on this machine)",
    ]
    return info, table


# ----------------------------------------------------------------------- peak memory


def current_rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def maxrss_bytes():
    """Peak RSS. ``ru_maxrss`` is the process's lifetime peak and on Linux it even
    carries over the parent's peak through fork + exec, so prefer VmHWM, the peak of
    this address space, which ``reset_peak_rss`` can reset."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_case(case, n_samples, epochs):
    """Runs in a subprocess: build data, fit, print peak-memory figures as JSON."""
    import torch
    from skorch import NeuralNetRegressor
    from torch import nn

    import skae  # noqa: F401  (import before the baseline)

    dtype = np.float64 if case.endswith("float64") else np.float32
    X = make_data(n_samples, dtype=dtype)
    data32 = n_samples * N_FEATURES * 4
    # Warm up torch's allocator and kernels on a tiny problem so that one-off library
    # initialisation is not counted as training memory.
    fitted_skae(make_data(300), "random", fit_rows=300)
    gc.collect()
    reset = reset_peak_rss()
    rss_before = current_rss_bytes()
    peak_before = maxrss_bytes()

    t0 = time.perf_counter()
    if case.startswith("skae"):
        init = "pca" if "pca" in case else "random"
        fitted_skae(X, init, epochs=epochs, fit_rows=len(X))  # X[:len(X)] is a view
    elif case == "plain-loop":
        model = make_module()  # the same layers as skae's (N_FEATURES, HIDDEN, CODE)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        tensor = torch.from_numpy(X)
        for _ in range(epochs):
            shuffled = tensor[torch.randperm(n_samples)]
            for start in range(0, n_samples, 256):
                xb = shuffled[start : start + 256]
                loss = nn.functional.mse_loss(model(xb), xb)
                opt.zero_grad()
                loss.backward()
                opt.step()
    elif case == "skorch-default":
        NeuralNetRegressor(
            make_module,
            max_epochs=epochs,
            batch_size=256,
            lr=1e-3,
            optimizer=torch.optim.Adam,
            train_split=None,
            iterator_train__shuffle=True,
            device="cpu",
        ).fit(X, X)
    else:
        raise ValueError(case)
    seconds = time.perf_counter() - t0
    peak_after = maxrss_bytes()
    print(
        json.dumps(
            {
                "case": case,
                "data32": data32,
                "input_bytes": X.nbytes,
                "rss_before": rss_before,
                "peak_before": peak_before,
                "peak_after": peak_after,
                "seconds": seconds,
                "peak_reset": reset,
                "ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


MEMORY_CASES = {
    "skae-random-float32": 'skae AutoencoderTransformer(init="random").fit(X float32)',
    "skae-pca-float32": 'skae AutoencoderTransformer(init="pca").fit(X float32)',
    "skae-random-float64": 'skae AutoencoderTransformer(init="random").fit(X float64)',
    "plain-loop": "plain torch loop (X[randperm] copy per epoch)",
    "skorch-default": "skorch NeuralNetRegressor.fit(X, X), default DataLoader",
}


def memory(args):
    n = args.n_samples or (4_096 if args.quick else 60_000)
    epochs = 1 if args.quick else 2
    cases = list(MEMORY_CASES) if not args.quick else ["skae-random-float32"]
    rows = []
    for case in cases:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--memory-case",
                case,
                "--n-samples",
                str(n),
                "--epochs",
                str(epochs),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            rows.append([MEMORY_CASES[case], "failed", "", "", "", ""])
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        mib = 2**20
        extra = max(0, res["peak_after"] - res["rss_before"])
        # ru_maxrss is a lifetime peak: if something before fit had peaked higher
        # than the fit did, the fit's own peak is hidden.
        hidden = res["peak_after"] <= res["peak_before"] and not res["peak_reset"]
        rows.append(
            [
                MEMORY_CASES[case],
                f"{res['input_bytes'] / mib:.0f}",
                f"{res['rss_before'] / mib:.0f}",
                f"{res['peak_after'] / mib:.0f}",
                f"{extra / mib:.0f}",
                f"{extra / res['data32']:.2f}" + (" (upper bound: peak hidden)" if hidden else ""),
            ]
        )
        print(f"  memory {case}: +{extra / mib:.0f} MiB ({res['seconds']:.1f} s)", flush=True)
    table = markdown_table(
        [
            "fit",
            "input MiB",
            "RSS before fit MiB",
            "peak RSS MiB",
            "peak - before MiB",
            "(peak - before) / data as float32",
        ],
        rows,
        align="lrrrrr",
    )
    info = (
        f"{n:,} x {N_FEATURES}, {epochs} epoch(s); data as float32 = "
        f"{n * N_FEATURES * 4 / 2**20:.0f} MiB; one fresh process per row"
    )
    return info, table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (a few seconds)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--n-samples", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=2, help=argparse.SUPPRESS)
    parser.add_argument("--memory-case", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if args.memory_case:
        memory_case(args.memory_case, args.n_samples, args.epochs)
        return
    check_environment()
    load_before = load_average()
    info, table = throughput(args)
    text = ""
    if not args.skip_memory:
        mem_info, mem_table = memory(args)
    header = machine_header(
        "Transform throughput and training memory",
        extra=info + [f"load average (1 min) at start: {load_before}, at end: {load_average()}"],
    )
    text = header + "\n### Transform throughput\n\n" + table
    text += (
        "\nvs bare > 1 means faster than the bare encoder loop (float32 in, float32 "
        "out). The goal is skae >= 0.90 (float32 input).\n"
        "float64 X: skae validates float64, converts all of X to one float32 copy "
        "(1x data, freshly allocated each call), encodes, and returns float64; the "
        "bare reference is still fed float32, so this row includes the conversion.\n"
        "skorch rows: skorch's Dataset indexes and collates rows one by one and "
        "runs under `no_grad` rather than `inference_mode`.\n"
    )
    if not args.skip_memory:
        text += f"\n### Peak memory during fit\n\n- {mem_info}\n\n" + mem_table
        text += (
            "\nRSS before fit includes the interpreter, torch and the input array "
            "(and a warm-up fit on 300 rows, so that one-off library buffers are not "
            "counted). Peak RSS is the kernel's high-water mark VmHWM, reset just "
            "before fit (`/proc/self/clear_refs`); `ru_maxrss` is not used because on "
            "Linux it inherits the parent's peak through fork + exec.\n"
        )
    write_result("bench_transform", text, quick=args.quick)


if __name__ == "__main__":
    main()
