"""Sample quality of GANSampler: mode collapse on Gaussian mixtures, and real tables.

(a) Mode collapse, as in the PacGAN paper: 2D ring (8 Gaussians on the unit circle,
    std 0.01) and 2D grid (25 Gaussians at {-4,-2,0,2,4}^2, std 0.05), 100,000
    training points, 2,500 samples scored by ``skae.metrics.mode_coverage``: modes
    captured, share of high-quality samples (within 3 std of a mode) and reverse KL
    of the mode histogram from uniform. ``GaussianMixture(n_components=8 or 25)``
    is the classical baseline.

(b) Real tables: make_moons(2000, noise=0.1), breast_cancer, digits; 70/30
    stratified split (random_state=0). Each sampler is fitted on the training part
    and draws as many rows as there are training rows, with the training labels
    (``sample(y=y_train)``). Metrics:

    * C2ST AUC: ``skae.metrics.c2st_auc`` (HistGradientBoosting, 5 folds) between
      the real held-out rows and the synthetic rows; 0.5 is indistinguishable.
    * TSTR: ``skae.metrics.tstr_score`` with StandardScaler + LogisticRegression
      trained on the synthetic rows, accuracy on the real held-out rows.
    * label agreement: share of synthetic rows that a HistGradientBoosting
      classifier trained on the real training rows assigns to the requested label
      (chance is 1 / n_classes; the classifier's real test accuracy is the ceiling
      in the header).

    Each sampler is scored on ``--draws`` independent draws per seed (default 3; a
    second draw from the same fitted GANSampler moves digits' C2ST by up to 0.03),
    and table cells show the mean and [min, max] over all seeds and draws.

    Rows: bootstrap of the real training rows (the floor: what real data scores),
    a GaussianMixture per class on quantile-normal features
    (min(10, n_class // 10) components), SMOTE (when imbalanced-learn is installed)
    and GANSampler.

Every GANSampler configuration in ``CONFIGS`` (select with ``--configs``) is run;
``--max-steps`` overrides ``max_steps`` of those that do not set their own (say so
when quoting).
Mixture rows show mean and [min, max] over seeds.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_gan.py [--quick]
      [--configs default,wgan5] [--max-steps N] [--seeds 3] [--draws 3]
      [--part mix,tables]
"""

import argparse
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import (
    check_environment,
    fmt_s,
    load_average,
    machine_header,
    markdown_table,
    write_result,
)

# GANSampler settings compared; "default" is the estimator as shipped (lr=1e-2 with
# cosine decay, label classifier loss, marginal matching, rejection sampling;
# n_critic=2, pac=2, 2000 steps, hidden widths of 4 per feature within [128, 256]),
# "wide256" the same with the earlier fixed widths of 256, "pac8" the same with the
# earlier packs of 8 rows, "before" the defaults until then (constant lr=1e-3,
# n_critic=1, none of the additions), "norejection" and "nomatch" today's defaults
# without rejection sampling or without marginal matching, "wgan5" the earlier
# defaults (WGAN-GP's customary 5 critic steps at lr=1e-4, 3000 steps).
WIDE256 = {"generator_hidden_dims": (256, 256), "discriminator_hidden_dims": (256, 256)}
BEFORE = {
    **WIDE256,
    "pac": 8,
    "lr": 1e-3,
    "n_critic": 1,
    "lr_decay": "constant",
    "label_loss": 0.0,
    "match_marginals": False,
    "rejection_sampling": False,
}
CONFIGS = {
    "default": {},
    "pac8": {"pac": 8},
    "before": BEFORE,
    "norejection": {"rejection_sampling": False},
    "nomatch": {"match_marginals": False},
    "wgan5": {**BEFORE, "lr": 1e-4, "n_critic": 5, "max_steps": 3000},
    "wide256": WIDE256,
}

PACGAN4 = {"ring": "7.8 / 95.9% / 0.07", "grid": "24.8 / 93.6% / 0.04"}
REFERENCE = {  # C2ST / TSTR figures from elsewhere, for orientation
    "moons": "floor .55/.87, CTGAN .81/.84, GMM per class .58/.86",
    "breast_cancer": "floor .63/.96, CTGAN 1.00/.91, GMM per class .62/.94",
    "digits": "floor .60/.97, CTGAN 1.00/.10, GMM per class 1.00/.94",
}


def mixture(name, n, seed):
    rng = np.random.default_rng(seed)
    if name == "ring":
        angles = 2 * np.pi * np.arange(8) / 8
        modes, std = np.c_[np.cos(angles), np.sin(angles)], 0.01
    else:
        grid = np.array([-4.0, -2.0, 0.0, 2.0, 4.0])
        modes, std = np.array([(a, b) for a in grid for b in grid]), 0.05
    X = modes[rng.integers(len(modes), size=n)] + std * rng.standard_normal((n, 2))
    return X, modes, std


def spread(values, fmt):
    values = np.asarray(values, dtype=float)
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(values.mean())} [{fmt.format(values.min())}, {fmt.format(values.max())}]"


def make_gan(config, seed, max_steps):
    from skae import GANSampler

    params = dict(CONFIGS[config])
    if max_steps is not None and "max_steps" not in params:
        params["max_steps"] = max_steps
    return GANSampler(random_state=seed, **params), params


def part_mixtures(args, configs, seeds):
    from sklearn.mixture import GaussianMixture

    from skae.metrics import mode_coverage

    n_train = 5_000 if args.quick else 100_000
    n_samples = 2_500
    out = []
    for name in ("ring", "grid"):
        rows = []
        results = {}
        for seed in seeds:
            X, modes, std = mixture(name, n_train, seed)
            t = time.perf_counter()
            gmm = GaussianMixture(len(modes), random_state=seed).fit(X)
            fit_s = time.perf_counter() - t
            res = mode_coverage(gmm.sample(n_samples)[0], modes, std)
            results.setdefault("GaussianMixture", []).append((res, fit_s))
            for config in configs:
                gan, params = make_gan(config, seed, args.max_steps)
                t = time.perf_counter()
                gan.fit(X)
                fit_s = time.perf_counter() - t
                res = mode_coverage(gan.sample(n_samples), modes, std)
                label = f"GANSampler {config}"
                results.setdefault(label, []).append((res, fit_s))
                print(f"  {name} seed {seed} {label}: {res}, fit {fit_s:.1f}s", flush=True)
        for label, runs in results.items():
            rows.append(
                [
                    label,
                    spread([r["modes"] for r, _ in runs], "{:.1f}"),
                    spread([100 * r["high_quality"] for r, _ in runs], "{:.1f}"),
                    spread([r["reverse_kl"] for r, _ in runs], "{:.2f}"),
                    fmt_s(np.mean([s for _, s in runs])),
                ]
            )
        n_modes = 8 if name == "ring" else 25
        out.append(
            f"### 2D {name} ({n_modes} modes), {n_train:,} training points, "
            f"{n_samples:,} samples, seeds {list(seeds)}\n\n"
            f"PacGAN4 (published reference): {PACGAN4[name]} "
            "(modes / high quality / reverse KL)\n\n"
            + markdown_table(
                ["sampler", "modes", "high quality %", "reverse KL", "fit s (mean)"], rows
            )
        )
    return "\n".join(out)


def load_table(name):
    from sklearn.datasets import load_breast_cancer, load_digits, make_moons

    if name == "moons":
        return make_moons(2000, noise=0.1, random_state=0)
    if name == "breast_cancer":
        return load_breast_cancer(return_X_y=True)
    return load_digits(return_X_y=True)


def gmm_per_class(X, y, seed):
    """GaussianMixture per class on quantile-normal features; returns a sampler."""
    from sklearn.mixture import GaussianMixture
    from sklearn.preprocessing import QuantileTransformer

    qt = QuantileTransformer(
        output_distribution="normal", n_quantiles=min(1000, len(X)), random_state=0
    ).fit(X)
    Xt = qt.transform(X)
    models = {}
    for c in np.unique(y):
        rows = Xt[y == c]
        k = max(1, min(10, len(rows) // 10))
        models[c] = GaussianMixture(k, reg_covar=1e-3, random_state=seed).fit(rows)

    def sample(labels, draw_seed=seed):
        out = np.empty((len(labels), X.shape[1]))
        for c, model in models.items():
            mask = labels == c
            if mask.any():
                # GaussianMixture.sample draws from its random_state, fixed at fit.
                model.random_state = draw_seed
                drawn = model.sample(mask.sum())[0]
                order = np.random.default_rng(draw_seed).permutation(mask.sum())
                out[mask] = drawn[order]
        return np.clip(qt.inverse_transform(out), X.min(0), X.max(0))

    return sample


def smote_sampler(X, y, seed):
    from imblearn.over_sampling import SMOTE

    def sample(labels):
        classes, counts = np.unique(labels, return_counts=True)
        strategy = {c: int((y == c).sum() + n) for c, n in zip(classes, counts, strict=True)}
        X_res, y_res = SMOTE(sampling_strategy=strategy, random_state=seed).fit_resample(X, y)
        X_new, y_new = X_res[len(X) :], y_res[len(X) :]
        out = np.empty((len(labels), X.shape[1]))
        for c in classes:
            out[labels == c] = X_new[y_new == c][: (labels == c).sum()]
        return out

    return sample


def part_tables(args, configs, seeds):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from skae.metrics import c2st_auc, tstr_score

    try:
        import imblearn  # noqa: F401

        have_smote = True
    except ImportError:
        have_smote = False

    names = ["moons", "breast_cancer", "digits"]
    out = []
    for name in names:
        X, y = load_table(name)
        X = X.astype(np.float64)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
        judge = HistGradientBoostingClassifier(random_state=0).fit(X_tr, y_tr)
        tstr_model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        trtr = tstr_score(X_tr, y_tr, X_te, y_te, estimator=tstr_model)
        results = {}

        def score(
            label,
            X_syn,
            y_syn,
            fit_s,
            seed,
            *,
            name=name,
            X_te=X_te,
            y_te=y_te,
            judge=judge,
            tstr_model=tstr_model,
            results=results,
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                auc = c2st_auc(X_te, X_syn, random_state=0)
                tstr = tstr_score(X_syn, y_syn, X_te, y_te, estimator=tstr_model)
            agree = float((judge.predict(X_syn) == y_syn).mean())
            results.setdefault(label, []).append((auc, tstr, agree, fit_s))
            print(
                f"  {name} seed {seed} {label}: C2ST {auc:.3f} TSTR {tstr:.3f} "
                f"agree {agree:.3f} fit {fit_s:.1f}s",
                flush=True,
            )

        for seed in seeds:
            # One seed per draw; the first is the seed itself.
            draw_seeds = [seed + 1000 * draw for draw in range(args.draws)]
            for draw_seed in draw_seeds:
                idx = np.random.default_rng(draw_seed).integers(len(X_tr), size=len(X_tr))
                score("bootstrap of real rows (floor)", X_tr[idx], y_tr[idx], 0.0, seed)

            t = time.perf_counter()
            sampler = gmm_per_class(X_tr, y_tr, seed)
            fit_s = time.perf_counter() - t
            for draw_seed in draw_seeds:
                score("GaussianMixture per class", sampler(y_tr, draw_seed), y_tr, fit_s, seed)

            if have_smote:
                for draw_seed in draw_seeds:
                    t = time.perf_counter()
                    X_syn = smote_sampler(X_tr, y_tr, draw_seed)(y_tr)
                    score("SMOTE", X_syn, y_tr, time.perf_counter() - t, seed)

            for config in configs:
                gan, params = make_gan(config, seed, args.max_steps)
                t = time.perf_counter()
                gan.fit(X_tr, y_tr)
                fit_s = time.perf_counter() - t
                for _ in draw_seeds:  # each call draws new rows
                    X_syn, y_syn = gan.sample(y=y_tr)
                    score(f"GANSampler {config}", X_syn, y_syn, fit_s, seed)

        rows = [
            [
                label,
                spread([r[0] for r in runs], "{:.3f}"),
                spread([r[1] for r in runs], "{:.3f}"),
                spread([r[2] for r in runs], "{:.3f}"),
                fmt_s(np.mean([r[3] for r in runs])),
            ]
            for label, runs in results.items()
        ]
        n_classes = len(np.unique(y))
        out.append(
            f"### {name}: {len(X_tr)} training / {len(X_te)} test rows, "
            f"{X.shape[1]} features, {n_classes} classes, seeds {list(seeds)}, "
            f"{args.draws} draws each\n\n"
            f"Train-on-real test accuracy (LogisticRegression): {trtr:.3f}; judge "
            f"(HistGradientBoosting) real test accuracy: {judge.score(X_te, y_te):.3f}; "
            f"chance agreement {1 / n_classes:.3f}. Reference C2ST/TSTR: {REFERENCE[name]}\n\n"
            + markdown_table(
                ["sampler", "C2ST AUC (0.5 best)", "TSTR acc", "label agreement", "fit s"],
                rows,
            )
        )
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 5,000 mixture points, 1 seed, max_steps=100",
    )
    parser.add_argument(
        "--configs",
        default="default",
        help=f"comma-separated GANSampler settings among {list(CONFIGS)}",
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=None,
        help="override max_steps of configurations that do not set it",
    )
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds")
    parser.add_argument(
        "--draws", type=int, default=3, help="samples scored per fitted table sampler"
    )
    parser.add_argument("--part", default="mix,tables", help="mix, tables or both")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--name", default="bench_gan", help="result file name")
    args = parser.parse_args()
    check_environment()

    import torch

    torch.set_num_threads(args.threads)
    if args.quick and args.max_steps is None:
        args.max_steps = 100
        for config in CONFIGS.values():
            config.pop("max_steps", None)
    configs = args.configs.split(",")
    for config in configs:
        if config not in CONFIGS:
            parser.error(f"unknown config {config!r}; choose among {list(CONFIGS)}")
    n_seeds = args.seeds or (1 if args.quick else 3)
    seeds = range(n_seeds)
    parts = args.part.split(",")

    t0 = time.perf_counter()
    load_before = load_average()
    sections = []
    if "mix" in parts:
        sections.append(part_mixtures(args, configs, seeds))
    if "tables" in parts:
        sections.append(part_tables(args, configs, seeds))
    total = time.perf_counter() - t0
    extra = [
        "GANSampler configs (other parameters at their defaults): "
        + "; ".join(f"{c} {make_gan(c, 0, args.max_steps)[1]}" for c in configs),
        f"max_steps override (configs without their own): {args.max_steps}"
        if args.max_steps
        else "max_steps: as configured (estimator default 2000)",
        f"load average (1 min) before / after: {load_before} / {load_average()}",
        f"total wall time: {fmt_s(total)} s",
        "command: OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_gan.py "
        + " ".join(a for a in __import__("sys").argv[1:]),
    ]
    text = machine_header("GANSampler sample quality", extra) + "\n" + "\n".join(sections)
    write_result(args.name, text, quick=args.quick)


if __name__ == "__main__":
    main()
