import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.stats import ks_2samp
from sklearn.base import clone
from sklearn.datasets import make_moons
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from skae import GANSampler, _marginals
from skae._marginals import MarginalMatcher
from skae._modules import GAN
from skae._rejection import RatioRejector
from skae.metrics import c2st_auc, mode_coverage, tstr_score

FAST = dict(max_steps=20, random_state=0)


@pytest.fixture(scope="module")
def moons():
    return make_moons(600, noise=0.1, random_state=0)


@pytest.fixture(scope="module")
def fitted_conditional(moons):
    X, y = moons
    return GANSampler(**FAST).fit(X, y)


def test_unconditional_sample_shapes_and_fresh_rows(moons):
    X, _ = moons
    gan = GANSampler(**FAST).fit(X)
    first, second = gan.sample(50), gan.sample(50)
    assert first.shape == (50, 2) and first.dtype == np.float64
    assert not np.allclose(first, second)
    assert gan.sample().shape == (1, 2)


def test_random_state_makes_the_sequence_reproducible(moons):
    X, y = moons
    a = GANSampler(**FAST).fit(X, y)
    b = GANSampler(**FAST).fit(X, y)
    for _ in range(2):
        (Xa, ya), (Xb, yb) = a.sample(20), b.sample(20)
        assert_array_equal(Xa, Xb)
        assert_array_equal(ya, yb)


def test_conditional_sampling_follows_requested_and_fitted_labels(fitted_conditional):
    gan = fitted_conditional
    X, y = gan.sample(4000)
    assert X.shape == (4000, 2)
    assert abs(np.mean(y == 1) - 0.5) < 0.05
    labels = np.array([1, 0, 0, 1, 1])
    X_req, y_req = gan.sample(y=labels)
    assert_array_equal(y_req, labels)
    assert X_req.shape == (5, 2)


def test_class_frequencies_are_followed():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 3))
    y = np.array(["rare"] * 40 + ["common"] * 360)
    gan = GANSampler(**FAST).fit(X, y)
    _, labels = gan.sample(5000)
    assert abs(np.mean(labels == "rare") - 0.1) < 0.02
    assert set(gan.classes_) == {"rare", "common"}


def test_dataframe_round_trip_with_integer_columns_and_ranges():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    df = pd.DataFrame(
        {
            "age": rng.randint(18, 90, 300),
            "income": rng.lognormal(10, 1, 300),
            "score": rng.uniform(0, 1, 300).astype(np.float32),
        }
    )
    gan = GANSampler(**FAST).fit(df)
    samples = gan.sample(500)
    assert isinstance(samples, pd.DataFrame)
    assert list(samples.columns) == list(df.columns)
    assert (samples.dtypes == df.dtypes).all()
    assert (samples["age"] % 1 == 0).all()
    for column in df:
        assert samples[column].min() >= df[column].min()
        assert samples[column].max() <= df[column].max()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda g: g.sample(0), ValueError, "n_samples must be positive"),
        (lambda g: g.sample(-3), ValueError, "n_samples must be positive"),
        (lambda g: g.sample(2.5), TypeError, "n_samples must be an int"),
        (lambda g: g.sample(y=[0, 7]), ValueError, r"Labels \[7\] were not seen"),
    ],
    ids=["zero", "negative", "float", "unseen-label"],
)
def test_bad_sample_requests(fitted_conditional, call, error, match):
    with pytest.raises(error, match=match):
        call(fitted_conditional)


def test_sample_y_without_conditional_fit(moons):
    gan = GANSampler(**FAST).fit(moons[0])
    with pytest.raises(ValueError, match="fitted without y"):
        gan.sample(y=[0])


def test_sample_before_fit():
    with pytest.raises(NotFittedError):
        GANSampler().sample(3)


def test_fit_resample_needs_y(moons):
    with pytest.raises(ValueError, match="needs class labels y"):
        GANSampler(**FAST).fit_resample(moons[0], None)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "wasserstein"}, "'loss' parameter"),
        ({"pac": 0}, "'pac' parameter"),
        ({"n_critic": 0}, "'n_critic' parameter"),
        ({"latent_dim": 0}, "'latent_dim' parameter"),
        ({"preprocessing": "minmax"}, "'preprocessing' parameter"),
        ({"lr_decay": "linear"}, "'lr_decay' parameter"),
        ({"label_loss": -1.0}, "'label_loss' parameter"),
        ({"rejection_sampling": "yes"}, "'rejection_sampling' parameter"),
        ({"match_marginals": 1}, "'match_marginals' parameter"),
        ({"generator_hidden_dims": (64, 0)}, "'generator_hidden_dims' parameter"),
        ({"discriminator_hidden_dims": "auto"}, "'discriminator_hidden_dims' parameter"),
    ],
)
def test_invalid_parameters(moons, params, match):
    with pytest.raises(ValueError, match=match):
        GANSampler(**params).fit(moons[0])


def _hidden_widths(network):
    linears = [m for m in network.modules() if isinstance(m, torch.nn.Linear)]
    return tuple(m.out_features for m in linears[:-1])


@pytest.mark.parametrize(
    "n_features, width", [(2, 128), (32, 128), (40, 160), (64, 256), (100, 256)]
)
def test_default_hidden_widths_grow_with_the_features(n_features, width):
    X = np.random.default_rng(0).normal(size=(60, n_features))
    module = GANSampler(max_steps=1, random_state=0).fit(X).net_.module_
    assert _hidden_widths(module.generator) == (width, width)
    assert _hidden_widths(module.critic) == (width, width)


def test_given_hidden_widths_are_used(moons):
    gan = GANSampler(
        max_steps=1, generator_hidden_dims=(16, 8), discriminator_hidden_dims=[12]
    ).fit(moons[0])
    assert _hidden_widths(gan.net_.module_.generator) == (16, 8)
    assert _hidden_widths(gan.net_.module_.critic) == (12,)


def test_bad_input(moons):
    X, y = moons
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="Column 0 contains infinity"):
        GANSampler(**FAST).fit(X_inf)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GANSampler(**FAST).fit(X, y[:-1])
    with pytest.raises(ValueError, match="Unknown label type"):
        GANSampler(**FAST).fit(X, X[:, 0])


def test_diverging_training_stops_with_clear_error(moons):
    with pytest.raises(FloatingPointError, match="Training diverged"):
        GANSampler(optimizer="sgd", lr=1e12, gradient_penalty=0, max_steps=50).fit(
            moons[0] * 1e6, None
        )


def test_fit_resample_balances_classes():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (270, 2)), rng.normal(4, 1, (30, 2))])
    y = np.repeat([0, 1], [270, 30])
    X_res, y_res = GANSampler(**FAST).fit_resample(X, y)
    assert_array_equal(np.bincount(y_res), [270, 270])
    assert_array_equal(X_res[:300], X)


def test_history_records_both_losses(fitted_conditional):
    history = fitted_conditional.net_.history
    assert len(history[:, "generator_loss"]) == fitted_conditional.n_iter_
    assert len(history[:, "critic_loss"]) == fitted_conditional.n_iter_
    assert fitted_conditional.net_.critic_steps_ >= 20 * fitted_conditional.n_critic


def test_pickle_and_clone(fitted_conditional, moons):
    restored = pickle.loads(pickle.dumps(fitted_conditional))
    X_a, y_a = restored.sample(10)
    X_b, y_b = fitted_conditional.sample(10)
    assert_array_equal(X_a, X_b)
    assert_array_equal(y_a, y_b)
    assert clone(fitted_conditional).get_params() == fitted_conditional.get_params()


def test_grid_search_with_user_scorer(moons):
    X, _ = moons

    def mean_gap(estimator, X_test, y_test=None):
        return -float(np.abs(estimator.sample(len(X_test)).mean(0) - X_test.mean(0)).sum())

    search = GridSearchCV(GANSampler(**FAST), {"latent_dim": [2, 8]}, cv=2, scoring=mean_gap)
    search.fit(X)
    scores = search.cv_results_["mean_test_score"]
    # The user's scorer ranked the candidates (a gap: finite and at most zero).
    assert np.isfinite(scores).all() and (scores <= 0).all()
    assert search.best_params_ == search.cv_results_["params"][int(np.argmax(scores))]
    assert search.best_estimator_.sample(3).shape == (3, 2)


def test_metrics_tell_good_from_bad_samples():
    rng = np.random.RandomState(0)
    real = rng.normal(size=(400, 2))
    assert c2st_auc(real, rng.normal(size=(400, 2)), random_state=0) < 0.6
    assert c2st_auc(real, rng.normal(size=(400, 2)) * 3, random_state=0) > 0.8
    with pytest.raises(ValueError, match="features"):
        c2st_auc(real, real[:, :1])

    modes = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]])
    collapsed = np.repeat(modes[:1], 100, axis=0) + rng.normal(0, 0.01, (100, 2))
    result = mode_coverage(collapsed, modes, std=0.01)
    assert result["modes"] == 1 and result["high_quality"] > 0.95
    assert result["reverse_kl"] == pytest.approx(np.log(4))
    spread = np.repeat(modes, 25, axis=0) + rng.normal(0, 0.01, (100, 2))
    assert mode_coverage(spread, modes, std=0.01)["reverse_kl"] == pytest.approx(0.0)

    y = (real[:, 0] > 0).astype(int)
    assert tstr_score(real, y, real, y) > 0.95
    assert tstr_score(real, 1 - y, real, y) < 0.05


def test_tied_integer_values_spread_over_the_normal_scale():
    # Mostly-zero integer columns (like image pixels) must not pile up at the quantile
    # map's clip bound, or the GAN cannot learn them.
    rng = np.random.RandomState(0)
    X = np.where(rng.rand(500, 3) < 0.8, 0, rng.randint(1, 17, (500, 3))).astype(float)
    gan = GANSampler(max_steps=1, random_state=0).fit(X)
    scaled = gan.table_codec_.transform(X, rng=np.random.default_rng(0))
    assert np.mean(np.abs(scaled) > 4) < 0.01  # without spreading, 80% sit at -5.2
    assert set(np.unique(gan.sample(200))) <= set(range(17))


def test_cosine_lr_decay_ends_near_zero_and_restarts_on_warm_start(moons):
    X, _ = moons
    gan = GANSampler(max_steps=20, lr=1e-3, lr_decay="cosine", random_state=0).fit(X)
    optimizers = (gan.net_.optimizer_, gan.net_.generator_optimizer_)
    # Last of 20 steps: lr * (1 + cos(pi * 19 / 20)) / 2 = 0.006 * lr.
    assert all(opt.param_groups[0]["lr"] < 0.01 * 1e-3 for opt in optimizers)
    gan.set_params(warm_start=True, max_steps=40).fit(X)
    # The second fit decays anew over its own 40 steps (not past zero).
    assert 0 < gan.net_.optimizer_.param_groups[0]["lr"] < 0.01 * 1e-3
    constant = GANSampler(max_steps=20, lr=1e-3, lr_decay="constant", random_state=0).fit(X)
    assert constant.net_.optimizer_.param_groups[0]["lr"] == 1e-3


@pytest.mark.parametrize("activation", ["leaky_relu", "relu", "elu"])
@pytest.mark.parametrize(
    ("n_classes", "pac", "hidden"), [(3, 2, (16, 8)), (0, 1, (16,)), (2, 4, ())]
)
def test_critic_input_gradient_equals_autograds(activation, n_classes, pac, hidden):
    # The penalty's closed-form gradient (ELU: autograd's fallback) must match
    # differentiating the critic, in value and in what it passes to the weights.
    torch.manual_seed(0)
    gan = GAN(5, 4, (8,), hidden, n_classes=n_classes, pac=pac, critic_activation=activation)
    x = torch.randn(24, 5)
    onehot = None
    if n_classes:
        onehot = torch.nn.functional.one_hot(torch.arange(24) % n_classes, n_classes).float()
    rows = x.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(gan.criticise(rows, onehot).sum(), rows, create_graph=True)
    expected = expected.reshape(24 // pac, 5 * pac)
    got = gan.critic_input_gradient(x, onehot)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected)
    weights = list(gan.critic.parameters())

    def weight_grads(grad):
        penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
        return torch.autograd.grad(penalty, weights, allow_unused=True, materialize_grads=True)

    for a, b in zip(weight_grads(got), weight_grads(expected), strict=True):
        torch.testing.assert_close(a, b)


def test_label_loss_trains_a_classifier_the_generator_obeys():
    # Two classes whose rows differ only in the sign of the first feature: a
    # generator that ignores the label puts half its rows on the wrong side.
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 600)
    X = np.c_[np.where(y == 1, 1.0, -1.0) + 0.2 * rng.normal(size=600), rng.normal(size=600)]
    gan = GANSampler(max_steps=100, label_loss=1.0, rejection_sampling=False, random_state=0)
    gan.fit(X, y)
    assert gan.net_.module_.classifier is not None
    X_new, y_new = gan.sample(y=np.repeat([0, 1], 200))
    assert np.mean(np.sign(X_new[:, 0]) == np.where(y_new == 1, 1, -1)) > 0.95
    # Without labels there is nothing to classify.
    assert GANSampler(max_steps=1, label_loss=1.0).fit(X).net_.module_.classifier is None


def test_rejection_sampling_moves_samples_onto_the_data():
    # Two tight clusters; a briefly trained generator still puts a third of its rows
    # off them, and the real-vs-generated classifier turns those down.
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-3, 0.1, (300, 2)), rng.normal(3, 0.1, (300, 2))]

    def near_share(gan):
        samples = gan.sample(1000)
        distance = np.minimum(np.abs(samples - 3).max(axis=1), np.abs(samples + 3).max(axis=1))
        return np.mean(distance < 0.3)

    # Wide networks trained briefly: they leave rows off the clusters to reject
    # (marginal matching, which would move many of them on, is off).
    wide = (256, 256)
    common = dict(
        max_steps=50,
        generator_hidden_dims=wide,
        discriminator_hidden_dims=wide,
        match_marginals=False,
        random_state=0,
    )
    raw = near_share(GANSampler(rejection_sampling=False, **common).fit(X))
    filtered = GANSampler(rejection_sampling=True, **common).fit(X)
    assert filtered.rejector_.active_
    # At least three quarters of the rows off the clusters are turned down.
    assert 1 - near_share(filtered) <= 0.25 * (1 - raw)


def test_rejection_sampling_is_skipped_on_tiny_tables():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2))
    with_step = GANSampler(max_steps=5, rejection_sampling=True, random_state=0).fit(X)
    without = GANSampler(max_steps=5, rejection_sampling=False, random_state=0).fit(X)
    assert not with_step.rejector_.active_
    assert_array_equal(with_step.sample(20), without.sample(20))


def test_matched_marginals_follow_each_class():
    # Class 0's first column is exponential, class 1's uniform on [2, 4]: a briefly
    # trained generator gets neither shape; matching gives each class its own.
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 400)
    X = np.c_[
        np.where(y == 0, rng.exponential(1.0, 800), rng.uniform(2, 4, 800)),
        rng.normal(size=800),
    ]
    labels = np.repeat([0, 1], 1000)

    def worst_ks(gan):
        X_new, _ = gan.sample(y=labels)
        return max(
            ks_2samp(X_new[labels == c, j], X[y == c, j]).statistic for c in (0, 1) for j in (0, 1)
        )

    common = dict(max_steps=30, rejection_sampling=False, random_state=0)
    unmatched = GANSampler(match_marginals=False, **common).fit(X, y)
    matched = GANSampler(match_marginals=True, **common).fit(X, y)
    assert unmatched.marginal_matcher_ is None
    # Two samples of one distribution, 1000 and 400 rows: 0.08 is the 5% critical value.
    assert worst_ks(matched) < min(0.08, worst_ks(unmatched))


def test_marginal_matching_restores_spread_along_principal_axes():
    # Real rows (in the GAN's normal training space): correlation 0.8 and unequal
    # scales. A generator that missed both (independent standard normals) gets the
    # correlation back from the pass along the class's principal axes and each
    # column's marginal from the pass along the features; a 20-row class stays as
    # generated.
    rng = np.random.RandomState(0)
    real = rng.multivariate_normal([1, -2], [[4, 1.6], [1.6, 1]], size=600)
    codes = np.r_[np.zeros(580, dtype=int), np.ones(20, dtype=int)]

    def generate(codes, n):
        return rng.normal(size=(n, 2))

    matcher = MarginalMatcher().fit(real, codes, generate)
    rows = generate(None, 2000)
    matched = matcher.transform(rows, np.zeros(2000, dtype=int))
    assert abs(np.corrcoef(rows.T)[0, 1]) < 0.1
    assert np.corrcoef(matched.T)[0, 1] == pytest.approx(0.8, abs=0.04)
    for j in range(2):
        assert ks_2samp(matched[:, j], real[codes == 0, j]).statistic < 0.06
    assert_array_equal(matcher.transform(rows, np.ones(2000, dtype=int)), rows)


@pytest.mark.parametrize("local", [True, False])
def test_marginal_matching_gives_each_cluster_of_a_class_its_shape(local, monkeypatch):
    # One class, two blobs of different shapes: wide and flat on the left, narrow and
    # tall on the right. The generator has both blobs round. Class-wide maps can
    # only give both blobs the pooled spread; the local pass, within k-means
    # clusters of the class, gives each blob its own.
    if not local:
        monkeypatch.setattr(_marginals, "MAX_CLUSTERS", 1)
    rng = np.random.RandomState(0)
    left = rng.normal([-4, 0], [1.0, 0.2], size=(300, 2))
    right = rng.normal([4, 0], [0.2, 1.0], size=(300, 2))
    real = np.vstack([left, right])

    def generate(codes, n):
        centres = np.where(rng.uniform(size=(n, 1)) < 0.5, -4.0, 4.0)
        return np.hstack([centres, np.zeros((n, 1))]) + rng.normal(0, 0.5, (n, 2))

    matcher = MarginalMatcher().fit(real, np.zeros(600, dtype=int), generate)
    matched = matcher.transform(generate(None, 4000), np.zeros(4000, dtype=int))
    on_left = matched[:, 0] < 0
    spread_left = matched[on_left].std(axis=0)
    spread_right = matched[~on_left].std(axis=0)
    assert len(matcher.local_maps_) == int(local)
    if local:
        assert_allclose(spread_left, [1.0, 0.2], rtol=0.15)
        assert_allclose(spread_right, [0.2, 1.0], rtol=0.15)
    else:
        # The pooled vertical spread, about 0.7, on both sides.
        assert spread_left[1] > 0.5 and spread_right[1] < 0.85


def test_marginal_matching_of_a_class_of_identical_rows_warns_nothing():
    # k-means finds one distinct cluster where two were asked for: no
    # ConvergenceWarning reaches the user, and the class maps onto its one row.
    rng = np.random.RandomState(0)
    real = np.tile([[1.0, 2.0]], (150, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        matcher = MarginalMatcher().fit(
            real, np.zeros(150, dtype=int), lambda codes, n: rng.normal(size=(n, 2))
        )
    matched = matcher.transform(rng.normal(size=(50, 2)), np.zeros(50, dtype=int))
    assert_allclose(matched, np.tile([[1.0, 2.0]], (50, 1)))


def test_matcher_pickled_before_local_matching_maps_classes_as_a_whole():
    # A matcher pickled by the release before the local pass has no ``local_maps_``:
    # it must load and map each class with its class-wide maps, as it did then.
    rng = np.random.RandomState(0)
    real = rng.normal(size=(600, 3))
    matcher = MarginalMatcher().fit(
        real, np.zeros(600, dtype=int), lambda codes, n: rng.normal(1, 2, (n, 3))
    )
    del matcher.local_maps_
    old = pickle.loads(pickle.dumps(matcher))
    rows = rng.normal(1, 2, (500, 3))
    expected = _marginals._apply_passes(rows, *old.maps_[0])
    assert_array_equal(old.transform(rows, np.zeros(500, dtype=int)), expected)


def test_marginal_matching_draws_fewer_reference_rows_for_wide_tables():
    # 2 classes of 2,500 features: 10,000 generated rows per class would hold 50
    # million values; the budget of 20 million allows 4,000 per class.
    rng = np.random.RandomState(0)
    real = rng.normal(size=(120, 2_500))
    drawn = []

    def generate(codes, n):
        drawn.append(n)
        return rng.normal(size=(n, real.shape[1]))

    MarginalMatcher().fit(real, np.repeat([0, 1], 60), generate)
    assert drawn == [4_000, 4_000]


@pytest.mark.slow
def test_local_matching_stays_within_its_size_budget():
    # Every cluster keeps quantile tables of every feature. 10 classes of 64 columns
    # fit the budget of 2,000 class-cluster-columns with 2 clusters each (their
    # 130 rows allow no more); 10 classes of 210 columns get no local pass at all.
    rng = np.random.RandomState(0)
    codes = np.repeat(np.arange(10), 130)
    for n_features, clusters in [(64, 2), (210, 0)]:
        matcher = MarginalMatcher().fit(
            rng.normal(size=(1300, n_features)),
            codes,
            lambda c, n, d=n_features: rng.normal(size=(n, d)),
        )
        sizes = {len(local.centres) for local in matcher.local_maps_.values()}
        assert sizes == ({clusters} if clusters else set())


def test_samples_keep_the_correlation_between_columns():
    # Six columns with correlation 0.9, shifted by class. Sampling each column on its
    # own (here: shuffling real columns independently) keeps every marginal and is
    # told from real rows at once; the GAN's rows must keep the joint structure.
    rng = np.random.RandomState(0)
    n_features = 6
    cov = np.full((n_features, n_features), 0.9) + 0.1 * np.eye(n_features)
    y = rng.randint(2, size=600)
    X = rng.multivariate_normal(np.zeros(n_features), cov, size=600) + 1.5 * y[:, None]
    X_train, X_test, y_train = X[:400], X[400:], y[:400]
    columnwise = np.column_stack([rng.permutation(column) for column in X_train.T])
    baseline = c2st_auc(X_test, columnwise, random_state=0)
    X_new, _ = GANSampler(max_steps=200, random_state=0).fit(X_train, y_train).sample(y=y_train)
    assert baseline > 0.95
    assert c2st_auc(X_test, X_new, random_state=0) < baseline - 0.1


def test_rejection_turns_down_rows_where_the_data_has_none():
    # Real rows fill the dark cells of a checkerboard; the generator covers the whole
    # square. The classifier, stopped early, stays unsure in the light cells, so the
    # ratio rule alone keeps a few percent of rows there; the floor turns most of
    # them down while keeping the rows on the data.
    rng = np.random.RandomState(0)

    def on_data(X):
        return (np.floor(X[:, 0]) + np.floor(X[:, 1])) % 2 == 0

    real = rng.uniform(0, 4, (8000, 2))
    real = real[on_data(real)][:3000]
    rejector = RatioRejector(random_state=0).fit(real, rng.uniform(0, 4, (3000, 2)))
    proposals = rng.uniform(0, 4, (20000, 2))
    kept = rejector.accept(proposals, None, np.random.RandomState(1))
    ratio_only = np.minimum(1, rejector.ratio(proposals) / rejector.threshold_)

    on = on_data(proposals)
    off_share_by_ratio = np.sum(ratio_only[~on]) / np.sum(ratio_only)
    assert off_share_by_ratio > 0.03
    assert np.mean(~on[kept]) < 0.5 * off_share_by_ratio
    assert np.mean(kept[on]) > 0.97 * np.mean(ratio_only[on])


def test_rejector_pickled_before_the_floor_still_samples():
    # A rejector pickled by the release before the floor has no ``floor_``: it must
    # load and accept rows as it did then, by the ratio alone.
    rng = np.random.RandomState(0)
    rejector = RatioRejector(random_state=0).fit(
        rng.normal(size=(500, 2)), rng.normal(1, 1, (500, 2))
    )
    del rejector.floor_
    old = pickle.loads(pickle.dumps(rejector))
    proposals = rng.normal(size=(2000, 2))
    kept = old.accept(proposals, None, np.random.RandomState(1))
    expected = np.random.RandomState(1).uniform(size=2000) < np.minimum(
        1.0, old.ratio(proposals) / old.threshold_
    )
    assert_array_equal(kept, expected)


def test_keyboard_interrupt_leaves_a_sampler_that_samples(moons):
    # skorch ends training on Ctrl-C; the sampler must still finish its fit (marginal
    # matching, rejection) and draw rows from the generator trained so far.
    class Interrupt(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    X, y = moons
    gan = GANSampler(max_steps=5000, callbacks=[Interrupt()], random_state=0).fit(X, y)
    assert gan.n_iter_ == 2
    assert gan.marginal_matcher_ is not None and gan.rejector_.active_
    X_new, y_new = gan.sample(y=[0, 1] * 50)
    assert X_new.shape == (100, 2) and np.isfinite(X_new).all()
    assert_array_equal(y_new, [0, 1] * 50)
