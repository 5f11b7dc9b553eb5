import pickle

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skae import AutoencoderOutlierDetector, AutoencoderTransformer
from skae.outlier import _auto_neighbors, _column_tails, _sorted_columns


def contaminated(seed=0, share=0.04):
    """Benign tumours of the Wisconsin breast cancer data and ``share`` of malignant
    ones (ODDS's recipe): ``(X, is_outlier)``, shuffled."""
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(seed)
    n_out = round(share * (y == 1).sum())
    outliers = rng.choice(np.flatnonzero(y == 0), n_out, replace=False)
    rows = rng.permutation(np.r_[np.flatnonzero(y == 1), outliers])
    return X[rows], y[rows] == 0


def best_of_forest_and_lof(X, is_outlier):
    """The better ROC-AUC of IsolationForest and LocalOutlierFactor, at their
    defaults, ranking the rows they were fitted on."""
    forest = IsolationForest(random_state=0).fit(X).score_samples(X)
    local = LocalOutlierFactor().fit(X).negative_outlier_factor_
    return max(roc_auc_score(is_outlier, -forest), roc_auc_score(is_outlier, -local))


@pytest.fixture(scope="module")
def fitted():
    X, is_outlier = contaminated()
    detector = AutoencoderOutlierDetector(max_epochs=5, random_state=0, verbose=0).fit(X)
    return detector, X, is_outlier


def test_predict_labels_and_decision_sign(fitted):
    detector, X, _ = fitted
    labels = detector.predict(X)
    assert set(np.unique(labels)) == {-1, 1}
    decision = detector.decision_function(X)
    np.testing.assert_array_equal(labels == -1, decision < 0)
    np.testing.assert_allclose(decision, detector.score_samples(X) - detector.offset_)
    np.testing.assert_array_equal(detector.fit_predict(X), labels)


def test_auto_offset_and_scale_of_scores(fitted):
    detector, X, _ = fitted
    assert detector.offset_ == -3.0
    # Standardised on the training rows: a typical row scores about 0.
    assert abs(np.median(detector.score_samples(X))) < 1.0


@pytest.mark.parametrize("contamination", [0.05, 0.2])
def test_contamination_flags_that_share_of_training_rows(contamination):
    X, _ = contaminated()
    detector = AutoencoderOutlierDetector(
        contamination=contamination, max_epochs=2, random_state=0, verbose=0
    )
    flagged = detector.fit_predict(X) == -1
    assert flagged.sum() == round(contamination * len(X))


@pytest.mark.parametrize("contamination", [0.0, 0.6, -0.1, "high"])
def test_bad_contamination_names_the_parameter(contamination):
    X, _ = contaminated()
    with pytest.raises(ValueError, match="'contamination' parameter"):
        AutoencoderOutlierDetector(contamination=contamination).fit(X)


def test_bad_encoding_dim_names_the_parameter():
    X, _ = contaminated()
    with pytest.raises(ValueError, match="'encoding_dim' parameter"):
        AutoencoderOutlierDetector(encoding_dim="max").fit(X)


def test_encoding_dim_auto_follows_the_data(fitted):
    detector, X, _ = fitted
    # 30 correlated measurements: a few codes explain 75% of their variance.
    assert 1 <= detector.encoding_dim_ < X.shape[1]
    assert detector.autoencoder_.encoding_dim == detector.encoding_dim_
    assert detector.net_ is detector.autoencoder_.net_
    assert detector.n_iter_ == 5


def test_pickle_round_trip_gives_identical_scores(fitted):
    detector, X, _ = fitted
    loaded = pickle.loads(pickle.dumps(detector))
    np.testing.assert_array_equal(loaded.score_samples(X), detector.score_samples(X))
    np.testing.assert_array_equal(loaded.predict(X), detector.predict(X))


@pytest.mark.parametrize("rule", [None, 2])
def test_detector_saved_by_an_earlier_version_asks_for_a_refit(fitted, rule):
    # Its references were computed under another score rule, or (before rule 2)
    # it lacks the kept rows: scoring must not go on with them.
    detector, X, _ = fitted
    state = pickle.loads(pickle.dumps(detector)).__getstate__()
    if rule is None:  # as the versions before rule 2 saved it
        del state["score_rule_"], state["training_rows_"]
    else:
        state["score_rule_"] = rule
    old = AutoencoderOutlierDetector.__new__(AutoencoderOutlierDetector)
    old.__setstate__(state)
    with pytest.raises(NotFittedError, match="earlier version of skae.*fit it again"):
        old.score_samples(X)


def test_skops_round_trip_trusts_only_skae_types(fitted):
    sio = pytest.importorskip("skops.io")
    detector, X, _ = fitted
    data = sio.dumps(detector)
    untrusted = set(sio.get_untrusted_types(data=data))
    assert all(name.startswith("skae.") for name in untrusted), untrusted
    loaded = sio.loads(data, trusted=sorted(untrusted))
    np.testing.assert_array_equal(loaded.score_samples(X), detector.score_samples(X))


def test_dataframe_with_categories_and_gaps():
    pd = pytest.importorskip("pandas")
    X, _ = contaminated()
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X[:, :6], columns=[f"x{i}" for i in range(6)])
    frame.loc[rng.choice(len(X), 20, replace=False), "x1"] = np.nan
    frame["kind"] = pd.Categorical(np.where(X[:, 0] > np.median(X[:, 0]), "high", "low"))
    detector = AutoencoderOutlierDetector(max_epochs=3, random_state=0, verbose=0).fit(frame)
    scores = detector.score_samples(frame)
    assert scores.shape == (len(X),) and np.isfinite(scores).all()
    assert set(np.unique(detector.predict(frame))) <= {-1, 1}
    np.testing.assert_array_equal(detector.feature_names_in_, frame.columns)
    with pytest.raises(ValueError, match="feature names"):
        detector.score_samples(frame.rename(columns={"x0": "other"}))


def test_fit_predict_labels_as_fit_then_predict_without_scoring_twice(monkeypatch):
    # A mixed table with gaps: the scores fit computes are those score_samples
    # gives the training rows, so fit_predict reuses them (as LocalOutlierFactor
    # does) rather than searching the rows a second time.
    pd = pytest.importorskip("pandas")
    X, _ = contaminated()
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(X[:, :6], columns=[f"x{i}" for i in range(6)])
    frame.loc[rng.choice(len(X), 20, replace=False), "x1"] = np.nan
    frame["kind"] = pd.Categorical(rng.choice(["a", "b", "c"], len(X)))
    params = dict(contamination=0.1, max_epochs=2, random_state=0, verbose=0)
    expected = AutoencoderOutlierDetector(**params).fit(frame).predict(frame)

    def no_second_scoring(self, X):
        raise AssertionError("fit_predict scored the training rows again")

    monkeypatch.setattr(AutoencoderOutlierDetector, "score_samples", no_second_scoring)
    labels = AutoencoderOutlierDetector(**params).fit_predict(frame)
    np.testing.assert_array_equal(labels, expected)
    assert (labels == -1).sum() == round(0.1 * len(X))


def test_values_fit_never_saw_make_a_row_more_abnormal():
    # A level no training row had, or a gap in a column that had none, lies
    # beyond every training row of its column; the model matrix alone would show
    # an all-zero block or the column's mean, and the row would look as normal or
    # more normal than it is.
    pd = pytest.importorskip("pandas")
    X, _ = contaminated()
    frame = pd.DataFrame(X[:, :6], columns=[f"x{i}" for i in range(6)])
    frame["kind"] = pd.Categorical(np.where(X[:, 0] > np.median(X[:, 0]), "high", "low"))
    detector = AutoencoderOutlierDetector(max_epochs=3, random_state=0, verbose=0).fit(frame)
    scores = detector.score_samples(frame)
    rows = frame.iloc[np.argsort(scores)[-30:]]  # the most typical rows
    before = scores[np.argsort(scores)[-30:]]
    gap = rows.assign(x1=np.nan)
    with pytest.warns(UserWarning, match="'kind' holds 30 value"):
        new_level = detector.score_samples(rows.assign(kind="unheard of"))
    assert (new_level < before).all()
    assert (detector.score_samples(gap) < before).all()
    # Each such value adds what a value beyond every training row adds to the
    # row's column tails (the fifth measure), log(n + 1).
    M, unseen = detector._model_matrix(gap, reset=False, count_unseen=True)
    added = detector._measures(M, unseen=unseen)[:, 4] - detector._measures(M)[:, 4]
    np.testing.assert_allclose(added, np.log(len(frame) + 1))


def test_table_of_duplicated_rows_scores_its_rare_rows_within_bounds():
    # Category-only rows repeat exactly, so most distances are 0 and the measures
    # barely vary over the training rows; the five rows of a rare category must
    # still rank first, with scores of sane size (not 1e15 standard deviations).
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": pd.Categorical(rng.choice(["x", "y"], 400)),
            "b": pd.Categorical(rng.choice(["u", "v", "w"], 400)),
            "c": pd.Categorical(np.where(np.arange(400) < 5, "rare", "common")),
        }
    )
    scores = AutoencoderOutlierDetector(random_state=0, verbose=0).fit(frame).score_samples(frame)
    assert np.isfinite(scores).all()
    assert set(np.argsort(scores)[:5]) == set(range(5))
    assert np.abs(scores).max() < 1e4


def test_score_samples_on_new_rows(fitted):
    detector, X, _ = fitted
    far = X[20:30] + 10 * X.std(axis=0)
    assert (detector.predict(far) == -1).all()
    assert detector.score_samples(far).max() < detector.score_samples(X[20:]).min()


def test_warm_start_continues_the_same_autoencoder():
    X, _ = contaminated()
    detector = AutoencoderOutlierDetector(max_epochs=2, warm_start=True, random_state=0)
    detector.set_params(verbose=0).fit(X)
    autoencoder = detector.autoencoder_
    detector.fit(X)
    assert detector.autoencoder_ is autoencoder
    assert detector.n_iter_ == 4


@pytest.mark.slow
def test_ranks_planted_outliers_better_than_reconstruction_error():
    # The plain autoencoder's reconstruction error (standardised columns, its
    # defaults: 200 epochs, 2 codes) learns the malignant tumours among the benign
    # ones too; the detector must rank them better on every draw.
    for seed in range(2):
        X, is_outlier = contaminated(seed)
        detector = AutoencoderOutlierDetector(random_state=seed, verbose=0).fit(X)
        baseline = make_pipeline(
            StandardScaler(), AutoencoderTransformer(random_state=seed, verbose=0)
        ).fit(X)
        ours = roc_auc_score(is_outlier, -detector.score_samples(X))
        theirs = roc_auc_score(is_outlier, -baseline.score_samples(X))
        assert ours > theirs
        assert ours > 0.85


def test_row_distance_is_measured_on_the_model_matrix(fitted):
    # The third measure: log squared distances to the 10th and 20th nearest
    # training rows of the scaled model matrix (a row counts itself), averaged.
    detector, X, _ = fitted
    M = detector._model_matrix(X, reset=False)
    distances = NearestNeighbors(n_neighbors=20).fit(M).kneighbors(M)[0].astype(float)
    expected = np.log(distances[:, [9, 19]] ** 2 + 1e-6).mean(axis=1)
    np.testing.assert_allclose(detector._measures(M)[:, 2], expected, rtol=1e-5, atol=1e-5)


def test_relative_distance_is_local_outlier_factor(fitted):
    # The fourth measure is log LocalOutlierFactor on the model matrix, the larger
    # of the two neighbourhood sizes'; ours counts a training row among its own
    # neighbours (as for new rows scored later), scikit-learn's leaves it out, so
    # the two agree in rank rather than exactly.
    detector, X, _ = fitted
    M = detector._model_matrix(X, reset=False)
    theirs = np.max(
        [
            np.log(-LocalOutlierFactor(n_neighbors=k).fit(M).negative_outlier_factor_)
            for k in (9, 19)
        ],
        axis=0,
    )
    assert spearmanr(detector._measures(M)[:, 3], theirs)[0] > 0.99


def test_column_tails_count_the_reference_rows_at_least_as_extreme():
    reference = np.c_[np.arange(100.0), -(np.arange(100.0) ** 3)]  # right- and left-skewed
    rows = np.array([[200.0, 0.0], [49.5, -(49.5**3)], [-5.0, 10.0]])
    tails = _column_tails(*_sorted_columns(reference), rows)
    # Left shares (rows at most as large), right shares (at least as large), +1 each.
    left = np.array([[101, 100], [51, 51], [1, 101]]) / 101
    right = np.array([[1, 2], [51, 51], [101, 1]]) / 101
    # The first column's long side is the right one, the second's the left one.
    long_side = np.c_[right[:, 0], left[:, 1]]
    expected = np.max([-np.log(shares).sum(axis=1) for shares in (left, right, long_side)], axis=0)
    np.testing.assert_allclose(tails, expected)


def test_memory_order_of_the_rows_does_not_change_the_scores(fitted):
    # A Fortran-ordered table (as np.load and many DataFrames give) scores as its
    # C-ordered copy, and the kept training rows stay the rows given.
    detector, X, _ = fitted
    params = detector.get_params()
    fortran = AutoencoderOutlierDetector(**params).fit(np.asfortranarray(X))
    np.testing.assert_array_equal(fortran.score_samples(X), detector.score_samples(X))
    np.testing.assert_array_equal(fortran.training_rows_, detector.training_rows_)


def test_auto_neighbourhood_is_a_share_of_the_rows_within_bounds():
    assert [_auto_neighbors(n) for n in (30, 300, 1_099, 2_500, 5_000, 10**6)] == [
        10, 10, 10, 25, 50, 50,
    ]  # fmt: skip


def test_auto_neighbourhood_reaches_past_a_clump_of_outliers():
    # 25 outliers packed together, each the others' nearest neighbours: in
    # neighbourhoods of 10 and 20 they look like a populated region, in those of
    # "auto" (1% of 3,025 rows: 30 and 60) they reach the sparse rows around them.
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(3_000, 4)), rng.normal([2.5, -2.5, 0, 0], 0.05, (25, 4))]
    is_outlier = np.r_[np.zeros(3_000), np.ones(25)]
    aucs = {}
    for n_neighbors in ("auto", 10):
        detector = AutoencoderOutlierDetector(n_neighbors=n_neighbors, random_state=0, verbose=0)
        aucs[n_neighbors] = roc_auc_score(is_outlier, -detector.fit(X).score_samples(X))
        assert detector.n_neighbors_ == (30 if n_neighbors == "auto" else 10)
    assert aucs["auto"] > aucs[10] + 0.1, aucs


@pytest.mark.parametrize("order", ["C", "F"])
def test_sorted_columns_leave_the_reference_as_it_was(order):
    # The columns are sorted in place: on a copy, whichever the rows' memory order
    # (a Fortran-ordered table's transpose would otherwise be the table itself).
    reference = np.asarray(np.random.default_rng(0).normal(size=(50, 3)), order=order)
    before = reference.copy()
    columns, _ = _sorted_columns(reference)
    np.testing.assert_array_equal(reference, before)
    np.testing.assert_array_equal(columns, np.sort(before, axis=0).T)
    assert columns.flags.c_contiguous


@pytest.mark.filterwarnings("ignore:Training ended with a higher")  # 2 epochs
@pytest.mark.parametrize("rows_repeat", [False, True])
def test_local_outlier_factor_counts_only_where_most_rows_are_distinct(rows_repeat):
    # Where many rows repeat (here small integers), LocalOutlierFactor compares the
    # densities of distinct rows, blind to how often each repeats: the anomaly
    # leaves it out there, and only there.
    X = np.random.default_rng(0).normal(size=(300, 4))
    if rows_repeat:
        X = np.round(X)  # 55% of the rows distinct
    distinct = len(np.unique(X, axis=0)) / len(X)
    assert distinct < 0.7 if rows_repeat else distinct == 1.0
    detector = AutoencoderOutlierDetector(max_epochs=2, random_state=0, verbose=0).fit(X)
    measures = detector._measures(detector._model_matrix(X, reset=False))
    louder = measures.copy()
    louder[:, 3] += 100 * detector.references_[3, 1]  # the factor far above the rest
    unchanged = np.array_equal(detector._anomaly(louder), detector._anomaly(measures))
    assert unchanged == rows_repeat


def test_repeated_rows_do_not_make_their_neighbours_outliers():
    # Yes/no answers copied from three prototypes with a few flipped: many rows
    # repeat a prototype exactly, which gives LocalOutlierFactor unbounded
    # densities there (every row near a repeated one looks isolated); distances to
    # distinct rows keep the random rows the outliers.
    rng = np.random.default_rng(0)
    prototypes = rng.random((3, 16)) < 0.5
    rows = prototypes[rng.integers(3, size=400)] ^ (rng.random((400, 16)) < 0.05)
    X = np.vstack([rows, rng.random((16, 16)) < 0.5]).astype(float)
    is_outlier = np.r_[np.zeros(400, bool), np.ones(16, bool)]
    assert len(np.unique(X[:400], axis=0)) < 300  # many repeated rows
    detector = AutoencoderOutlierDetector(random_state=0, verbose=0).fit(X)
    assert len(detector.distinct_rows_) == len(np.unique(X, axis=0))
    local = LocalOutlierFactor().fit(X)
    ours = roc_auc_score(is_outlier, -detector.score_samples(X))
    assert ours > roc_auc_score(is_outlier, -local.negative_outlier_factor_) + 0.1
    assert ours > 0.95


def test_finds_a_compact_clump_at_the_low_end_of_most_columns():
    # Malignant tumours (which vary widely) with 12 benign ones among them: the
    # benign tumours are small on most features and alike, so each is the others'
    # near neighbour; how far into the columns' tails they lie gives them away.
    X, y = load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(0)
    rows = rng.permutation(
        np.r_[np.flatnonzero(y == 0), rng.choice(np.flatnonzero(y == 1), 12, replace=False)]
    )
    X, is_outlier = X[rows], y[rows] == 1
    detector = AutoencoderOutlierDetector(max_epochs=5, random_state=0, verbose=0).fit(X)
    measures = detector._measures(detector._model_matrix(X, reset=False))
    measures[:, 4] = -np.inf  # the detector's own rule, the tails left out of the max
    without_tails = detector._anomaly(measures)
    local = LocalOutlierFactor().fit(X)
    ours = roc_auc_score(is_outlier, -detector.score_samples(X))
    assert ours > roc_auc_score(is_outlier, without_tails) + 0.1
    assert ours > roc_auc_score(is_outlier, -local.negative_outlier_factor_)


def test_finds_a_clump_of_outliers_as_large_as_the_neighbourhood():
    # Ten rows of a rare, tight class away from two classes of 100: each is the
    # others' neighbour in a neighbourhood of 10, where it looks dense (as
    # LocalOutlierFactor with 10 neighbours sees it); the larger neighbourhood
    # reaches beyond the clump.
    rng = np.random.default_rng(1)
    centres = rng.normal(scale=3, size=(3, 8))
    X = np.vstack([c + rng.normal(size=(100, 8)) for c in centres[:2]])
    X = np.vstack([X, centres[2] + 0.5 * rng.normal(size=(10, 8))])
    is_outlier = np.r_[np.zeros(200, bool), np.ones(10, bool)]
    detector = AutoencoderOutlierDetector(n_neighbors=10, random_state=0, verbose=0).fit(X)
    local = LocalOutlierFactor(n_neighbors=10).fit(X)
    ours = roc_auc_score(is_outlier, -detector.score_samples(X))
    theirs = roc_auc_score(is_outlier, -local.negative_outlier_factor_)
    assert ours > theirs + 0.2
    assert ours > 0.9


def test_finds_rows_scattered_around_a_dense_cluster_as_lof_does():
    # A dense and a loose 2-d cluster, and rows scattered 1.2 to 2 from the dense
    # one's centre, typical distances in the loose one: LocalOutlierFactor's
    # textbook case. The scattered rows are each other's neighbours in a
    # neighbourhood of 10; only the larger one reaches the dense cluster.
    ours, theirs = [], []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        angle = rng.uniform(0, 2 * np.pi, 50)
        radius = rng.uniform(1.2, 2, (50, 1))
        X = np.vstack(
            [
                0.3 * rng.normal(size=(500, 2)),
                [6, 0] + 2 * rng.normal(size=(450, 2)),
                radius * np.c_[np.cos(angle), np.sin(angle)],
            ]
        )
        is_outlier = np.r_[np.zeros(950, bool), np.ones(50, bool)]
        detector = AutoencoderOutlierDetector(random_state=seed, verbose=0).fit(X)
        ours.append(roc_auc_score(is_outlier, -detector.score_samples(X)))
        local = LocalOutlierFactor().fit(X)
        theirs.append(roc_auc_score(is_outlier, -local.negative_outlier_factor_))
    assert np.mean(ours) > np.mean(theirs) - 0.01


def test_finds_a_dense_clump_of_faint_digits():
    # Digits at 40% contrast are nearer one another, and nearer the other digits,
    # than full-contrast digits are: a clump of 50, dense for every neighbourhood
    # size. Only their column tails (faint ink in many pixels) give them away, and
    # their closeness must not cancel that; IsolationForest and LOF rank them no
    # better than chance.
    X, _ = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    X = np.vstack([X[:1200], 0.4 * X[rng.choice(len(X), 50)]])
    is_outlier = np.r_[np.zeros(1200, bool), np.ones(50, bool)]
    detector = AutoencoderOutlierDetector(random_state=0, verbose=0).fit(X)
    ours = roc_auc_score(is_outlier, -detector.score_samples(X))
    assert ours > best_of_forest_and_lof(X, is_outlier) + 0.1


def test_finds_rows_off_a_curved_surface_that_isolation_forest_misses():
    # Rows of a curved 4-d surface in 40 dimensions; the outliers have a quarter of
    # their values taken from other rows, so each value is typical on its own.
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(600, 4))
    X = np.tanh(Z @ rng.normal(size=(4, 16))) @ rng.normal(size=(16, 40))
    X += 0.05 * rng.normal(size=X.shape)
    is_outlier = np.zeros(len(X), bool)
    is_outlier[:30] = True
    for row in X[:30]:
        columns = rng.choice(40, 10, replace=False)
        row[columns] = X[rng.integers(30, len(X), size=10), columns]
    detector = AutoencoderOutlierDetector(random_state=0, verbose=0).fit(X)
    forest = IsolationForest(random_state=0).fit(X)
    ours = roc_auc_score(is_outlier, -detector.score_samples(X))
    theirs = roc_auc_score(is_outlier, -forest.score_samples(X))
    assert ours > theirs + 0.1
    assert ours > 0.95


def test_encoding_dim_auto_reaches_a_drop_of_the_spectrum():
    # Rows near a 5-d subspace of 20 dimensions whose weakest direction holds 4%
    # of the variance: 75% would keep 3 codes and miss two; the drop after the
    # 5th component says the subspace has 5.
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(20, 5)))[0].T
    X = (rng.normal(size=(500, 5)) * [3, 3, 2, 2, 1]) @ basis
    X += 0.05 * rng.normal(size=X.shape)
    detector = AutoencoderOutlierDetector(max_epochs=1, random_state=0, verbose=0).fit(X)
    assert detector.encoding_dim_ == 5
    # Without a drop, the 75% rule alone: isotropic noise keeps most columns.
    noise = rng.normal(size=(500, 20))
    assert AutoencoderOutlierDetector(max_epochs=1, verbose=0).fit(noise).encoding_dim_ > 10


def test_finds_noisier_rows_when_columns_outnumber_rows():
    # 200 rows of 100 columns near a 5-d subspace, as in gene-expression tables;
    # the outliers have three times the noise off it. With more columns than rows,
    # every row is far from every other, and IsolationForest and LOF rank the
    # noisier rows little better than chance; the bottleneck (sized by the
    # spectrum's drop) leaves their extra noise unreconstructed.
    rng = np.random.default_rng(0)
    basis = rng.normal(size=(5, 100))
    noise = np.r_[np.full(200, 0.3), np.full(10, 0.9)][:, None]
    X = rng.normal(size=(210, 5)) @ basis + noise * rng.normal(size=(210, 100))
    is_outlier = noise[:, 0] > 0.3
    detector = AutoencoderOutlierDetector(random_state=0, verbose=0).fit(X)
    ours = roc_auc_score(is_outlier, -detector.score_samples(X))
    assert ours > best_of_forest_and_lof(X, is_outlier) + 0.1
    assert detector.encoding_dim_ == 5
