"""Convolutional against MLP autoencoders on images: held-out reconstruction error
and fit time at the same code size (``image_shape``, issue #22).

Data (offline; MNIST itself when ``fetch_openml("mnist_784")`` finds it in the
scikit-learn cache or online, with ``--mnist``):

* **digits 8x8**: scikit-learn's 1,797 digits, pixels / 16, a stratified 75/25
  split drawn anew for each seed.
* **digits 28x28**: the same split, each digit scaled to 20x20 (linear
  interpolation) and placed in a 28x28 frame at a random offset of up to 2 pixels
  from the centre, as MNIST centres its digits; 4,000 training images drawn from
  the training digits, 1,000 held-out images from the held-out digits.

Models, all ``AutoencoderTransformer`` with the same code size, epochs and
defaults otherwise (``init="pca"``, batch 128, Adam at 1e-3):

* MLP: ``hidden_dims=(128,)`` (the default), and ``(512,)``, which has about as
  many weights as the convolutional model on 28x28;
* conv: ``image_shape`` with the default ``conv_channels=(32, 64)``,
  ``hidden_dims=(128,)`` and ``activation="auto"`` (GELU for convolutional nets);
  also with a dense layer of 256, with ``init="random"`` (does the PCA start help
  the convolutional model?), and with ``activation="relu"`` (the MLPs' activation).

Held-out MSE is the mean squared error of ``inverse_transform(transform(X))``
per pixel, in [0, 1] pixel units. Cells are the mean and [min, max] over seeds.

A last table times training steps of the convolutional net alone (plain torch, on
28x28, 2 threads): stride-2 convolutions against stride-1 convolutions with
max-pooling and upsampling, channels-last memory (skae's layout) against NCHW, batches of 64 to
256; medians of 5 rounds that alternate between the variants.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_images.py [--seeds 2] [--quick]
      [--mnist]
"""

import argparse
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
import torch
from _common import check_environment, load_average, machine_header, markdown_table, write_result
from scipy.ndimage import zoom
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from skae import AutoencoderTransformer
from skae._modules import conv_decoder, conv_encoder

N_TRAIN_28, N_TEST_28 = 4000, 1000
FIT_LIMIT_S = 600  # the goal: 4,000 28x28 images within 10 minutes


def split(seed):
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=seed)


def framed(X, n_images, rng):
    """``n_images`` digits of ``X`` (8x8 rows) drawn at random, scaled to 20x20 and
    placed in a 28x28 frame up to 2 pixels off centre."""
    rows = rng.integers(len(X), size=n_images)
    images = np.clip(zoom(X[rows].reshape(-1, 8, 8), (1, 2.5, 2.5), order=1), 0, 1)
    frames = np.zeros((n_images, 28, 28))
    offsets = rng.integers(2, 7, size=(n_images, 2))
    for frame, image, (top, left) in zip(frames, images, offsets, strict=True):
        frame[top : top + 20, left : left + 20] = image
    return frames.reshape(n_images, 784)


def load_mnist():
    """4,000 + 1,000 MNIST digits in [0, 1], or None when they cannot be fetched."""
    from sklearn.datasets import fetch_openml

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X, _ = fetch_openml(
                "mnist_784", as_frame=False, parser="auto", n_retries=1, return_X_y=True
            )
    except Exception as exc:  # offline, OpenML unavailable
        print(f"MNIST could not be fetched ({type(exc).__name__}); using upsampled digits")
        return None
    rows = np.random.default_rng(0).permutation(len(X))[: N_TRAIN_28 + N_TEST_28]
    X = X[rows] / 255.0
    return X[:N_TRAIN_28], X[N_TRAIN_28:]


def datasets(seed, mnist):
    X_train, X_test, _, _ = split(seed)
    yield "digits 8x8", (1, 8, 8), X_train, X_test
    if mnist is not None:
        yield "MNIST 28x28", (1, 28, 28), *mnist
        return
    rng = np.random.default_rng(seed)
    train28, test28 = framed(X_train, N_TRAIN_28, rng), framed(X_test, N_TEST_28, rng)
    yield "digits 28x28", (1, 28, 28), train28, test28


def models(shape):
    conv = dict(image_shape=shape)
    return {
        "MLP (128,)": {},
        "MLP (512,)": dict(hidden_dims=(512,)),
        "conv (32, 64) + (128,)": conv,
        "conv (32, 64) + (256,)": dict(conv, hidden_dims=(256,)),
        "conv, init='random'": dict(conv, init="random"),
        "conv, activation='relu'": dict(conv, activation="relu"),
    }


def spread(values, fmt):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{values.mean():{fmt}} [{values.min():{fmt}}, {values.max():{fmt}}]"


def part_quality(seeds, codes, epochs, mnist):
    results, weights = {}, {}
    for seed in seeds:
        for data, shape, X_train, X_test in datasets(seed, mnist):
            for name, params in models(shape).items():
                ae = AutoencoderTransformer(
                    codes[data != "digits 8x8"],
                    max_epochs=epochs[data != "digits 8x8"],
                    random_state=seed,
                    verbose=0,
                    **params,
                )
                start = time.perf_counter()
                ae.fit(X_train)
                seconds = time.perf_counter() - start
                mse = float(np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2))
                results.setdefault((data, name), []).append((mse, seconds))
                weights[data, name] = sum(p.numel() for p in ae.net_.module_.parameters())
                print(f"  seed {seed} {data} {name}: mse {mse:.5f} {seconds:.1f}s", flush=True)
    rows, verdicts = [], []
    for (data, name), values in results.items():
        mse, seconds = (np.array(v) for v in zip(*values, strict=True))
        baseline = np.array([m for m, _ in results[data, "MLP (128,)"]])
        change = 100 * (mse.mean() / baseline.mean() - 1)
        rows.append(
            [
                data,
                name,
                f"{weights[data, name] / 1000:.0f}k",
                spread(mse, ".5f"),
                f"{change:+.1f}%",
                spread(seconds, ".1f"),
            ]
        )
    for data in dict.fromkeys(data for data, _ in results):
        mean = {name: np.mean([m for m, _ in results[d, name]]) for d, name in results if d == data}
        conv = mean["conv (32, 64) + (128,)"]
        for mlp in ("MLP (128,)", "MLP (512,)"):
            gain = 100 * (1 - conv / mean[mlp])
            verdicts.append(
                f"- {data}: the convolutional model's held-out MSE is {abs(gain):.1f}% "
                f"{'lower' if gain >= 0 else 'higher'} than that of {mlp} (goal: at least "
                f"10% lower): {'met' if gain >= 10 else 'NOT met'}."
            )
        if data != "digits 8x8":
            slowest = max(s for _, s in results[data, "conv (32, 64) + (128,)"])
            verdicts.append(
                f"- {data}: the slowest convolutional fit on {N_TRAIN_28:,} images took "
                f"{slowest:.0f} s (goal: within {FIT_LIMIT_S} s on 2 cores): "
                f"{'met' if slowest <= FIT_LIMIT_S else 'NOT met'}."
            )
    headers = ["data", "model", "weights", "held-out MSE", "vs MLP (128,)", "fit s"]
    return markdown_table(headers, rows, align="llrrrr"), "\n".join(verdicts)


def pooled_net(shape, code):
    """The same widths with stride-1 convolutions and 2x2 max-pooling, decoded by
    nearest upsampling and stride-1 convolutions."""
    c, h, w = shape
    return nn.Sequential(
        nn.Unflatten(1, shape),
        nn.Conv2d(c, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64 * (h // 4) * (w // 4), 128),
        nn.ReLU(),
        nn.Linear(128, code),
        nn.Linear(code, 128),
        nn.ReLU(),
        nn.Linear(128, 64 * (h // 4) * (w // 4)),
        nn.ReLU(),
        nn.Unflatten(1, (64, h // 4, w // 4)),
        nn.Upsample(scale_factor=2),
        nn.Conv2d(64, 32, 3, padding=1),
        nn.ReLU(),
        nn.Upsample(scale_factor=2),
        nn.Conv2d(32, c, 3, padding=1),
        nn.Flatten(),
    )


def stepper(net, batch, channels_last):
    """One training step of ``net`` on a fixed batch of ``batch`` 28x28 images."""
    torch.manual_seed(0)
    # skae's modules come channels-last; the other variant is put back to torch's
    # default layout.
    layout = torch.channels_last if channels_last else torch.contiguous_format
    net = net.to(memory_format=layout)
    optimizer = torch.optim.Adam(net.parameters(), fused=True)
    X = torch.rand(batch, 784)

    def step():
        loss = (net(X) - X).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):  # warm-up
        step()
    return step


def part_steps(steps, rounds):
    """Milliseconds per step, the median of ``rounds`` rounds of ``steps`` steps that
    alternate between the variants, so that a neighbour's load hits them alike."""
    shape, code = (1, 28, 28), 16
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    variants = {
        "stride-2, NCHW": (lambda: strided_net(shape, code), False),
        "stride-2, channels-last": (lambda: strided_net(shape, code), True),
        "max-pool + upsample": (lambda: pooled_net(shape, code), False),
    }
    rows = []
    try:
        for batch in (64, 128, 256):
            steppers = {name: stepper(make(), batch, cl) for name, (make, cl) in variants.items()}
            times = {name: [] for name in variants}
            for _ in range(rounds):
                for name, step in steppers.items():
                    start = time.perf_counter()
                    for _ in range(steps):
                        step()
                    times[name].append(1000 * (time.perf_counter() - start) / steps)
            ms = [float(np.median(times[name])) for name in variants]
            rows.append([batch, *(f"{t:.1f}" for t in ms), f"{ms[1] * 1000 / batch:.0f}"])
            print(f"  steps batch {batch}: {ms}", flush=True)
    finally:
        torch.set_num_threads(previous)
    headers = ["batch", *(f"{name} (ms/step)" for name in variants), "channels-last, us/image"]
    return markdown_table(headers, rows)


def strided_net(shape, code):
    """The convolutional autoencoder of ``image_shape`` (default widths), as one net."""
    return nn.Sequential(
        conv_encoder(shape, (32, 64), (128,), code), conv_decoder(code, (32, 64), (128,), shape)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1 seed, short fits")
    parser.add_argument("--mnist", action="store_true", help="fetch MNIST for 28x28")
    args = parser.parse_args()
    check_environment()
    warnings.filterwarnings("ignore", category=UserWarning)
    seeds = [0] if args.quick else list(range(args.seeds))
    codes = (8, 16)  # 8x8, 28x28
    epochs = (10, 3) if args.quick else (100, 30)
    mnist = load_mnist() if args.mnist else None
    load = load_average()
    quality, verdicts = part_quality(seeds, codes, epochs, mnist)
    steps = part_steps(*((2, 2) if args.quick else (5, 5)))
    text = "\n".join(
        [
            machine_header(
                "Convolutional against MLP autoencoders on images",
                [
                    f"seeds: {seeds}",
                    f"code size: {codes[0]} (8x8), {codes[1]} (28x28); epochs: "
                    f"{epochs[0]} (8x8), {epochs[1]} (28x28)",
                    f"load average at start: {load}",
                ],
            ),
            "### Held-out reconstruction and fit time",
            "",
            quality,
            verdicts,
            "",
            "### Training step of the convolutional net on 28x28 (plain torch, 2 threads)",
            "",
            steps,
        ]
    )
    write_result("bench_images", text, quick=args.quick)


if __name__ == "__main__":
    main()
