import io
import pickle

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from skorch.callbacks import Callback

from skae import AutoencoderTransformer
from skae._data import RandomSplit, TensorData

from .conftest import requires_cuda

FAST = dict(max_epochs=5, random_state=0)


def test_fit_transform_shapes_and_dtypes(blobs):
    ae = AutoencoderTransformer(encoding_dim=3, **FAST).fit(blobs)
    codes = ae.transform(blobs)
    assert codes.shape == (120, 3) and codes.dtype == np.float64
    assert ae.inverse_transform(codes).shape == (120, 6)
    assert ae.transform(blobs.astype(np.float32)).dtype == np.float32
    assert ae.n_features_in_ == 6
    assert ae.n_iter_ == 5 and len(ae.loss_curve_) == 5
    assert not hasattr(ae, "validation_scores_")


def test_pca_init_starts_at_pca_and_improves_on_it(digits):
    X, _ = digits
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    pca = PCA(8).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    # Before any optimizer step the model is exactly PCA (up to float32).
    untrained = AutoencoderTransformer(8, max_epochs=1, lr=1e-12, random_state=0).fit(X_train)
    assert -untrained.score(X_test) == pytest.approx(pca_mse, rel=1e-3)
    trained = AutoencoderTransformer(8, max_epochs=40, random_state=0).fit(X_train)
    assert -trained.score(X_test) < 0.8 * pca_mse


@pytest.mark.parametrize(
    "params, linear_path",
    [
        ({}, False),  # carried by 8 shifted ReLU units inside the MLPs
        ({"activation": "elu", "hidden_dims": (64, 32)}, False),
        ({"activation": "tanh"}, True),  # not the identity on any half-line
        ({"hidden_dims": (6,)}, True),  # too narrow for 8 codes
        ({"dropout": 0.1}, True),
    ],
)
def test_pca_start_is_exact_inside_the_mlp_or_beside_it(digits, params, linear_path):
    X, _ = digits
    pca = PCA(8).fit(X)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2)
    ae = AutoencoderTransformer(8, max_epochs=1, lr=1e-12, random_state=0, **params).fit(X)
    assert -ae.score(X) == pytest.approx(pca_mse, rel=1e-4)
    module = ae.net_.module_
    assert hasattr(module.encoder, "linear") == linear_path
    if not linear_path:  # the default costs no more per step than init="random"
        plain = AutoencoderTransformer(8, init="random", max_epochs=1, **params).fit(X)
        count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
        assert count(module) == count(plain.net_.module_)


def test_reconstruction_beats_pca_at_full_training(digits):
    X, _ = digits
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    pca = PCA(16).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    ae = AutoencoderTransformer(16, init="random", max_epochs=60, random_state=0).fit(X_train)
    ae_mse = np.mean((ae.inverse_transform(ae.transform(X_test)) - X_test) ** 2)
    assert ae_mse < pca_mse
    assert -ae.score(X_test) == pytest.approx(ae_mse, rel=1e-5)


def test_pipeline_on_digits_classifies(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    pipe = Pipeline(
        [
            ("scale", MinMaxScaler()),
            ("ae", AutoencoderTransformer(encoding_dim=16, max_epochs=30, random_state=0)),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    ).fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > 0.9


def test_float64_pipeline_after_standard_scaler(blobs):
    pipe = make_pipeline(StandardScaler(), AutoencoderTransformer(**FAST))
    assert pipe.fit_transform(blobs).dtype == np.float64


@pytest.mark.slow
def test_grid_search_in_worker_processes_picks_larger_code(digits):
    X, y = digits
    pipe = Pipeline(
        [
            ("ae", AutoencoderTransformer(max_epochs=10, random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    search = GridSearchCV(pipe, {"ae__encoding_dim": [2, 16]}, cv=3, n_jobs=2).fit(X, y)
    assert search.best_params_ == {"ae__encoding_dim": 16}
    assert search.best_estimator_.named_steps["ae"].n_iter_ == 10


def test_grid_search_on_transformer_alone_uses_score(blobs):
    search = GridSearchCV(AutoencoderTransformer(**FAST), {"encoding_dim": [1, 4]}, cv=3)
    search.fit(blobs)
    assert search.best_params_ == {"encoding_dim": 4}


@pytest.mark.parametrize(
    "round_trip",
    [
        lambda est: clone(est).fit(*est._fit_args),
        lambda est: pickle.loads(pickle.dumps(est)),
        lambda est: _joblib_round_trip(est),
    ],
    ids=["clone", "pickle", "joblib"],
)
def test_round_trips_give_identical_codes(blobs, round_trip):
    ae = AutoencoderTransformer(encoding_dim=3, noise=0.1, dropout=0.1, **FAST).fit(blobs)
    ae._fit_args = (blobs,)
    assert_array_equal(round_trip(ae).transform(blobs), ae.transform(blobs))


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def test_random_state_controls_the_result(blobs):
    def codes(seed):
        ae = AutoencoderTransformer(max_epochs=3, noise=0.1, random_state=seed)
        return ae.fit_transform(blobs)

    assert_array_equal(codes(0), codes(0))
    assert not np.allclose(codes(0), codes(1))


def test_fit_leaves_global_torch_rng_alone(blobs):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    AutoencoderTransformer(**FAST).fit(blobs)
    assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.array([[1.0, np.inf], [2.0, 3.0]]), ValueError, "infinity"),
        (np.array([[1.0, "b"], ["c", 2.0]], dtype=object), ValueError, "mixes numbers"),
        (np.array([[1 + 2j, 1.0], [2.0, 3.0]]), ValueError, "Complex data not supported"),
        (np.arange(5.0), ValueError, "Expected 2D array"),
        (np.zeros((2, 2, 2)), ValueError, "dim 3"),
        (np.zeros((0, 3)), ValueError, "0 sample"),
        (sp.csr_matrix(np.eye(3)), TypeError, "dense"),
    ],
    ids=["inf", "mixed", "complex", "1d", "3d", "empty", "sparse"],
)
def test_bad_input_fails_before_training(X, error, match):
    with pytest.raises(error, match=match):
        AutoencoderTransformer(**FAST).fit(X)


def test_wrong_number_of_features_at_transform(blobs):
    ae = AutoencoderTransformer(**FAST).fit(blobs)
    with pytest.raises(ValueError, match="6 features"):
        ae.transform(blobs[:, :4])
    with pytest.raises(ValueError, match="expects 2 codes"):
        ae.inverse_transform(np.zeros((3, 5)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"encoding_dim": 0}, "'encoding_dim' parameter"),
        ({"lr": -0.1}, "'lr' parameter"),
        ({"activation": "swish"}, "'activation' parameter .* Got 'swish'"),
        ({"optimizer": "lbfgs"}, "'optimizer' parameter"),
        ({"hidden_dims": (8, 0)}, "'hidden_dims' parameter"),
        ({"dropout": 1.0}, "'dropout' parameter"),
        ({"loss": "mae"}, "'loss' parameter"),
        ({"device": "tpu"}, "device"),
        ({"optimizer": "sgd", "momentum": 0.0, "nesterov": True}, "nesterov"),
    ],
)
def test_invalid_parameters_are_named(blobs, params, match):
    with pytest.raises(ValueError, match=match):
        AutoencoderTransformer(**params).fit(blobs)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error(blobs):
    with pytest.raises(ValueError, match="no CUDA GPU"):
        AutoencoderTransformer(device="cuda").fit(blobs)


def test_bce_needs_unit_interval(blobs):
    with pytest.raises(ValueError, match=r"loss='bce' needs numeric columns in \[0, 1\]"):
        AutoencoderTransformer(loss="bce").fit(blobs)


def test_bce_reconstructions_are_probabilities(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, loss="bce", max_epochs=10, random_state=0).fit(X[:500])
    recon = ae.inverse_transform(ae.transform(X[:500]))
    assert recon.min() >= 0 and recon.max() <= 1
    assert np.mean((recon - X[:500]) ** 2) < np.var(X[:500])


def test_diverging_loss_stops_with_clear_error():
    X = np.random.RandomState(0).rand(50, 5) * 1e15
    with pytest.raises(FloatingPointError, match="Training diverged"):
        AutoencoderTransformer(optimizer="sgd", lr=10.0, max_epochs=20).fit(X)


def test_not_fitted():
    with pytest.raises(NotFittedError):
        AutoencoderTransformer().transform(np.zeros((2, 3)))


def test_early_stopping_keeps_best_weights(blobs):
    # A random start: from PCA, these blobs' best epoch is worse than the start,
    # which is then kept (see test_faults).
    ae = AutoencoderTransformer(
        early_stopping=True,
        n_iter_no_change=3,
        max_epochs=500,
        lr=0.01,
        init="random",
        random_state=0,
    ).fit(blobs)
    assert ae.n_iter_ < 500
    assert len(ae.validation_scores_) == ae.n_iter_
    # The model kept is the one of the best validation epoch.
    _, valid = RandomSplit(ae.validation_fraction, ae.net_.seed)(
        TensorData(torch.as_tensor(blobs, dtype=torch.float32))
    )
    assert ae.score(valid.X.numpy()) == pytest.approx(max(ae.validation_scores_), rel=1e-4)
    restored = pickle.loads(pickle.dumps(ae))
    assert_array_equal(restored.transform(blobs), ae.transform(blobs))


def test_partial_fit_adds_one_epoch_and_learns(blobs):
    ae = AutoencoderTransformer(random_state=0, lr=0.01)
    ae.partial_fit(blobs)
    first = ae.score(blobs)
    for _ in range(9):
        ae.partial_fit(blobs)
    assert ae.n_iter_ == 10
    assert ae.score(blobs) > first


def test_warm_start_continues(blobs):
    ae = AutoencoderTransformer(warm_start=True, **FAST).fit(blobs)
    weights = ae.net_.module_.encoder[0].weight.detach().clone()
    ae.fit(blobs)
    assert ae.n_iter_ == 10
    assert not torch.equal(weights, ae.net_.module_.encoder[0].weight)
    cold = AutoencoderTransformer(**FAST).fit(blobs)
    cold.fit(blobs)
    assert cold.n_iter_ == 5


def test_pandas_in_and_out(blobs):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(blobs, columns=[f"f{i}" for i in range(6)])
    ae = AutoencoderTransformer(encoding_dim=3, **FAST).set_output(transform="pandas")
    out = ae.fit_transform(df)
    assert list(out.columns) == [f"autoencodertransformer{i}" for i in range(3)]
    assert_array_equal(ae.feature_names_in_, df.columns)
    assert_array_equal(ae.get_feature_names_out(), out.columns)


def test_user_callbacks_run_and_are_not_mutated(blobs):
    class CountEpochs(Callback):
        def initialize(self):
            self.epochs_ = 0
            return self

        def on_epoch_end(self, net, **kwargs):
            self.epochs_ += 1

    counter = CountEpochs()
    ae = AutoencoderTransformer(callbacks=[("count", counter)], **FAST).fit(blobs)
    assert dict(ae.net_.callbacks_)["count"].epochs_ == 5
    assert not hasattr(counter, "epochs_")


def test_keyboard_interrupt_leaves_usable_model(blobs):
    class Interrupt(Callback):
        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == 2:
                raise KeyboardInterrupt

    ae = AutoencoderTransformer(callbacks=[Interrupt()], max_epochs=50).fit(blobs)
    assert ae.n_iter_ == 2
    assert ae.transform(blobs).shape == (120, 2)


def test_clip_grad_norm_bounds_each_step(blobs):
    lr, clip, epochs = 0.1, 1e-3, 2
    ae = AutoencoderTransformer(
        optimizer="sgd",
        momentum=0.0,
        lr=lr,
        clip_grad_norm=clip,
        max_epochs=epochs,
        batch_size=40,
        init="random",
        random_state=0,
    )
    ae.fit(blobs)
    start = AutoencoderTransformer(init="random", random_state=0, max_epochs=1, lr=1e-30)
    start.fit(blobs)
    moved = torch.sqrt(
        sum(
            ((a - b) ** 2).sum()
            for a, b in zip(
                ae.net_.module_.parameters(), start.net_.module_.parameters(), strict=True
            )
        )
    )
    n_steps = epochs * 3
    assert 0 < moved <= n_steps * lr * clip * 1.001


def test_accumulation_equals_larger_batches(blobs):
    common = dict(optimizer="sgd", momentum=0.0, lr=0.05, max_epochs=3, random_state=0)
    accumulated = AutoencoderTransformer(batch_size=20, accumulation_steps=2, **common)
    large = AutoencoderTransformer(batch_size=40, **common)
    # 120 rows: three groups of two 20-row batches are three 40-row batches.
    assert_allclose(
        accumulated.fit_transform(blobs), large.fit_transform(blobs), rtol=1e-4, atol=1e-6
    )


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "sgd", "rmsprop"])
def test_every_optimizer_reduces_the_loss(blobs, optimizer):
    ae = AutoencoderTransformer(
        optimizer=optimizer,
        lr=0.01,
        nesterov=optimizer == "sgd",
        max_epochs=10,
        init="random",
        random_state=0,
    ).fit(blobs)
    assert ae.loss_curve_[-1] < ae.loss_curve_[0]


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "prelu", "elu", "gelu", "tanh", "sigmoid"]
)
def test_every_activation_trains(blobs, activation):
    ae = AutoencoderTransformer(activation=activation, init="random", lr=0.01, **FAST)
    assert ae.fit(blobs).loss_curve_[-1] < ae.loss_curve_[0]


def test_sparse_codes_with_l1_activity(blobs):
    plain = AutoencoderTransformer(encoding_dim=4, max_epochs=30, random_state=0).fit(blobs)
    sparse = AutoencoderTransformer(
        encoding_dim=4, l1_activity=1.0, max_epochs=30, random_state=0
    ).fit(blobs)
    assert np.abs(sparse.transform(blobs)).mean() < 0.6 * np.abs(plain.transform(blobs)).mean()


def test_l1_weight_penalty_shrinks_weights(blobs):
    def weight_l1(ae):
        return sum(p.abs().sum().item() for p in ae.net_.module_.parameters())

    plain = AutoencoderTransformer(init="random", max_epochs=30, random_state=0).fit(blobs)
    l1 = AutoencoderTransformer(init="random", l1=1e-2, max_epochs=30, random_state=0).fit(blobs)
    assert weight_l1(l1) < weight_l1(plain)


def test_denoising_reconstructs_clean_rows(digits):
    X, _ = digits
    rng = np.random.RandomState(0)
    noisy = np.clip(X + rng.normal(scale=0.3, size=X.shape), 0, 1)
    ae = AutoencoderTransformer(16, noise=0.3, max_epochs=30, random_state=0).fit(X)
    denoised = ae.inverse_transform(ae.transform(noisy))
    assert np.mean((denoised - X) ** 2) < 0.5 * np.mean((noisy - X) ** 2)


def test_score_samples_flags_outliers(digits):
    X, _ = digits
    ae = AutoencoderTransformer(8, max_epochs=20, random_state=0).fit(X)
    outliers = np.random.RandomState(0).rand(20, 64)
    assert ae.score_samples(outliers).max() < np.median(ae.score_samples(X))
    assert ae.score(X) == pytest.approx(ae.score_samples(X).mean())


def test_verbose_2_prints_one_line_per_epoch(blobs, capsys):
    AutoencoderTransformer(verbose=2, max_epochs=3).fit(blobs)
    lines = [line for line in capsys.readouterr().out.splitlines() if "train_loss" not in line]
    assert sum(line.strip()[:1].isdigit() for line in lines) == 3
    AutoencoderTransformer(verbose=0, max_epochs=3).fit(blobs)
    assert capsys.readouterr() == ("", "")


@pytest.mark.cuda
@requires_cuda
def test_cuda_training_and_cpu_round_trip(blobs):
    ae = AutoencoderTransformer(device="cuda", **FAST).fit(blobs)
    assert next(ae.net_.module_.parameters()).is_cuda
    restored = pickle.loads(pickle.dumps(ae))
    assert_allclose(restored.transform(blobs), ae.transform(blobs), rtol=1e-6)
