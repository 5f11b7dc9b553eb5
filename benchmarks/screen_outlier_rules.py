"""Screen ways of combining AutoencoderOutlierDetector's measures, without refitting.

The detector scores a row by five measures (reconstruction error, code distance,
row distance, LocalOutlierFactor, column tails) that ``skae.outlier._combine``
turns into one anomaly. Most changes to the score are changes to that rule, or a
measure added to it, and judging one on ``bench_outliers.py`` and
``bench_outliers_real.py`` takes over an hour. This script fits the detector once
per data set and draw, caches its standardised measures (with IsolationForest's
and LocalOutlierFactor's scores, and the candidate measures below), and then
scores every rule in ``RULES`` on the cache in seconds.

Two sets, kept apart as the choices so far have been made:

- the constructions of ``_outlier_data.py`` on draws 10 to 21 by default, the
  draws choices are made on (``bench_outliers.py`` runs draws 0 to 9, where a
  choice is confirmed); those that inform choices and the held-out ones are
  reported apart;
- ADBench's real tables (``bench_outliers_real.py``'s data and draws 0 to 2), in
  two halves (A: the first, third, ... of its list; B: the others): a rule chosen
  on one half is confirmed on the other.

The first rule is the detector's own (``_combine``), so its figures equal those
of the two benchmarks for the same draws; the script checks that they do. A rule
is a function of the standardised measures (``Draw``) returning anomalies, higher
more abnormal; add one to ``RULES`` to screen it, or a measure to ``CANDIDATES``
(computed for the cached draws on the next run, without refitting). Results:
``results/screen_outlier_rules.md`` (draws 10-21), or with the draws in its name
(``--draws 0:10``: ``screen_outlier_rules_draws0-9.md``).

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/screen_outlier_rules.py
      [--draws 10:22] [--real-draws 0:3] [--data-dir DIR] [--cache-dir DIR]
"""

import argparse
import dataclasses
import pathlib
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import check_environment, machine_header, markdown_table, write_result
from _outlier_data import CONSTRUCTIONS, HELD_OUT
from bench_outliers import paired_difference
from bench_outliers_real import TABLES, add_data_dir, fetch, loader
from sklearn.metrics import average_precision_score, roc_auc_score

from skae import AutoencoderOutlierDetector
from skae.outlier import MIN_DISTINCT_SHARE, SCORE_RULE, _combine, _robust_location

MEASURES = ("error", "code", "row", "factor", "tails")


@dataclasses.dataclass
class Draw:
    """One fitted draw: the detector's measures standardised on the training
    rows (``z``, columns as ``MEASURES``), whether its LocalOutlierFactor counts,
    the candidate measures (``extra``, standardised alike) and the labels."""

    z: np.ndarray
    with_factor: bool
    extra: dict
    is_outlier: np.ndarray
    ours: np.ndarray
    isolation_forest: np.ndarray
    local_outlier_factor: np.ndarray


def standardised(values):
    median, scale = _robust_location(values)
    return (values - median) / scale


def code_mahalanobis(codes):
    """log squared Mahalanobis distance of each code from the codes' mean: how far
    from the bulk, where the code distance sees only how far from its neighbours."""
    centred = codes - codes.mean(axis=0)
    covariance = np.atleast_2d(np.cov(centred, rowvar=False))
    ridge = 1e-6 * np.trace(covariance) / len(covariance)
    precision = np.linalg.pinv(covariance + ridge * np.eye(len(covariance)))
    return np.log(np.einsum("ij,jk,ik->i", centred, precision, centred) + 1e-12)


def subsampled_distance(M, rows=64, rounds=20, seed=0):
    """Mean log distance to the nearest row of ``rounds`` random subsets of
    ``rows`` training rows (a row's own copy skipped): outliers that clump are
    rarely drawn together, as in IsolationForest's subsamples."""
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(seed)
    n = len(M)
    total = np.zeros(n)
    for _ in range(rounds):
        subset = rng.choice(n, min(rows, n - 1), replace=False)
        distances, nearest = NearestNeighbors(n_neighbors=2).fit(M[subset]).kneighbors(M)
        own = subset[nearest[:, 0]] == np.arange(n)
        total += np.log(np.where(own, distances[:, 1], distances[:, 0]) ** 2 + 1e-6)
    return total / rounds


def two_sided_tails(M):
    """Sum over the columns of the more extreme side's minus log share of training
    rows at least as extreme, as pyod's ECOD scores (the detector's column tails
    take the largest of the left, right and long-side sums instead): a row can be
    extreme on opposite sides in different columns."""
    n = len(M)
    minus_log_share = np.log(n + 1) - np.log(np.arange(1, n + 2, dtype=np.float64))
    total = np.zeros(n)
    for column in np.ascontiguousarray(M.T):
        ordered = np.sort(column)
        at_most = np.searchsorted(ordered, column, side="right")
        at_least = n - np.searchsorted(ordered, column, side="left")
        total += np.maximum(minus_log_share[at_most], minus_log_share[at_least])
    return total


# Candidate measures, each a function of the draw's data ``X``, the detector's
# model matrix ``M``, the draw's cached arrays (``fit_draw``: the codes, the
# rivals' scores) and the seed; cached beside the detector's measures,
# standardised alike. One added here is computed for every cached draw on the
# next run, without refitting.
CANDIDATES = {
    "isolation": lambda X, M, cached, seed: cached["isolation_forest"],
    "code_mahalanobis": lambda X, M, cached, seed: code_mahalanobis(cached["codes"]),
    "subsampled_distance": lambda X, M, cached, seed: subsampled_distance(M),
    "two_sided_tails": lambda X, M, cached, seed: two_sided_tails(M),
}


def fit_draw(X, is_outlier, seed):
    """Fit the detector and the rivals on one draw; the arrays ``Draw`` holds,
    and the codes (for candidates added later)."""
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        detector = AutoencoderOutlierDetector(random_state=seed, verbose=0).fit(X)
        ours = -detector.score_samples(X)
        M = detector._model_matrix(X, reset=False)
        median, scale = detector.references_.T
        isolation_forest = -IsolationForest(random_state=seed).fit(X).score_samples(X)
        factor = -LocalOutlierFactor().fit(X).negative_outlier_factor_
    return {
        "z": (detector._measures(M) - median) / scale,
        "with_factor": len(detector.distinct_rows_)
        >= MIN_DISTINCT_SHARE * len(detector.training_rows_),
        "is_outlier": is_outlier,
        "ours": ours,
        "isolation_forest": isolation_forest,
        "local_outlier_factor": factor,
        "codes": detector.autoencoder_.transform(M).astype(np.float64),
    }


def load_draw(cache_dir, key, build, seed):
    """Draw ``seed`` of data set ``key`` from the cache, fitted first if missing;
    candidate measures the cached file lacks are computed and saved with it."""
    path = cache_dir / f"rule{SCORE_RULE}_{key}_{seed}.npz"
    X = None
    if path.exists():
        with np.load(path) as saved:
            arrays = dict(saved)
    else:
        X, is_outlier = build(seed)
        arrays = fit_draw(X, is_outlier, seed)
    missing = [name for name in CANDIDATES if f"extra_{name}" not in arrays]
    if missing:
        if X is None:
            X, _ = build(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the scaling alone: no training
            M = AutoencoderOutlierDetector()._model_matrix(X, reset=True).astype(np.float64)
        for name in missing:
            measure = CANDIDATES[name](X, M, arrays, seed)
            arrays[f"extra_{name}"] = standardised(measure)
    if missing or X is not None:
        np.savez(path, **arrays)
    extra = {
        name.removeprefix("extra_"): arrays.pop(name)
        for name in list(arrays)
        if name.startswith("extra_")
    }
    arrays.pop("codes", None)
    arrays["with_factor"] = bool(arrays["with_factor"])
    return Draw(extra=extra, **arrays)


def maximum_with(name, factor_weight=1.0):
    """The detector's rule with a candidate measure among the relative ones, and
    its LocalOutlierFactor's standardised value times ``factor_weight``."""

    def rule(d):
        # The relatives enter a maximum: the error's place holds either.
        z = d.z * [1, 1, 1, factor_weight, 1]
        if name is not None:
            z[:, 0] = np.maximum(z[:, 0], d.extra[name])
        return _combine(z, with_factor=d.with_factor)

    return rule


def relatives(d):
    """The relative measures ``_combine`` takes the largest of, as rows."""
    return d.z[:, [0, 1, 4, *([3] if d.with_factor else [])]].T


def soft_maximum(d):
    return np.logaddexp.reduce(relatives(d), axis=0) + np.maximum(d.z[:, 2], 0.0)


def top_two(d):
    return np.sort(relatives(d), axis=0)[-2:].mean(axis=0) + np.maximum(d.z[:, 2], 0.0)


def alone(column):
    return lambda d: d.z[:, column]


def candidate_alone(name):
    return lambda d: d.extra[name]


RULES = {
    "the detector's (_combine)": lambda d: _combine(d.z, with_factor=d.with_factor),
    "without LocalOutlierFactor": lambda d: _combine(d.z, with_factor=False),
    **{
        f"LocalOutlierFactor at {weight:.0%} weight": maximum_with(None, weight)
        for weight in (0.5, 0.8)
    },
    "LocalOutlierFactor at 80% weight, + two_sided_tails": maximum_with("two_sided_tails", 0.8),
    "mean of the five measures": lambda d: np.vstack([relatives(d), d.z[:, 2]]).mean(axis=0),
    "soft maximum (log-sum-exp)": soft_maximum,
    "mean of the two largest": top_two,
    **{f"+ {name}": maximum_with(name) for name in CANDIDATES},
    **{f"{name} alone": alone(i) for i, name in enumerate(MEASURES)},
    **{f"{name} alone": candidate_alone(name) for name in CANDIDATES},
}
# Columns of the per-table view of the tables where IsolationForest leads.
LEAD_VIEW = [
    "the detector's (_combine)",
    *(f"{name} alone" for name in CANDIDATES),
    *(f"+ {name}" for name in CANDIDATES),
]


def evaluate(sets):
    """``{(rule, set): (mean ROC-AUC, mean AP, behind IF, behind LOF)}``; behind a
    rival: the paired difference over draws below minus its standard error, as
    the benchmarks' verdicts count it."""
    rivals = {"IF": "isolation_forest", "LOF": "local_outlier_factor"}
    table = {}
    for set_name, draws in sets.items():
        rival_aucs = {
            (name, rival): [roc_auc_score(d.is_outlier, getattr(d, field)) for d in per_draw]
            for name, per_draw in draws.items()
            for rival, field in rivals.items()
        }
        for rule_name, rule in RULES.items():
            aucs, aps, behind = [], [], dict.fromkeys(rivals, 0)
            for name, per_draw in draws.items():
                scored = [(d.is_outlier, rule(d)) for d in per_draw]
                auc = [roc_auc_score(y, s) for y, s in scored]
                aucs.append(np.mean(auc))
                aps.append(np.mean([average_precision_score(y, s) for y, s in scored]))
                for rival in rivals:
                    mean, error = paired_difference(auc, rival_aucs[name, rival])
                    behind[rival] += mean < -error
            table[rule_name, set_name] = (np.mean(aucs), np.mean(aps), *behind.values())
    return table


def check_own_rule(sets):
    """The first rule must rank as the detector does (same AUC on every draw)."""
    for draws in sets.values():
        for per_draw in draws.values():
            for d in per_draw:
                own = roc_auc_score(d.is_outlier, d.ours)
                restated = roc_auc_score(d.is_outlier, RULES["the detector's (_combine)"](d))
                if abs(own - restated) > 1e-9:
                    raise SystemExit(
                        f"the cached measures no longer give the detector's scores "
                        f"({own:.4f} against {restated:.4f}): delete the cache and rerun"
                    )


def span(text):
    start, stop = (int(part) for part in text.split(":"))
    return range(start, stop)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=span, default=range(10, 22), help="constructions' seeds")
    parser.add_argument("--real-draws", type=span, default=range(3), help="real tables' seeds")
    add_data_dir(parser)
    parser.add_argument(
        "--cache-dir",
        type=pathlib.Path,
        default=pathlib.Path.home() / ".cache" / "skae" / "outlier-rules",
        help="where the fitted draws are kept",
    )
    args = parser.parse_args()
    check_environment()
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    # The real tables are found first: without them the screen cannot judge a rule.
    paths = {name: fetch(name, args.data_dir) for name in TABLES}
    if all(path is None for path in paths.values()):
        raise SystemExit(f"no table found in {args.data_dir}, and none could be downloaded")

    constructions = {"informing": {}, "held out": {}}
    for name, build in CONSTRUCTIONS.items():
        group = "held out" if name in HELD_OUT else "informing"
        constructions[group][name] = [
            load_draw(args.cache_dir, name, build, seed) for seed in args.draws
        ]
        print(f"{name}: {len(args.draws)} draws", flush=True)
    real = {"A": {}, "B": {}}
    for i, (name, path) in enumerate(paths.items()):
        if path is None:
            continue
        real["AB"[i % 2]][name] = [
            load_draw(args.cache_dir, name, loader(path), seed) for seed in args.real_draws
        ]
        print(f"{name}: {len(args.real_draws)} draws", flush=True)
    sets = {
        "constructions": constructions["informing"],
        "held out": constructions["held out"],
        "real A": real["A"],
        "real B": real["B"],
        "real": {**real["A"], **real["B"]},
    }
    check_own_rule(sets)
    table = evaluate(sets)

    header = ["rule"]
    for set_name, draws in sets.items():
        header += [f"{set_name} ({len(draws)})", "behind IF / LOF"]
    header.append("real AP")
    rows = []
    for rule_name in RULES:
        row = [rule_name]
        for set_name in sets:
            auc, ap, behind_if, behind_lof = table[rule_name, set_name]
            row += [f"{auc:.4f}", f"{behind_if} / {behind_lof}"]
        row.append(f"{table[rule_name, 'real'][1]:.4f}")
        rows.append(row)
    text = machine_header(
        "Screening score rules for AutoencoderOutlierDetector",
        [
            f"constructions: draws {args.draws.start}-{args.draws.stop - 1}; real tables: "
            f"draws {args.real_draws.start}-{args.real_draws.stop - 1} "
            "(bench_outliers_real.py's subsamples)",
            "mean ROC-AUC over data sets (of the mean over draws); behind: data sets where "
            "the rule is behind IsolationForest / LocalOutlierFactor by more than a "
            "standard error, paired over draws; real AP: mean average precision",
        ],
    )
    text += "\n" + markdown_table(header, rows)

    # Where IsolationForest leads by more than 0.05, how the candidates fare.
    def mean_auc(score, per_draw):
        return np.mean([roc_auc_score(d.is_outlier, score(d)) for d in per_draw])

    lead_rows = []
    for name, per_draw in sets["real"].items():
        ours = mean_auc(RULES[LEAD_VIEW[0]], per_draw)
        isolation_forest = mean_auc(lambda d: d.isolation_forest, per_draw)
        if isolation_forest > ours + 0.05:
            others = [mean_auc(RULES[rule], per_draw) for rule in LEAD_VIEW[1:]]
            lead_rows.append([name, f"{isolation_forest:.3f}", f"{ours:.3f}"]
                             + [f"{auc:.3f}" for auc in others])  # fmt: skip
    text += (
        "\n### Real tables where IsolationForest leads the detector by more than 0.05\n\n"
        + markdown_table(["table", "IsolationForest", *LEAD_VIEW], lead_rows)
    )
    # Draws 0-9, where a choice is confirmed, are kept in a file of their own.
    first, last = args.draws.start, args.draws.stop - 1
    suffix = "" if (first, last) == (10, 21) else f"_draws{first}-{last}"
    write_result("screen_outlier_rules" + suffix, text)


if __name__ == "__main__":
    main()
