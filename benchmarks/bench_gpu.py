"""Training throughput on one GPU: AutoencoderTransformer vs a hand-written torch
loop on the same GPU, and vs the card's measured bf16 matrix-multiply rate.

Two networks on 60,000 x 784 float32 rows: the 784-256-64-256-784 autoencoder
(batch 256) and a larger 784-4096-2048-256-2048-4096-784 one (batch 4096), each in
float32 and bf16 (``precision="bf16"``; the loop uses the same autocast). Rows per
second are medians over epochs after the first; "of peak" divides the model's
training FLOPs (6 x multiply-adds per row: forward, and backward twice) by the bf16
rate of an 8192 x 8192 matmul measured in the same run.

    python benchmarks/bench_gpu.py               # needs a CUDA GPU
    python benchmarks/bench_gpu.py --device cpu --quick   # smoke test without one
"""

import argparse
import statistics
import time

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
import torch
from _common import machine_header, markdown_table, write_result
from torch import nn

from skae import AutoencoderTransformer

N_ROWS, N_FEATURES = 60_000, 784
NETWORKS = {"784-256-64": ((256,), 64, 256), "784-4096-2048-256": ((4096, 2048), 256, 4096)}
DTYPES = {"32": None, "bf16": torch.bfloat16}


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_rate(device, n=8192, repeats=20):
    """Multiply-add FLOP/s of an n x n bf16 matmul (float32 on a CPU)."""
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    synchronize(device)
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    synchronize(device)
    return 2 * n**3 * repeats / (time.perf_counter() - start)


def layer_widths(hidden, code):
    return [N_FEATURES, *hidden, code, *reversed(hidden), N_FEATURES]


def make_module(hidden, code):
    widths = layer_widths(hidden, code)
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        # As skae's MLP: activation after hidden layers, none at the code or output.
        if i != len(hidden) and i != len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def training_flops_per_row(hidden, code):
    widths = layer_widths(hidden, code)
    return 6 * sum(a * b for a, b in zip(widths[:-1], widths[1:], strict=True))


def loop_epochs(X, hidden, code, batch, precision, epochs):
    """Seconds per epoch of a hand-written loop: data on the device, shuffled slices."""
    device = X.device
    torch.manual_seed(0)
    model = make_module(hidden, code).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    dtype = DTYPES[precision]
    times = []
    for _ in range(epochs):
        synchronize(device)
        start = time.perf_counter()
        shuffled = X[torch.randperm(X.shape[0], device=device)]
        for i in range(0, X.shape[0], batch):
            xb = shuffled[i : i + batch]
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                loss = nn.functional.mse_loss(model(xb), xb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return times


def skae_epochs(X, hidden, code, batch, precision, epochs, device):
    ae = AutoencoderTransformer(
        encoding_dim=code,
        hidden_dims=hidden,
        init="random",
        batch_size=batch,
        max_epochs=epochs,
        precision=precision,
        device=str(device),
        random_state=0,
    ).fit(X)
    return [float(d) for d in ae.net_.history[:, "dur"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="fewer rows and epochs")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("No CUDA GPU: run with --device cpu --quick for a smoke test.")
    n_rows, epochs = (1_000, 2) if args.quick else (N_ROWS, 6)
    X_np = np.random.default_rng(0).random((n_rows, N_FEATURES), dtype=np.float32)
    X = torch.from_numpy(X_np).to(device)
    peak = matmul_rate(device, n=2048 if args.quick else 8192)
    rows = []
    # Without a GPU (a smoke test) the large network in bf16 would take minutes.
    networks = dict(list(NETWORKS.items())[:1]) if args.quick else NETWORKS
    for name, (hidden, code, batch) in networks.items():
        flops = training_flops_per_row(hidden, code)
        for precision in DTYPES:
            loop = statistics.median(loop_epochs(X, hidden, code, batch, precision, epochs)[1:])
            skae = statistics.median(
                skae_epochs(X_np, hidden, code, batch, precision, epochs, device)[1:]
            )
            print(f"{name} {precision}: loop {loop:.3f} s/epoch, skae {skae:.3f}", flush=True)
            for method, seconds in (("hand-written loop", loop), ("skae", skae)):
                rate = n_rows / seconds
                rows.append(
                    [
                        name,
                        batch,
                        precision,
                        method,
                        f"{rate:,.0f}",
                        f"{loop / seconds:.2f}",
                        f"{rate * flops / peak:.1%}",
                    ]
                )
    card = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    text = machine_header(
        f"Training throughput on {card}",
        [
            f"{n_rows:,} x {N_FEATURES} rows, {epochs} epochs (medians after the first)",
            f"matmul rate ({'bf16' if device.type == 'cuda' else 'float32'}): "
            f"{peak / 1e12:.1f} TFLOP/s",
        ],
    )
    table = markdown_table(
        ["network", "batch", "precision", "method", "rows/s", "vs loop", "of peak"], rows
    )
    write_result("bench_gpu", text + "\n" + table, quick=args.quick or device.type != "cuda")


if __name__ == "__main__":
    main()
