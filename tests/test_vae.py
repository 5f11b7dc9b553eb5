import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skae import VariationalAutoencoder


@pytest.fixture(scope="module")
def digits_split():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def fitted(digits_split):
    X_train, _, _, _ = digits_split
    return VariationalAutoencoder(encoding_dim=8, max_epochs=30, random_state=0).fit(X_train)


@pytest.fixture(scope="module")
def conditional(digits_split):
    X_train, _, y_train, _ = digits_split
    vae = VariationalAutoencoder(encoding_dim=8, max_epochs=30, random_state=0)
    return vae.fit(X_train, y_train)


def test_shapes_dtypes_and_feature_names(digits_split):
    X_train = digits_split[0][:300]
    vae = VariationalAutoencoder(encoding_dim=3, max_epochs=2, random_state=0)
    codes = vae.fit_transform(X_train)
    assert codes.shape == (300, 3) and codes.dtype == np.float64
    assert vae.transform(X_train.astype(np.float32)).dtype == np.float32
    assert vae.inverse_transform(codes).shape == (300, 64)
    assert vae.sample(5).shape == (5, 64)
    assert list(vae.get_feature_names_out()) == [f"variationalautoencoder{i}" for i in range(3)]
    assert vae.score_samples(X_train).shape == (300,)


def test_transform_is_deterministic(fitted, digits_split):
    X_test = digits_split[1]
    np.testing.assert_array_equal(fitted.transform(X_test), fitted.transform(X_test))


def test_reconstructs_better_than_column_means(fitted, digits_split):
    X_train, X_test = digits_split[:2]
    reconstructed = fitted.inverse_transform(fitted.transform(X_test))
    error = np.mean((reconstructed - X_test) ** 2)
    baseline = np.mean((X_train.mean(0) - X_test) ** 2)
    assert error < 0.5 * baseline


def test_samples_stay_in_range_and_repeat_with_random_state(fitted, digits_split):
    X_train = digits_split[0]
    samples = fitted.sample(200)
    assert samples.shape == (200, 64)
    assert samples.min() >= X_train.min() and samples.max() <= X_train.max()
    # A spread of rows, not one row repeated.
    assert samples.std(0).mean() > 0.1 * X_train.std(0).mean()
    twin = VariationalAutoencoder(encoding_dim=8, max_epochs=30, random_state=0).fit(X_train)
    np.testing.assert_array_equal(twin.sample(200), samples)
    # Successive calls continue the sequence: fresh rows.
    assert not np.array_equal(fitted.sample(200), samples)


def test_conditional_samples_carry_their_class(conditional, digits_split):
    X_train, X_test, y_train, y_test = digits_split
    judge = LogisticRegression(max_iter=2000).fit(X_train, y_train)
    assert judge.score(X_test, y_test) > 0.9
    asked = np.repeat(np.arange(10), 30)
    samples, labels = conditional.sample(y=asked)
    np.testing.assert_array_equal(labels, asked)
    agreement = np.mean(judge.predict(samples) == asked)
    chance = 1 / 10
    assert agreement > 0.7 > 5 * chance
    # Without y, labels are drawn with the training frequencies.
    samples, labels = conditional.sample(500)
    assert samples.shape == (500, 64) and set(labels) == set(range(10))


def test_conditional_needs_known_labels(conditional, digits_split):
    X_test = digits_split[1][:5]
    codes = conditional.transform(X_test)
    with pytest.raises(ValueError, match="fitted with y"):
        conditional.inverse_transform(codes)
    assert conditional.inverse_transform(codes, y=[1] * 5).shape == (5, 64)
    with pytest.raises(ValueError, match=r"Labels \[11\] were not seen in fit"):
        conditional.sample(y=[11])
    with pytest.raises(ValueError, match="5 rows but 2 labels"):
        conditional.score_samples(X_test, y=[1, 2])


def test_conditional_score_bounds_the_marginal(conditional, digits_split):
    X_test, y_test = digits_split[1][:50], digits_split[3][:50]
    given = conditional.score_samples(X_test, y_test)
    marginal = conditional.score_samples(X_test)
    # log sum_c p(c) exp(ELBO(x, c)) is at least its term for the true class.
    assert np.all(marginal >= given + np.log(conditional.class_prior_[y_test]) - 1e-9)
    assert conditional.score(X_test, y_test) == pytest.approx(given.mean())


def test_score_samples_ranks_real_rows_above_shuffled_and_noise(fitted, digits_split):
    X_test = digits_split[1]
    rng = np.random.RandomState(0)
    shuffled = np.array([rng.permutation(row) for row in X_test])
    noise = rng.uniform(0, 1, size=X_test.shape)
    real = fitted.score_samples(X_test)
    assert np.median(real) > np.percentile(fitted.score_samples(shuffled), 95)
    assert np.median(real) > np.percentile(fitted.score_samples(noise), 95)
    assert fitted.score(X_test) == pytest.approx(real.mean())


def test_unconditional_refuses_labels(fitted, digits_split):
    with pytest.raises(ValueError, match="fitted without y"):
        fitted.sample(y=[1])
    with pytest.raises(ValueError, match="fitted without y"):
        fitted.score_samples(digits_split[1][:3], y=[1, 1, 1])


@pytest.mark.parametrize("beta", [0, -1.0, "1"])
def test_beta_must_be_positive(beta, digits_split):
    vae = VariationalAutoencoder(beta=beta, max_epochs=1)
    with pytest.raises(ValueError, match="The 'beta' parameter of VariationalAutoencoder must be"):
        vae.fit(digits_split[0][:50])


def test_higher_beta_keeps_codes_closer_to_the_prior(digits_split):
    X_train = digits_split[0][:600]
    kl = {}
    for beta in (0.5, 4.0):
        vae = VariationalAutoencoder(encoding_dim=4, beta=beta, max_epochs=15, random_state=0)
        codes = vae.fit_transform(X_train)
        kl[beta] = np.mean(np.sum(codes**2, axis=1))
    assert kl[4.0] < kl[0.5]


def test_pickle_round_trip(conditional, digits_split):
    X_test, y_test = digits_split[1][:40], digits_split[3][:40]
    loaded = pickle.loads(pickle.dumps(conditional))
    np.testing.assert_array_equal(loaded.transform(X_test), conditional.transform(X_test))
    np.testing.assert_array_equal(
        loaded.score_samples(X_test, y_test), conditional.score_samples(X_test, y_test)
    )
    codes = conditional.transform(X_test)
    np.testing.assert_array_equal(
        loaded.inverse_transform(codes, y_test), conditional.inverse_transform(codes, y_test)
    )
    # The sampling sequence is saved too: both continue it alike.
    X_a, y_a = loaded.sample(30)
    X_b, y_b = conditional.sample(30)
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)


def test_dataframe_with_a_categorical_column():
    rng = np.random.RandomState(0)
    n = 300
    kind = rng.choice(["low", "high"], size=n, p=[0.7, 0.3])
    value = np.where(kind == "high", 3.0, -1.0) + 0.3 * rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "value": value,
            "other": rng.normal(size=n),
            "kind": pd.Categorical(kind, categories=["low", "high"]),
        }
    )
    frame.loc[::10, "other"] = np.nan
    vae = VariationalAutoencoder(max_epochs=40, random_state=0).fit(frame)
    codes = vae.transform(frame)
    assert codes.shape == (n, 2)
    reconstructed = vae.inverse_transform(codes)
    assert list(reconstructed.columns) == ["value", "other", "kind"]
    assert reconstructed["kind"].dtype == frame["kind"].dtype
    assert np.mean(reconstructed["kind"] == frame["kind"]) > 0.95
    samples = vae.sample(1000)
    assert samples.dtypes.equals(frame.dtypes)
    high = samples["kind"] == "high"
    # The share of each level, and the value that goes with it, are learned.
    assert 0.2 < high.mean() < 0.4
    assert samples.loc[high, "value"].mean() > samples.loc[~high, "value"].mean() + 2
    assert np.isfinite(vae.score_samples(frame)).all()


def test_early_stopping_records_the_validation_elbo(digits_split):
    vae = VariationalAutoencoder(max_epochs=5, early_stopping=True, random_state=0)
    vae.fit(digits_split[0][:400])
    assert len(vae.validation_scores_) == vae.n_iter_ == 5
    assert np.isfinite(vae.validation_scores_).all()


@pytest.mark.slow
def test_matched_marginals_bring_samples_closer_to_the_data(digits_split):
    from scipy.stats import wasserstein_distance

    X_train = digits_split[0][:600]
    distances = {}
    for match in (False, True):
        vae = VariationalAutoencoder(
            encoding_dim=8, max_epochs=20, match_marginals=match, random_state=0
        ).fit(X_train)
        samples = vae.sample(600)
        distances[match] = np.mean(
            [wasserstein_distance(samples[:, j], X_train[:, j]) for j in range(64)]
        )
        assert (vae.marginal_matcher_ is not None) == match
    assert distances[True] < 0.5 * distances[False]
    loaded = pickle.loads(pickle.dumps(vae))
    np.testing.assert_array_equal(loaded.sample(20), vae.sample(20))


def test_warm_start_continues_and_keeps_the_kind_of_fit(digits_split):
    X_train, _, y_train, _ = digits_split
    vae = VariationalAutoencoder(max_epochs=2, warm_start=True, random_state=0)
    vae.fit(X_train[:300], y_train[:300])
    first_loss = vae.loss_curve_[-1]
    vae.fit(X_train[:300], y_train[:300])
    assert vae.n_iter_ == 4 and vae.loss_curve_[-1] < first_loss
    with pytest.raises(ValueError, match="must use y exactly when the first fit did"):
        vae.fit(X_train[:300])
    assert vae.n_iter_ == 4  # the failed fit left the model as it was
