"""Outlier detection on contaminated data: AutoencoderOutlierDetector against
IsolationForest, LocalOutlierFactor, pyod's AutoEncoder and ECOD, and the plain
AutoencoderTransformer's reconstruction error.

The ODDS protocol: each detector is fitted on a table that holds its outliers
(2-10% of the rows) and ranks every row of it by its score; ROC-AUC and average
precision of that ranking against the known outliers. Constructions (see
``_outlier_data.py``, all offline): digits (two digits against a few others),
breast_cancer (benign against malignant), wine (two cultivars against the third),
blobs (clusters of different spreads against uniform noise), manifold (a
curved 4-d manifold in 80 dimensions against rows with a quarter of their values
swapped), digit (one digit against the others), subspace (rows near a 5-d
subspace against rows off it) and clusters (three make_classification classes
against a fourth). Five more were added after the detector's defaults were chosen on
those: iris (virginica against the other two), cancer_reversed (benign tumours among
malignant ones), moons_noise (uniform points around two moons), swiss_roll (rows
moved along the roll's axis) and digits_noise (digits with a fifth of their pixels
randomised); they showed where the defaults fell short and have informed choices
since. So did five more, added next (wine_pair: cultivars 1 and 3 against 2;
correlated: rows whose values come from different rows of a correlated Gaussian;
local_density: points around a dense cluster beside a loose one; digits_mirrored:
digits mirrored left to right; lognormal_typos: skewed columns with two values per
outlier off by a factor of 4 to 10), and five after those (cancer_ten: benign
tumours with 10% malignant ones; iris_middle: versicolor between setosa and
virginica; binary_prototypes: yes/no answers copied from four prototypes, outliers
at random; sine_windows: windows of a noisy sine with a spike or a flat stretch;
density_5d: points near the tightest of three 5-d clusters of different spreads).
Four more came next (poisson_counts: small counts from three profiles, outliers
mixing the profiles column by column; gaussian_shift: a 30-d Gaussian, outliers
shifted along the diagonal; ring_hole: points in the hole of a ring;
digits_chimeras: the top half of one digit on the bottom half of another), and
four after those (diabetes_swapped: diabetes patients with three measurements from
other patients; heavy_tails: uncorrelated Gaussian rows among a correlated Student
t's; clusters_in_box: uniform noise around five clusters of different sizes and
spreads; digits_faint: digits at 40% of their contrast), then four more
(totals_broken: amounts whose total is off by 10 to 30%; cluster_midpoints: points
halfway between two of twenty clusters; cancer_noise_columns: breast cancer with 30
columns of noise; digits_rotated: digits turned a quarter turn). Twelve are kept out
of every choice (``HELD_OUT``): two_spirals (points between the arms of two
spirals), cancer_one_feature (benign tumours with one feature multiplied by 2.5 to
4), digits_shifted (digits moved two pixels sideways), subspace_clusters (points
near the centres of three clusters that each lie along their own plane, but off
the planes), and, added after them, likert_careless (careless survey respondents
answering at random), stuck_sensor (one of twelve correlated sensors stuck at its
median), wide_few_rows (200 rows of 100 columns near a 5-d subspace, outliers with
three times the noise) and digits_bold (digits drawn with a thicker pen), and
after those too_average (fabricated rows near every column's mean, too central
together), circles_between (points between two concentric circles),
wine_swapped_columns (wines with two columns' values exchanged) and
digits_blotted (digits with a 3x3 ink blot). Each is drawn with several seeds;
the tables show the mean +- standard deviation over draws, and the mean seconds to
fit and score.

Every detector runs with its defaults, as a user would run it (LOF: the fit's
``negative_outlier_factor_``; pyod: ``decision_scores_``; the skae estimators are
seeded with the draw). pyod's detectors run only when ``import pyod`` works;
install it apart from the core, e.g. in its own environment:
``python -m venv /work/venv-pyod && /work/venv-pyod/bin/pip install pyod -e .``.

Run:  OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_outliers.py [--quick] [--seeds N]
"""

import argparse
import time
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
from _common import check_environment, load_average, machine_header, markdown_table, write_result
from _outlier_data import CONSTRUCTIONS, HELD_OUT

# Column headings for the tables, where the full name is long.
SHORT_NAMES = {
    "AutoencoderOutlierDetector": "ours",
    "AutoencoderTransformer (reconstruction error)": "AE recon. error",
    "IsolationForest": "IsolationForest",
    "LocalOutlierFactor": "LOF",
    "pyod AutoEncoder": "pyod AE",
    "pyod ECOD": "ECOD",
}


def detectors():
    """``{name: fn(X, seed) -> anomaly scores (higher = more abnormal)}``."""
    from sklearn.ensemble import IsolationForest
    from sklearn.neighbors import LocalOutlierFactor

    from skae import AutoencoderOutlierDetector, AutoencoderTransformer

    found = {
        "AutoencoderOutlierDetector": lambda X, seed: (
            -AutoencoderOutlierDetector(random_state=seed, verbose=0).fit(X).score_samples(X)
        ),
        "AutoencoderTransformer (reconstruction error)": lambda X, seed: (
            -AutoencoderTransformer(random_state=seed, verbose=0).fit(X).score_samples(X)
        ),
        "IsolationForest": lambda X, seed: (
            -IsolationForest(random_state=seed).fit(X).score_samples(X)
        ),
        "LocalOutlierFactor": lambda X, seed: -LocalOutlierFactor().fit(X).negative_outlier_factor_,
    }
    try:
        from pyod.models.auto_encoder import AutoEncoder
        from pyod.models.ecod import ECOD
    except ImportError:
        print("pyod is not installed: its detectors are left out")
        return found
    found["pyod AutoEncoder"] = lambda X, seed: (
        AutoEncoder(random_state=seed, verbose=0).fit(X).decision_scores_
    )
    found["pyod ECOD"] = lambda X, seed: ECOD().fit(X).decision_scores_
    return found


def evaluate(datasets, seeds, found):
    """Fit every detector on every data set's draws; ``datasets`` maps a name to
    ``build(seed) -> (X, is_outlier)``. Returns ``results`` ({(data set, detector):
    (ROC-AUCs, APs, seconds)}, one entry per draw) and ``shapes`` ({data set:
    (X.shape, share of outliers)})."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    results, shapes = {}, {}
    for dname, build in datasets.items():
        for seed in seeds:
            X, is_outlier = build(seed)
            shapes[dname] = (X.shape, is_outlier.mean())
            for name, score in found.items():
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    scores = score(X, seed)
                seconds = time.perf_counter() - start
                aucs, aps, times = results.setdefault((dname, name), ([], [], []))
                aucs.append(roc_auc_score(is_outlier, scores))
                aps.append(average_precision_score(is_outlier, scores))
                times.append(seconds)
            print(f"{dname} draw {seed}: done", flush=True)
    return results, shapes


def paired_difference(ours, rival):
    """Mean and standard error of ``ours - rival``, paired over draws (same data,
    same seed); within one standard error is a tie, as the verdicts count it."""
    difference = np.subtract(ours, rival)
    draws = len(difference)
    error = np.std(difference, ddof=1) / np.sqrt(draws) if draws > 1 else 0.0
    return np.mean(difference), error


def report(title, extra, results, shapes, names, groups, phrases, *, what, means=False):
    """The result file's text: ROC-AUC and AP per data set (a ``what``) and
    detector (with ``means``, also their mean over the data sets), the seconds,
    the paired differences of ours less each rival and the verdict. ``groups``
    maps each data set to its group's label; ``phrases`` each label to the
    verdict's words for the group, in the order the verdict lists them."""

    def cell(values):
        return f"{np.mean(values):.3f} ± {np.std(values):.3f}"

    datasets = list(groups)
    short = {name: SHORT_NAMES.get(name, name) for name in names}
    text = machine_header(
        title,
        [
            *extra,
            "detectors: " + "; ".join(f"{short[n]} = {n}" for n in names if short[n] != n),
            f"load average at the end: {load_average()}",
        ],
    )
    # Data sets as rows: one line each, however many there are.
    header = [what, "rows x columns, outliers", "set", *(short[n] for n in names)]
    for label, index in (("ROC-AUC", 0), ("Average precision", 1)):
        rows = [
            [
                d,
                f"{shapes[d][0][0]}x{shapes[d][0][1]}, {shapes[d][1]:.1%}",
                groups[d],
                *(cell(results[d, n][index]) for n in names),
            ]
            for d in datasets
        ]
        if means:
            average = [np.mean([np.mean(results[d, n][index]) for d in datasets]) for n in names]
            rows.append([f"mean of {len(datasets)}", "", "", *(f"{m:.3f}" for m in average)])
        text += f"\n### {label}\n\n" + markdown_table(header, rows)
    ours = "AutoencoderOutlierDetector"
    spans = []
    for n in names:
        seconds = [np.mean(results[d, n][2]) for d in datasets]
        spans.append([short[n], f"{min(seconds):.2f}-{max(seconds):.2f}"])
    text += f"\n### Seconds to fit and score (mean over draws; least to most over {what}s)\n\n"
    text += markdown_table(["detector", "seconds"], spans)
    rivals = [n for n in names if n != ours and not n.startswith("AutoencoderTransformer")]
    verdict, differences = [], {}
    for rival in rivals:
        behind, ties = [], []
        for d in datasets:
            mean, error = paired_difference(results[d, ours][0], results[d, rival][0])
            differences[d, rival] = f"{mean:+.3f} ± {error:.3f}"
            if mean < -error:
                behind.append(d)
            elif mean <= error:
                ties.append(d)
        for label, phrase in phrases.items():
            members = [d for d in datasets if groups[d] == label]
            if not members:
                continue
            group_behind = [d for d in behind if d in members]
            group_ties = [d for d in ties if d in members]
            ahead = len(members) - len(group_behind) - len(group_ties)
            verdict.append(
                f"- against {rival}, {phrase}: ahead on {ahead}, tied (within one "
                f"standard error) on {len(group_ties)}, "
                f"behind on {len(group_behind)} of {len(members)}"
                + (f" (behind on {', '.join(group_behind)})" if group_behind else "")
            )
    rows = [[d, groups[d], *(differences[d, r] for r in rivals)] for d in datasets]
    text += (
        "\n### ROC-AUC of AutoencoderOutlierDetector less each rival's "
        "(paired over draws, mean ± standard error)\n\n"
    )
    text += markdown_table([what, "set", *(short[r] for r in rivals)], rows)
    return text + "\n### Verdict\n\n" + "\n".join(verdict) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: one draw each")
    parser.add_argument("--seeds", type=int, default=10, help="draws per construction")
    args = parser.parse_args()
    check_environment()
    seeds = range(1 if args.quick else args.seeds)
    found = detectors()
    results, shapes = evaluate(CONSTRUCTIONS, seeds, found)
    text = report(
        "Outlier detection on contaminated data (ODDS protocol)",
        [f"{len(seeds)} draws per construction; mean ± std over draws"],
        results,
        shapes,
        list(found),
        {c: "held out" if c in HELD_OUT else "informed choices" for c in CONSTRUCTIONS},
        {
            "informed choices": "constructions that informed choices",
            "held out": "held-out constructions",
        },
        what="construction",
    )
    write_result("bench_outliers", text, quick=args.quick)


if __name__ == "__main__":
    main()
