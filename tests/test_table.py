"""The table codec, and every estimator on mixed tables: categorical columns,
booleans, integers, ordered categories and gaps."""

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier, _table
from skae._table import MAX_LEVELS, TableCodec


def penguins(n=600, seed=0):
    """A penguin-like table: species drive the measurements and the island, and
    every column kind appears (gaps in a float, a string and a nullable column)."""
    rng = np.random.RandomState(seed)
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], n, p=[0.45, 0.35, 0.2])
    gentoo = species == "Gentoo"
    bill = np.where(gentoo, 47.0, np.where(species == "Adelie", 39.0, 49.0))
    bill = bill + rng.normal(0, 1.5, n)
    island = np.where(gentoo, "Biscoe", rng.choice(["Dream", "Torgersen"], n))
    return pd.DataFrame(
        {
            "bill": np.where(rng.rand(n) < 0.1, np.nan, bill),
            "species": pd.Categorical(species, categories=["Adelie", "Chinstrap", "Gentoo"]),
            "island": pd.Series(np.where(rng.rand(n) < 0.05, None, island), dtype=object),
            "size": pd.Categorical(
                rng.choice(["S", "M", "L"], n), categories=["S", "M", "L"], ordered=True
            ),
            "eggs": rng.randint(0, 4, n),
            "tagged": rng.rand(n) < 0.3,
            "year": pd.array(
                np.where(rng.rand(n) < 0.2, None, rng.randint(2007, 2010, n)), dtype="Int64"
            ),
            "note": pd.array(rng.choice(["a", "b"], n), dtype="string"),
        }
    )


def assert_same_table(got, expected, *, numeric_exact=False):
    assert list(got.columns) == list(expected.columns)
    for column in expected:
        assert got[column].dtype == expected[column].dtype, column
        assert_array_equal(got[column].isna(), expected[column].isna())
        present = expected[column].notna()
        if expected[column].dtype.kind == "f" and not numeric_exact:
            assert_allclose(got[column][present], expected[column][present])
        else:
            assert_array_equal(got[column][present], expected[column][present])


@pytest.mark.parametrize("scaling", ["none", "auto", "standard", "quantile"])
def test_every_column_kind_round_trips(scaling):
    table = penguins()
    codec = TableCodec(scaling)
    M = codec.fit_transform(table)
    assert M.dtype == np.float64 and np.isfinite(M).all()
    back = codec.inverse_transform(M)
    assert_same_table(back, table)
    # Category sets (unused ones too) and order come back as they were.
    assert back["size"].cat.ordered and list(back["size"].cat.categories) == ["S", "M", "L"]
    # One slot per level, one for gaps, and an (observed, missing) pair per numeric
    # column with gaps.
    widths = {
        table.columns[b.column]: b.stop - b.start for b in codec.blocks_ if b.kind != "missing"
    }
    assert widths == {"species": 3, "island": 4, "size": 3, "tagged": 2, "note": 2}
    assert [table.columns[b.column] for b in codec.blocks_ if b.kind == "missing"] == [
        "bill",
        "year",
    ]


def test_object_array_round_trips_and_names_columns_by_position():
    table = penguins(50)[["bill", "island", "eggs"]].to_numpy(dtype=object)
    codec = TableCodec("auto")
    back = codec.inverse_transform(codec.fit_transform(table))
    assert back.dtype == object and back.shape == table.shape
    assert_array_equal(back[:, 1][pd.notna(table[:, 1])], table[:, 1][pd.notna(table[:, 1])])
    assert_allclose(back[:, 2].astype(float), table[:, 2].astype(float))
    with pytest.raises(ValueError, match="Column 1 mixes numbers and strings"):
        TableCodec().fit(np.array([[1.0, "a"], [2.0, 3]], dtype=object))


def test_complete_numeric_array_passes_through_uncopied():
    X = np.random.RandomState(0).rand(20, 3).astype(np.float32)
    codec = TableCodec("auto")
    M = codec.fit_transform(X)
    assert codec.passthrough_ and M.dtype == np.float32 and np.shares_memory(M, X)
    # A gap after fit is filled with the column's mean.
    X_gap = X.copy()
    X_gap[0, 1] = np.nan
    assert_allclose(codec.transform(X_gap)[0, 1], X[:, 1].mean(), rtol=1e-5)


def test_unseen_levels_are_ignored_with_a_warning():
    table = penguins(100)
    codec = TableCodec("auto").fit(table)
    new = table.head(3).copy()
    new["island"] = ["Atlantis", "Dream", "Biscoe"]
    with pytest.warns(UserWarning, match="'island' holds 1 value.*Atlantis.*handle_unknown"):
        M = codec.transform(new)
    block = next(b for b in codec.blocks_ if table.columns[b.column] == "island")
    assert_array_equal(M[:, block.start : block.stop].sum(axis=1), [0, 1, 1])


def test_values_of_a_kind_fit_never_saw_are_counted_per_row():
    # A new level and a gap in a column that had none: the model matrix shows
    # neither (all zeros, the column's mean), so the codec counts them. Gaps in a
    # column that had some in fit are seen in fit, and have their slot.
    table = penguins(100).assign(eggs=lambda t: t["eggs"].astype(float))
    codec = TableCodec("auto").fit(table)
    new = table.head(4).copy()
    new.loc[0, "island"] = "Atlantis"  # a new level
    new.loc[1, "eggs"] = np.nan  # a gap where fit had none
    new.loc[2, ["island", "eggs"]] = ["Atlantis", np.nan]
    new.loc[3, "bill"] = np.nan  # bill had gaps in fit
    with pytest.warns(UserWarning, match="Atlantis"):
        M, unseen = codec.transform(new, count_unseen=True)
    assert_array_equal(unseen, [1, 1, 2, 0])
    assert_array_equal(M, codec.transform(table.head(4).assign(**new[["bill", "island", "eggs"]])))
    # A complete numeric array in fit: every gap after it is new.
    X = np.arange(12.0).reshape(4, 3)
    codec = TableCodec("none").fit(X)
    X[0, :2] = np.nan
    M, unseen = codec.transform(X, count_unseen=True)
    assert_array_equal(unseen, [2, 0, 0, 0])
    assert np.isfinite(M).all()


@pytest.mark.parametrize(
    "column, error, match",
    [
        (pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]), ValueError, "'bad'.*dates"),
        ([np.nan, np.nan, np.nan], ValueError, "'bad' has no values"),
        ([None, None, None], ValueError, "'bad' has no values"),
        ([1, "x", 2.5], ValueError, "'bad' mixes numbers and strings"),
        ([{"a": 1}, "x", "y"], TypeError, "'bad' holds a dict"),
        ([1.0, np.inf, 2.0], ValueError, "'bad' contains infinity"),
    ],
    ids=["datetime", "all-nan", "all-none", "mixed", "dict", "inf"],
)
def test_tables_no_model_can_read_get_an_error_naming_the_column(column, error, match):
    table = pd.DataFrame({"good": [1.0, 2.0, 3.0], "bad": pd.Series(column, dtype=None)})
    if match.endswith("no values") and table["bad"].dtype != object:
        table["bad"] = table["bad"].astype(float)
    for estimator in (AutoencoderTransformer(max_epochs=1), GANSampler(max_steps=1)):
        with pytest.raises(error, match=match):
            estimator.fit(table)


def test_high_cardinality_is_bounded_and_rare_levels_decode_by_frequency():
    rng = np.random.RandomState(0)
    n = 50_000
    ids = np.array([f"id{i:05d}" for i in range(10_000)], dtype=object)
    table = pd.DataFrame({"x": rng.rand(n), "id": ids[rng.zipf(1.3, n) % 10_000]})
    codec = TableCodec("auto")
    M = codec.fit_transform(table)
    block = codec.blocks_[0]
    assert block.stop - block.start == MAX_LEVELS and M.shape == (n, 1 + MAX_LEVELS)
    back = codec.inverse_transform(M, rng=np.random.default_rng(0))
    # Frequent levels come back exactly; the shared slot draws among the rare ones.
    common = table["id"].value_counts().index[: MAX_LEVELS - 1]
    kept = table["id"].isin(common)
    assert_array_equal(back["id"][kept], table["id"][kept])
    assert back["id"][~kept].nunique() > MAX_LEVELS and not back["id"][~kept].isin(common).any()


def test_autoencoder_on_a_mixed_table():
    table = penguins()
    ae = AutoencoderTransformer(encoding_dim=3, max_epochs=60, random_state=0).fit(table)
    codes = ae.transform(table)
    assert codes.shape == (len(table), 3)
    back = ae.inverse_transform(codes)
    assert list(back.columns) == list(table.columns)
    assert all(back[c].dtype == table[c].dtype for c in table)
    # The code carries what drives the table: species come back far better than the
    # majority guess, and gaps are reconstructed as gaps at a similar rate.
    majority = table["species"].value_counts(normalize=True).max()
    assert (back["species"] == table["species"]).mean() > majority + 0.3
    assert abs(back["bill"].isna().mean() - table["bill"].isna().mean()) < 0.1
    # A row whose species contradicts its measurements is least typical.
    odd = table.iloc[:20].copy()
    odd["species"] = np.where(odd["species"] == "Gentoo", "Adelie", "Gentoo")
    odd["species"] = odd["species"].astype(table["species"].dtype)
    assert np.median(ae.score_samples(odd)) < np.median(ae.score_samples(table.iloc[:20]))
    ae.set_output(transform="pandas")
    assert list(ae.transform(table.head()).columns) == [
        f"autoencodertransformer{i}" for i in range(3)
    ]


def test_autoencoder_reconstruction_ignores_filled_gaps():
    table = penguins(300)
    ae = AutoencoderTransformer(max_epochs=2, random_state=0).fit(table)
    gap = table[table["bill"].isna()].head(5)
    filled = gap.copy()
    filled["bill"] = 1e6  # the same rows, but with an absurd value where the gap was
    # A gap counts only through its indicator; the value it was filled with is no error.
    assert ae.score_samples(gap).min() > ae.score_samples(filled).max()


def test_classifier_on_a_mixed_table_beats_the_majority_guess():
    table = penguins()
    y = table.pop("species").astype(str).to_numpy()
    y_semi = y.copy().astype(object)
    y_semi[np.random.RandomState(1).rand(len(y)) < 0.9] = -1
    clf = PretrainedClassifier(pretrain_epochs=20, finetune_epochs=20, random_state=0)
    clf.fit(table, y_semi)
    assert clf.table_codec_ is clf.autoencoder_.table_codec_
    majority = pd.Series(y).value_counts(normalize=True).max()
    assert clf.score(table, y) > majority + 0.3


@pytest.fixture(scope="module")
def fitted_table_gan():
    table = penguins(800)
    return table, GANSampler(max_steps=300, random_state=0).fit(table)


def test_gan_samples_the_table_with_its_dtypes_and_gaps(fitted_table_gan):
    table, gan = fitted_table_gan
    sample = gan.sample(4000)
    assert list(sample.columns) == list(table.columns)
    assert all(sample[c].dtype == table[c].dtype for c in table)
    assert sample["eggs"].between(0, 3).all()
    # Rejection sampling keeps gaps at rates of their own on a generator this short;
    # the matcher alone keeps them within 2 points (next test).
    for column in ("bill", "island", "year"):
        assert abs(sample[column].isna().mean() - table[column].isna().mean()) < 0.05, column


def test_level_frequencies_and_gap_rates_are_matched_to_the_data():
    # Without rejection sampling, which keeps levels at rates of its own, the
    # frequencies are the data's up to the noise of 4,000 draws (about 1 point).
    table = penguins(800)
    gan = GANSampler(max_steps=300, rejection_sampling=False, random_state=0).fit(table)
    sample = gan.sample(4000)
    for column in ("bill", "island", "year"):  # NaN rates preserved within 2 points
        assert abs(sample[column].isna().mean() - table[column].isna().mean()) < 0.02, column
    for column in ("species", "size", "tagged", "island"):
        real = table[column].astype(object).fillna("<gap>").value_counts(normalize=True)
        fake = sample[column].astype(object).fillna("<gap>").value_counts(normalize=True)
        assert (fake.reindex(real.index, fill_value=0) - real).abs().max() < 0.03, column


def test_conditions_hold_on_every_returned_row(fitted_table_gan):
    table, gan = fitted_table_gan
    dream = gan.sample(300, conditions={"island": "Dream"})
    assert (dream["island"] == "Dream").all()
    # The rows follow the data given the condition: no Gentoo lives on Dream, so
    # far fewer of them come back than without the condition.
    everywhere = gan.sample(300)
    assert (dream["species"] == "Gentoo").mean() < 0.5 * (everywhere["species"] == "Gentoo").mean()
    # A combination the data never has is still met, row by row.
    odd = gan.sample(50, conditions={"island": "Dream", "species": "Gentoo", "size": "L"})
    assert ((odd["island"] == "Dream") & (odd["species"] == "Gentoo")).all()
    assert (odd["size"] == "L").all() and odd["size"].dtype == table["size"].dtype
    gaps = gan.sample(20, conditions={"island": np.nan})
    assert gaps["island"].isna().all()


@pytest.mark.parametrize(
    "conditions, match",
    [
        ({"bill": 40.0}, "column 'bill' is numeric"),
        ({"island": "Atlantis"}, "'Atlantis' is not a level of column 'island'"),
        ({"colour": "red"}, "column 'colour', which fit did not see"),
        ({"tagged": np.nan}, "'tagged' had no missing values"),
    ],
)
def test_bad_conditions_get_clear_errors(fitted_table_gan, conditions, match):
    _, gan = fitted_table_gan
    with pytest.raises(ValueError, match=match):
        gan.sample(5, conditions=conditions)


def test_fit_resample_on_a_mixed_table_returns_the_table_with_its_categories():
    table = penguins(600)
    y = np.where(table["species"] == "Chinstrap", "rare", "common")
    keep = (y == "common") | (np.arange(len(y)) % 3 == 0)
    table, y = table[keep].reset_index(drop=True), y[keep]
    counts = pd.Series(y).value_counts()
    gan = GANSampler(max_steps=50, rejection_sampling=False, random_state=0)
    X_res, y_res = gan.fit_resample(table, pd.Series(y, name="kind"))
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert y_res.name == "kind" and (y_res.value_counts() == counts.max()).all()
    assert all(X_res[c].dtype == table[c].dtype for c in table)
    assert_same_table(X_res.iloc[: len(table)], table, numeric_exact=True)
    assert gan.sampling_strategy_ == {"rare": counts.max() - counts["rare"]}


@pytest.mark.parametrize(
    "strategy, added",
    [
        ("auto", {1: 80, 2: 40}),
        ("minority", {1: 80}),
        ("not minority", {0: 0, 2: 40}),
        ("all", {0: 0, 1: 80, 2: 40}),
        ({1: 30, 2: 70}, {1: 10, 2: 10}),
        (lambda y: {1: 25}, {1: 5}),
    ],
)
def test_sampling_strategy_has_imbalanced_learns_meanings(strategy, added):
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], [100, 20, 60])
    X = rng.normal(size=(len(y), 2))
    gan = GANSampler(max_steps=2, sampling_strategy=strategy, random_state=0)
    X_res, y_res = gan.fit_resample(X, y)
    assert gan.sampling_strategy_ == added
    assert_array_equal(np.bincount(y_res) - np.bincount(y), [added.get(c, 0) for c in range(3)])
    assert X_res.shape == (len(y_res), 2)


@pytest.mark.parametrize(
    "strategy, y, match",
    [
        (0.5, np.repeat([0, 1, 2], [100, 20, 60]), "float only when the type of target is binary"),
        (0.1, np.repeat([0, 1], [100, 20]), "Please increase the ratio"),
        ({1: 5}, np.repeat([0, 1], [100, 20]), "greater or equal to the original"),
        ({7: 50}, np.repeat([0, 1], [100, 20]), "not present in the data"),
        ("auto", np.zeros(120, dtype=int), "only one class is present"),
    ],
)
def test_sampling_strategy_errors(strategy, y, match):
    X = np.random.RandomState(0).normal(size=(len(y), 2))
    with pytest.raises(ValueError, match=match):
        GANSampler(max_steps=2, sampling_strategy=strategy).fit_resample(X, y)


def test_fit_resample_keeps_lists_and_float32():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 2)).astype(np.float32)
    y = np.repeat([0, 1], [90, 30])
    gan = GANSampler(max_steps=2, random_state=0)
    X_res, _ = gan.fit_resample(X, y)
    assert X_res.dtype == np.float32
    X_list, y_list = gan.fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_list, list) and isinstance(y_list, list) and len(y_list) == 180
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_allclose(np.asarray(X_list)[:120], X)


def test_sparse_tables_are_densified_within_a_memory_budget(monkeypatch):
    X = sparse.random(200, 5, density=0.3, format="csr", random_state=0)
    y = np.repeat([0, 1], [150, 50])
    X_res, y_res = GANSampler(max_steps=2, random_state=0).fit_resample(X, y)
    assert sparse.issparse(X_res) and X_res.format == "csr" and X_res.shape == (300, 5)
    assert_allclose(X_res[:200].toarray(), X.toarray())
    monkeypatch.setattr(_table, "MAX_DENSE_BYTES", 1_000)
    with pytest.raises(ValueError, match="would take .* GiB as dense rows.*TruncatedSVD"):
        GANSampler(max_steps=2).fit(X)
    # The other estimators refuse sparse input as scikit-learn's dense-only ones do.
    with pytest.raises(TypeError, match="dense data is required"):
        AutoencoderTransformer(max_epochs=1).fit(X)


def test_block_softmax_equals_a_softmax_per_block():
    import torch

    from skae._modules import GAN, GUMBEL_TAU

    blocks = [(2, 5), (5, 7), (7, 11)]  # after 2 numeric columns, widths 3, 2 and 4
    gan = GAN(11, 4, (8,), (8,), blocks=blocks)
    logits = torch.randn(6, 9, requires_grad=True)
    gumbel = -torch.empty(6, 9).exponential_().log()
    got = gan.block_softmax(logits, gumbel)
    expected = torch.cat(
        [((logits + gumbel)[:, a - 2 : b - 2] / GUMBEL_TAU).softmax(-1) for a, b in blocks], 1
    )
    torch.testing.assert_close(got, expected)
    weights = torch.randn(6, 9)
    (grad,) = torch.autograd.grad((got * weights).sum(), logits)
    (expected_grad,) = torch.autograd.grad((expected * weights).sum(), logits)
    torch.testing.assert_close(grad, expected_grad)
