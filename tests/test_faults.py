"""Faults and awkward input: every one ends in a usable model, the model the user
had, or a clear error that names the problem (issue #19). One test per cause."""

import os
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback, Checkpoint, EarlyStopping

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier

X = np.random.RandomState(0).randn(200, 6)
Y = (X[:, 0] > 0).astype(int)


def semi(y, seed=0):
    y = np.array(y, dtype=object if np.asarray(y).dtype.kind in "OUS" else None)
    y[np.random.RandomState(seed).rand(len(y)) < 0.7] = -1
    return y


class InterruptAt(Callback):
    """Raises KeyboardInterrupt (a Ctrl-C) at the end of batch ``at`` (counted from 1)."""

    def __init__(self, at=1):
        self.at = at

    def initialize(self):
        self.seen_ = 0
        return self

    def on_batch_end(self, net, **kwargs):
        self.seen_ += 1
        if self.seen_ == self.at:
            raise KeyboardInterrupt


def ae(**params):
    return AutoencoderTransformer(
        **{"encoding_dim": 2, "max_epochs": 3, "random_state": 0, **params}
    )


def gan(**params):
    return GANSampler(**{"max_steps": 20, "random_state": 0, **params})


def clf(**params):
    defaults = dict(
        encoding_dim=4, hidden_dims=(16,), pretrain_epochs=2, finetune_epochs=2, random_state=0
    )
    return PretrainedClassifier(**{**defaults, **params})


def outputs(est, X=X):
    """What a fitted estimator gives (deterministic)."""
    if isinstance(est, GANSampler):
        return est.net_.module_.generator_ema(torch.zeros(4, est.latent_dim)).detach().numpy()
    if isinstance(est, PretrainedClassifier):
        return est.predict_proba(X)
    return est.transform(X)


# --------------------------------------------------------------- 1. Ctrl-C
@pytest.mark.parametrize("at", [1, 3])
@pytest.mark.parametrize("make", [ae, gan, clf], ids=["ae", "gan", "clf"])
def test_ctrl_c_keeps_the_weights_trained_so_far(make, at):
    est = make(callbacks=[InterruptAt(at)])
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X, Y if make is clf else None)
    # Only whole epochs count; the cut-short one's batches stay trained.
    assert est.n_iter_ == len(est.loss_curve_) == (at - 1) // est.net_.n_train_batches_
    if isinstance(est, GANSampler):
        assert np.isfinite(est.sample(10)).all()
    else:
        assert np.isfinite(outputs(est)).all()


def test_ctrl_c_in_pretraining_moves_on_to_fine_tuning():
    est = clf(autoencoder=AutoencoderTransformer(4, max_epochs=2, callbacks=[InterruptAt(1)]))
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X, semi(Y))
    assert est.n_iter_ == 2
    assert np.isfinite(est.predict_proba(X)).all()


# --------------------------------------------------- 2. fit is transactional
DIVERGE = dict(optimizer="sgd", lr=1e8)


@pytest.mark.parametrize("make", [ae, gan], ids=["ae", "gan"])
def test_diverged_refit_keeps_the_previous_model(make):
    est = make().fit(X)
    before, codec = outputs(est), est.table_codec_
    with pytest.raises(FloatingPointError, match="diverged"):
        est.set_params(**DIVERGE).fit(X * 100)
    assert est.table_codec_ is codec
    np.testing.assert_array_equal(outputs(est), before)


@pytest.mark.parametrize("make", [ae, gan], ids=["ae", "gan"])
def test_diverged_first_fit_leaves_the_estimator_unfitted(make):
    est = make(**DIVERGE)
    with pytest.raises(FloatingPointError):
        est.fit(X * 100)
    with pytest.raises(NotFittedError):
        est.transform(X) if isinstance(est, AutoencoderTransformer) else est.sample(2)
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_diverged_continued_fit_restores_the_weights_and_history(how):
    est = ae(warm_start=how == "warm_start").fit(X)
    before, n_iter, history = outputs(est), est.n_iter_, len(est.net_.history)
    # Continued training keeps its optimizer: rows whose squared error overflows
    # float32 make it diverge.
    with pytest.raises(FloatingPointError):
        est.partial_fit(X * 1e30) if how == "partial_fit" else est.fit(X * 1e30)
    np.testing.assert_array_equal(outputs(est), before)
    assert est.n_iter_ == n_iter and len(est.net_.history) == history
    # It trains on from there exactly as a twin that never failed does (same
    # weights, optimizer state and batch order).
    twin = ae(warm_start=how == "warm_start").fit(X)
    est.partial_fit(X)
    twin.partial_fit(X)
    assert est.n_iter_ == n_iter + 1
    np.testing.assert_array_equal(outputs(est), outputs(twin))


def test_classifier_diverging_in_fine_tuning_keeps_the_previous_model():
    pretrained = AutoencoderTransformer(4, max_epochs=2, random_state=0).fit(X)
    est = clf(autoencoder=pretrained).fit(X, semi(Y))
    before = est.predict_proba(X)
    with pytest.raises(FloatingPointError):
        est.set_params(**DIVERGE).fit(X, semi(Y))
    np.testing.assert_array_equal(est.predict_proba(X), before)


def test_failed_gan_refit_keeps_its_table_form():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=list("abcdef"))
    est = gan().fit(frame)
    with pytest.raises(FloatingPointError):
        est.set_params(**DIVERGE).fit(X * 100)
    sample = est.sample(5)
    assert list(sample.columns) == list("abcdef")
    assert np.isfinite(sample.to_numpy()).all()


# ------------------------------------------------------------- 3. class_weight
def test_class_weight_is_keyed_by_label():
    y = semi(np.array([1, 2, 3])[np.arange(200) % 3])
    est = clf(class_weight={2: 50}).fit(X, y)
    np.testing.assert_array_equal(est.net_.class_weight, [1, 50, 1])
    labels = semi(np.array(["cat", "dog"], dtype=object)[Y])
    est = clf(class_weight={"dog": 3.0}).fit(X, labels)
    np.testing.assert_array_equal(est.net_.class_weight, [1, 3])
    with pytest.raises(ValueError, match="not in class_weight"):
        clf(class_weight={"fish": 3.0}).fit(X, labels)


# ----------------------------------------------------- 4. beyond float32's range
@pytest.mark.parametrize("make", [ae, clf], ids=["ae", "clf"])
def test_values_beyond_float32_are_refused_naming_the_column(make):
    est = make().fit(X, semi(Y) if make is clf else None)
    row = X[:3].copy()
    row[1, 4] = 1e39
    method = est.predict_proba if make is clf else est.transform
    with pytest.raises(ValueError, match="(?i)column 4.*float32"):
        method(row)
    if make is ae:
        with pytest.raises(ValueError, match="(?i)column 4.*float32"):
            est.score_samples(row)


@pytest.mark.parametrize("scale", [1e39, 1e-40])
def test_data_at_extreme_scales_is_rescaled_exactly(scale):
    est = ae(init="pca").fit(X * scale)
    codes = est.transform(X * scale)
    assert np.isfinite(codes).all() and codes.std(axis=0).min() > 0
    reconstructed = est.inverse_transform(codes) / scale
    assert np.isfinite(reconstructed).all()
    unit = ae(init="pca").fit(X)
    unit_error = np.mean((unit.inverse_transform(unit.transform(X)) - X) ** 2)
    assert np.mean((reconstructed - X) ** 2) < 1.5 * unit_error


def test_beyond_float32_is_caught_in_a_column_with_gaps():
    est = ae().fit(X)
    rows = X[:3].copy()
    rows[0, 4], rows[1, 4] = np.nan, 1e39
    with pytest.raises(ValueError, match="(?i)column 4.*float32"):
        est.transform(rows)


def test_a_table_of_constant_columns_fits_without_numpy_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        ae(init="random").fit(np.ones((50, 3)))


# ---------------------------------------------------- 5. GAN on small-scale data
def test_gan_keeps_the_spread_of_small_scale_data():
    unit = gan(max_steps=100).fit(X).sample(400)
    small = gan(max_steps=100).fit(X * 1e-9).sample(400) / 1e-9
    ratio_unit, ratio_small = unit.std(axis=0) / X.std(axis=0), small.std(axis=0) / X.std(axis=0)
    np.testing.assert_allclose(ratio_small, ratio_unit, rtol=0.25)


# ------------------------------------------------------- 6. bce scores outside [0, 1]
def test_bce_scores_refuse_rows_outside_unit_interval():
    data = 1 / (1 + np.exp(-X))
    est = ae(loss="bce").fit(data)
    assert np.isfinite(est.score_samples(data)).all()
    with pytest.raises(ValueError, match=r"loss='bce'.*\[0, 1\]"):
        est.score_samples(data * 3)


# ---------------------------------------------------------- 7. "-1" as a string
def test_string_minus_one_is_refused_as_a_label():
    y = semi(np.array(["a", "b"], dtype=object)[Y])
    y[y == -1] = "-1"
    with pytest.raises(ValueError, match="'-1'"):
        clf().fit(X, y)


# ------------------------------------------------- 8. sample(y=...) unknown labels
def test_sample_refuses_labels_it_would_have_to_coerce():
    animals = np.array(["cat", "dog"])[Y]
    est = gan(max_steps=2).fit(X, animals)
    with pytest.raises(ValueError, match="catfish"):
        est.sample(y=["catfish"])
    numeric = gan(max_steps=2).fit(X, Y)
    with pytest.raises(ValueError, match="1.7"):
        numeric.sample(y=[1.7])
    _, labels = numeric.sample(y=[1.0, 0])
    np.testing.assert_array_equal(labels, [1, 0])
    assert labels.dtype == numeric.classes_.dtype


# -------------------------------------------------------- 9. fit_resample of a path
def test_fit_resample_takes_a_npy_path(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, X)
    y = np.r_[np.zeros(150, int), np.ones(50, int)]
    X_res, y_res = gan(max_steps=2).fit_resample(str(path), y)
    assert X_res.shape == (300, 6) and np.bincount(y_res).tolist() == [150, 150]
    np.testing.assert_array_equal(X_res[:200], X)


# ---------------------------------------------------------- 10. unscaled columns
def test_columns_of_wildly_different_scales_train_no_worse_than_pca():
    scales = np.logspace(-6, 9, X.shape[1])
    data = X * scales
    with pytest.warns(UserWarning, match="scales"):
        est = ae(max_epochs=20).fit(data)
    error = np.mean((est.inverse_transform(est.transform(data)) - data) ** 2)
    pca = PCA(2).fit(data)
    pca_error = np.mean((pca.inverse_transform(pca.transform(data)) - data) ** 2)
    assert error <= 1.05 * pca_error


# ------------------------------------------------------------- 11. the rest
@pytest.mark.parametrize("callbacks", ["foo", 5, [1], [("name", 1)]])
def test_wrong_callbacks_are_refused(callbacks):
    with pytest.raises((TypeError, ValueError), match="callbacks"):
        ae(callbacks=callbacks).fit(X)


@pytest.mark.parametrize("callback", [EarlyStopping, Checkpoint], ids=["es", "ckpt"])
def test_callbacks_that_monitor_validation_need_early_stopping(callback, tmp_path):
    with pytest.raises(ValueError, match="early_stopping=True"):
        ae(callbacks=[callback(dirname=tmp_path) if callback is Checkpoint else callback()]).fit(X)
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("make", [ae, gan, clf], ids=["ae", "gan", "clf"])
def test_validation_fraction_must_leave_rows_to_train_on(make):
    est = make(early_stopping=True, validation_fraction=0.999)
    with pytest.raises(ValueError, match="validation_fraction"):
        est.fit(X, semi(Y) if make is clf else None)


def test_batch_norm_needs_batches_of_two_rows():
    with pytest.raises(ValueError, match="batch_norm=True.*batch_size"):
        ae(batch_norm=True, batch_size=1).fit(X)


def test_classifier_refuses_an_autoencoder_of_another_kind():
    with pytest.raises((TypeError, ValueError), match="autoencoder"):
        clf(autoencoder=PCA(2)).fit(X, semi(Y))


@pytest.mark.parametrize("make", [ae, gan, clf], ids=["ae", "gan", "clf"])
def test_feature_names_out_needs_a_fit(make):
    with pytest.raises(NotFittedError):
        make().get_feature_names_out()


def test_score_samples_of_huge_rows_is_finite_and_ordered():
    est = ae().fit(X)
    rows = X[:3] * np.array([[1], [1e18], [1e20]])
    scores = est.score_samples(rows)
    assert np.isfinite(scores).all() and scores[0] > scores[1] > scores[2]


def test_wide_data_pca_init_matches_pca():
    wide = np.random.RandomState(1).randn(30, 400)
    est = AutoencoderTransformer(3, max_epochs=1, lr=1e-12, random_state=0).fit(wide)
    codes = est.transform(wide)
    reference = PCA(3).fit_transform(wide)
    np.testing.assert_allclose(np.abs(codes), np.abs(reference), rtol=1e-3, atol=1e-3)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_path_that_is_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "x.npy"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        ae().fit(str(fifo))


def test_integer_npy_is_trained_on_from_disk(tmp_path):
    from skae._data import backed_by_memmap, open_array
    from skae._table import TableCodec

    path = tmp_path / "ints.npy"
    np.save(path, (X * 10).astype(np.int32))
    matrix = TableCodec("auto").fit_transform(open_array(str(path)))
    assert backed_by_memmap(matrix)
    est = ae().fit(str(path))
    assert est.transform(str(path)).dtype == np.float64


def test_transform_of_a_list_is_float64():
    est = ae().fit(X)
    assert est.transform(X[:3].tolist()).dtype == np.float64
    assert est.inverse_transform(est.transform(X[:3]).tolist()).dtype == np.float64


@pytest.mark.parametrize("make", [ae, gan, clf], ids=["ae", "gan", "clf"])
def test_restored_model_pickles(make):
    est = make().fit(X, Y if make is clf else None)
    with pytest.raises(FloatingPointError):
        est.set_params(**DIVERGE).fit(X * 100, Y if make is clf else None)
    again = pickle.loads(pickle.dumps(est))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(outputs(again), outputs(est))


def test_encoding_dim_beyond_the_features_warns():
    with pytest.warns(UserWarning, match="encoding_dim=8 exceeds the 6 features"):
        ae(encoding_dim=8).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ae(encoding_dim=8, l1_activity=1e-3).fit(X)  # sparse overcomplete codes
        clf(encoding_dim=8).fit(X, semi(Y))


def test_partial_fit_refuses_callbacks_that_monitor_validation():
    est = ae(early_stopping=True, callbacks=[("stop", EarlyStopping())])
    with pytest.raises(ValueError, match="partial_fit trains without a validation split"):
        est.partial_fit(X)
    # The failed call left it unfitted.
    with pytest.raises(NotFittedError):
        est.transform(X)
    ae(early_stopping=True).partial_fit(X)  # its own early stopping is inert there


def _fit_overcomplete():
    AutoencoderTransformer(encoding_dim=6, max_epochs=1, verbose=0).fit(np.eye(5))


def _fit_widely_scaled():
    X = np.random.default_rng(0).normal(size=(50, 3)) * [1.0, 1.0, 1e5]
    AutoencoderTransformer(encoding_dim=1, max_epochs=1, verbose=0).fit(X)


def _score_a_new_level():
    pd = pytest.importorskip("pandas")
    from skae import AutoencoderOutlierDetector

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=40), "kind": rng.choice(["a", "b"], 40)})
    detector = AutoencoderOutlierDetector(max_epochs=1, verbose=0).fit(frame)
    detector.score_samples(frame.head(2).assign(kind="c"))


@pytest.mark.parametrize(
    "trigger, match",
    [
        (_fit_overcomplete, "overcomplete"),
        (_fit_widely_scaled, "scales differ widely"),
        (_score_a_new_level, "not seen in fit"),
    ],
    ids=["estimator", "table codec under fit", "table codec under a detector's score"],
)
def test_warnings_name_the_users_line_however_deep_they_arise(trigger, match):
    # The same warning arises at different depths under different estimators and
    # methods; it must point at the user's code (here, this file), not at skae's,
    # skorch's or scikit-learn's.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trigger()
    ours = [w for w in caught if match in str(w.message)]
    assert ours, [str(w.message) for w in caught]
    assert {w.filename for w in ours} == {__file__}
