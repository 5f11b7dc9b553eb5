"""VariationalAutoencoder on digits: its codes against PCA and AutoencoderTransformer,
its samples against GANSampler and a GaussianMixture per class.

Data: the 1,797 8x8 digits, pixels scaled to [0, 1] (/16), a stratified 75/25 split
drawn anew for each seed.

(a) Codes, at the same code size (``--dims``, default 2 and 8): PCA,
    ``AutoencoderTransformer`` and ``VariationalAutoencoder`` (posterior means), all
    with their defaults. Metrics: held-out reconstruction MSE
    (``inverse_transform(transform(X_test))``), the test accuracy of a
    StandardScaler + LogisticRegression trained on the training rows' codes, and
    fit time.

(b) Samples: each sampler draws as many rows as there are training rows, with the
    training labels. Metrics: C2ST AUC (``skae.metrics.c2st_auc``,
    HistGradientBoosting, 5 folds) between the samples and the held-out real rows
    (0.5: indistinguishable); label agreement, the share of samples that a
    5-nearest-neighbour classifier trained on the real training rows assigns to
    the requested class (chance 0.1); fit time. Real pixels are multiples of 1/16,
    and a C2ST classifier tells values between them apart, so every sampler's
    rows are brought onto that grid:

    * conditional ``VariationalAutoencoder`` with 8 codes (else its defaults),
      without and with ``match_marginals``, fitted on the scaled pixels; its
      samples rounded to the grid (as drawn, they scored the same);
    * conditional ``GANSampler`` (defaults) fitted on the integer pixels, as
      ``load_digits`` gives them (it returns integer columns as integers, and
      spreads their ties for its quantile map, which scaled pixels would not
      get); its samples divided by 16;
    * a ``GaussianMixture`` per class (min(10, n_class // 10) components, full
      covariances) on the scaled pixels, its samples rounded to the grid and
      clipped to [0, 1];
    * a bootstrap of the real training rows: the floor, what real rows score.

Table cells are the mean and [min, max] over seeds.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_vae.py [--seeds 3] [--dims 2,8]
      [--quick]
"""

import argparse
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import check_environment, load_average, machine_header, markdown_table, write_result
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderTransformer, GANSampler, VariationalAutoencoder
from skae.metrics import c2st_auc

LEVELS = 16  # digits' pixels are integers 0..16
# Codes of the VAEs that sample: more than the default 2 (0.98 against 0.998 C2ST
# AUC on digits, with matching 0.68 against 0.80).
SAMPLER_CODES = 8


def split(seed):
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def timed(fit, *args):
    """``(fit(*args), seconds)``."""
    start = time.perf_counter()
    result = fit(*args)
    return result, time.perf_counter() - start


def spread(values, fmt):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{values.mean():{fmt}} [{values.min():{fmt}}, {values.max():{fmt}}]"


def part_codes(seeds, dims, quick):
    epochs = {"max_epochs": 20} if quick else {}
    makers = {
        "PCA": lambda d, seed: PCA(d, random_state=seed),
        "AutoencoderTransformer": lambda d, seed: AutoencoderTransformer(
            d, random_state=seed, verbose=0, **epochs
        ),
        "VariationalAutoencoder": lambda d, seed: VariationalAutoencoder(
            d, random_state=seed, verbose=0, **epochs
        ),
    }
    results = {}
    for seed in seeds:
        X_train, X_test, y_train, y_test = split(seed)
        X_train, X_test = X_train / LEVELS, X_test / LEVELS
        for d in dims:
            for name, make in makers.items():
                model, seconds = timed(make(d, seed).fit, X_train)
                codes_train, codes_test = model.transform(X_train), model.transform(X_test)
                mse = np.mean((model.inverse_transform(codes_test) - X_test) ** 2)
                clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
                accuracy = clf.fit(codes_train, y_train).score(codes_test, y_test)
                results.setdefault((d, name), []).append((mse, accuracy, seconds))
                print(
                    f"  codes seed {seed} dim {d} {name}: mse {mse:.4f} acc {accuracy:.3f} "
                    f"{seconds:.1f}s",
                    flush=True,
                )
    rows = []
    for (d, name), values in results.items():
        mse, accuracy, seconds = zip(*values, strict=True)
        rows.append([d, name, spread(mse, ".4f"), spread(accuracy, ".3f"), spread(seconds, ".1f")])
    headers = ["code size", "model", "held-out MSE", "LogisticRegression acc", "fit s"]
    return markdown_table(headers, rows, align="rlrrr")


def gmm_per_class(X, y, seed):
    parts = []
    for label in np.unique(y):
        rows = X[y == label]
        mixture = GaussianMixture(min(10, len(rows) // 10), random_state=seed).fit(rows)
        parts.append(mixture.sample(len(rows))[0])
    labels = np.repeat(np.unique(y), [np.sum(y == c) for c in np.unique(y)])
    return np.vstack(parts), labels


def to_grid(X):
    return np.clip(np.round(X * LEVELS), 0, LEVELS) / LEVELS


def part_samples(seeds, quick):
    results = {}
    for seed in seeds:
        X_train, X_test, y_train, y_test = split(seed)
        scaled_train, scaled_test = X_train / LEVELS, X_test / LEVELS
        judge = KNeighborsClassifier(5).fit(scaled_train, y_train)
        n = len(X_train)
        boot = np.random.RandomState(seed).randint(n, size=n)
        samples = {"bootstrap of real rows (floor)": (scaled_train[boot], y_train[boot], 0.0)}

        vae_args = {"max_epochs": 20} if quick else {}
        for match in (False, True):
            vae = VariationalAutoencoder(
                SAMPLER_CODES, match_marginals=match, random_state=seed, verbose=0, **vae_args
            )
            vae, seconds = timed(vae.fit, scaled_train, y_train)
            X_vae, y_vae = vae.sample(y=y_train)
            name = f"VariationalAutoencoder({SAMPLER_CODES}{', match_marginals' if match else ''})"
            samples[name] = (to_grid(X_vae), y_vae, seconds)

        gan_args = {"max_steps": 100} if quick else {}
        gan = GANSampler(random_state=seed, verbose=0, **gan_args)
        gan, seconds = timed(gan.fit, X_train, y_train)
        X_gan, y_gan = gan.sample(y=y_train)
        samples["GANSampler"] = (X_gan / LEVELS, y_gan, seconds)

        (X_gmm, y_gmm), seconds = timed(gmm_per_class, scaled_train, y_train, seed)
        samples["GaussianMixture per class"] = (to_grid(X_gmm), y_gmm, seconds)

        for name, (X_syn, y_syn, seconds) in samples.items():
            auc = c2st_auc(scaled_test, X_syn, random_state=seed)
            agreement = float(np.mean(judge.predict(X_syn) == y_syn))
            results.setdefault(name, []).append((auc, agreement, seconds))
            print(
                f"  samples seed {seed} {name}: C2ST {auc:.3f} agreement {agreement:.3f} "
                f"{seconds:.1f}s",
                flush=True,
            )
    rows = []
    for name, values in results.items():
        auc, agreement, seconds = zip(*values, strict=True)
        rows.append([name, spread(auc, ".3f"), spread(agreement, ".3f"), spread(seconds, ".1f")])
    headers = ["sampler", "C2ST AUC (0.5 best)", "label agreement", "fit s"]
    return markdown_table(headers, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--dims", default="2,8")
    parser.add_argument("--quick", action="store_true", help="1 seed, short fits")
    args = parser.parse_args()
    check_environment()
    warnings.filterwarnings("ignore", category=UserWarning)
    seeds = [0] if args.quick else list(range(args.seeds))
    dims = [int(d) for d in args.dims.split(",")]
    load = load_average()
    codes = part_codes(seeds, dims, args.quick)
    samples = part_samples(seeds, args.quick)
    text = "\n".join(
        [
            machine_header(
                "VariationalAutoencoder on digits",
                [f"seeds: {seeds}", f"load average at start: {load}"]
                + (["--quick: 1 seed, 20 epochs, 100 GAN steps"] if args.quick else []),
            ),
            "### Codes (held-out 25%)",
            "",
            codes,
            "### Samples (as many as the training rows, with their labels)",
            "",
            samples,
            "C2ST AUC: HistGradientBoosting telling held-out real digits from the samples "
            "(0.5: it cannot). Label agreement: 5-NN trained on real digits gives the "
            "requested class (chance 0.1). Mean [min, max] over seeds.",
        ]
    )
    write_result("bench_vae", text, quick=args.quick)


if __name__ == "__main__":
    main()
