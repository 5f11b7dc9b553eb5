"""Convolutional models of images: ``image_shape`` on every estimator that takes it."""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.utils import estimator_checks
from torch import nn

from skae import (
    AutoencoderOutlierDetector,
    AutoencoderTransformer,
    PretrainedClassifier,
    VariationalAutoencoder,
)
from skae._modules import Autoencoder
from skae._threads import work_per_batch

from .conftest import requires_cuda

DIGIT = (1, 8, 8)
FAST = dict(max_epochs=2, random_state=0, verbose=0)


def _has_conv(module):
    return any(isinstance(layer, nn.Conv2d) for layer in module.modules())


@pytest.mark.parametrize("image_shape", [(1, 8, 8), (3, 7, 9), (2, 5, 4)])
@pytest.mark.parametrize("conv_channels", [(8,), (8, 16), (4, 8, 8)])
def test_codes_and_reconstructions_have_the_right_shapes(image_shape, conv_channels):
    # Odd heights and widths are halved rounding up and come back exact.
    X = np.random.default_rng(0).random((40, int(np.prod(image_shape))))
    ae = AutoencoderTransformer(
        3, image_shape=image_shape, conv_channels=conv_channels, init="random", **FAST
    )
    codes = ae.fit_transform(X)
    assert codes.shape == (40, 3)
    assert ae.inverse_transform(codes).shape == X.shape
    assert ae.score_samples(X).shape == (40,)
    assert _has_conv(ae.net_.module_)


def test_module_builds_the_exact_image_for_odd_sizes():
    module = Autoencoder(3 * 7 * 9, 4, (16,), image_shape=(3, 7, 9), conv_channels=(8, 16))
    output, code = module(torch.zeros(5, 3 * 7 * 9))
    assert output.shape == (5, 3 * 7 * 9) and code.shape == (5, 4)
    transposed = [m for m in module.decoder.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert len(transposed) == 2  # mirrors the two strided convolutions, no cropping


def test_decoder_ends_in_a_full_resolution_convolution_for_odd_sizes():
    module = Autoencoder(3 * 7 * 9, 4, (16,), image_shape=(3, 7, 9), conv_channels=(8, 16))
    last = module.decoder[-1]
    assert isinstance(last.conv, nn.Conv2d) and last.conv.stride == (1, 1)
    assert last.conv.in_channels == 4  # half the first stage's 8 channels
    feature_map = module.decoder[:-1](torch.zeros(5, 4))
    assert feature_map.shape == (5, 4, 7, 9)  # the transposed convolutions end at 7 x 9
    assert last.conv.positions == 7 * 9 and last.bias.shape == (3 * 7 * 9,)


def test_auto_activation_is_gelu_with_image_shape_and_relu_without():
    X = np.random.default_rng(0).random((40, 64))
    conv = AutoencoderTransformer(3, image_shape=DIGIT, **FAST).fit(X).net_.module_
    dense = AutoencoderTransformer(3, **FAST).fit(X).net_.module_
    assert any(isinstance(m, nn.GELU) for m in conv.modules())
    assert not any(isinstance(m, nn.ReLU) for m in conv.modules())
    assert any(isinstance(m, nn.ReLU) for m in dense.modules())
    assert not any(isinstance(m, nn.GELU) for m in dense.modules())
    relu = AutoencoderTransformer(3, image_shape=DIGIT, activation="relu", **FAST).fit(X)
    assert not any(isinstance(m, nn.GELU) for m in relu.net_.module_.modules())


def test_reconstructs_digits_better_than_column_means_and_pca(digits):
    X, _ = digits
    X_train, X_test = train_test_split(X, test_size=0.25, random_state=0)
    baseline = np.mean((X_train.mean(0) - X_test) ** 2)
    pca = PCA(8).fit(X_train)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X_test)) - X_test) ** 2)
    ae = AutoencoderTransformer(
        8, image_shape=DIGIT, conv_channels=(16, 32), max_epochs=20, random_state=0, verbose=0
    ).fit(X_train)
    error = -ae.score(X_test)
    assert error < 0.3 * baseline
    assert error < 0.9 * pca_mse


def test_pca_start_is_exact_beside_the_convolutions(digits):
    # init="pca" puts the PCA map in a linear layer beside the encoder and the
    # decoder, with the convolutional parts' outputs at zero.
    X, _ = digits
    pca = PCA(8).fit(X)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(X)) - X) ** 2)
    ae = AutoencoderTransformer(
        8,
        image_shape=DIGIT,
        conv_channels=(8, 16),
        hidden_dims=(32,),
        max_epochs=1,
        lr=1e-12,
        random_state=0,
    ).fit(X)
    assert -ae.score(X) == pytest.approx(pca_mse, rel=1e-4)
    assert hasattr(ae.net_.module_.encoder, "linear")
    plain = AutoencoderTransformer(
        8, image_shape=DIGIT, conv_channels=(8, 16), hidden_dims=(32,), init="random"
    )
    assert not hasattr(plain.fit(X[:50]).net_.module_.encoder, "linear")


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({"image_shape": (1, 7, 7)}, np.zeros((20, 64)), r"1\*7\*7 = 49 pixels per row, but X "),
        ({"image_shape": (8, 8)}, np.zeros((20, 64)), "'image_shape' parameter"),
        ({"image_shape": (1, 8, 0)}, np.zeros((20, 64)), "'image_shape' parameter"),
        ({"image_shape": DIGIT, "conv_channels": ()}, np.zeros((20, 64)), "conv_channels=\\(32"),
        (
            {"image_shape": (1, 2, 1)},
            pd.DataFrame({"a": [0.1, 0.2] * 10, "b": pd.Categorical(["x", "y"] * 10)}),
            "complete numeric array",
        ),
        ({"image_shape": (1, 2, 1)}, np.array([[0.0, np.nan], [0.0, 1.0]] * 10), "missing values"),
    ],
)
def test_bad_image_shapes_are_named(params, X, match):
    for estimator in (AutoencoderTransformer, VariationalAutoencoder, AutoencoderOutlierDetector):
        with pytest.raises(ValueError, match=match):
            estimator(**params, **FAST).fit(X)


def test_pickle_round_trip_gives_identical_outputs(digits):
    X = digits[0][:200]
    ae = AutoencoderTransformer(
        4, image_shape=DIGIT, conv_channels=(8, 16), hidden_dims=(32,), **FAST
    ).fit(X)
    loaded = pickle.loads(pickle.dumps(ae))
    assert_array_equal(loaded.transform(X), ae.transform(X))
    codes = ae.transform(X)
    assert_array_equal(loaded.inverse_transform(codes), ae.inverse_transform(codes))
    # Training goes on from the loaded model.
    assert loaded.partial_fit(X).n_iter_ == 3


def test_skops_round_trip_trusts_only_skae_types(digits):
    # The saved state is plain data (the module is rebuilt from its arguments),
    # so a convolutional model asks skops to trust nothing new.
    from .test_persistence import skops_round_trip

    X = digits[0][:200]
    ae = AutoencoderTransformer(4, image_shape=DIGIT, conv_channels=(8,), **FAST).fit(X)
    loaded, _ = skops_round_trip(ae)
    assert_array_equal(loaded.transform(X), ae.transform(X))


def test_get_params_and_clone_keep_image_shape():
    ae = AutoencoderTransformer(image_shape=DIGIT, conv_channels=(8, 16), hidden_dims=(32,))
    assert ae.get_params()["image_shape"] == DIGIT
    cloned = clone(ae)
    assert cloned.image_shape == DIGIT and cloned.conv_channels == (8, 16)
    assert clone(ae.set_params(image_shape=None)).image_shape is None


def test_variational_autoencoder_on_images(digits):
    X, y = digits[0][:300], digits[1][:300]
    vae = VariationalAutoencoder(
        4, image_shape=DIGIT, conv_channels=(8, 16), hidden_dims=(32,), **FAST
    ).fit(X, y)
    assert _has_conv(vae.net_.module_)
    assert vae.transform(X).shape == (300, 4)
    samples, labels = vae.sample(6, y=[3] * 6)
    assert samples.shape == (6, 64) and list(labels) == [3] * 6
    assert np.isfinite(vae.score_samples(X)).all()
    loaded = pickle.loads(pickle.dumps(vae))
    assert_array_equal(loaded.transform(X), vae.transform(X))


def test_outlier_detector_on_images(digits):
    X, y = digits
    inliers = X[y == 0][:150]
    outliers = 1 - X[y == 1][:8]  # negatives of ones: nothing like a zero
    data = np.vstack([inliers, outliers])
    detector = AutoencoderOutlierDetector(
        image_shape=DIGIT,
        conv_channels=(8, 16),
        hidden_dims=(32,),
        max_epochs=10,
        batch_size=32,
        random_state=0,
        verbose=0,
    ).fit(data)
    assert _has_conv(detector.autoencoder_.net_.module_)
    scores = detector.score_samples(data)
    assert scores[-8:].max() < np.median(scores[:-8])
    assert detector.predict(data).shape == (158,)


def test_pretrained_classifier_on_images(digits):
    X, y = digits[0][:400], digits[1][:400].copy()
    y[40:] = -1
    clf = PretrainedClassifier(
        16,
        image_shape=DIGIT,
        conv_channels=(8, 16),
        hidden_dims=(32,),
        pretrain_epochs=3,
        finetune_epochs=3,
        random_state=0,
        verbose=0,
    ).fit(X, y)
    assert _has_conv(clf.autoencoder_.net_.module_)
    assert _has_conv(clf.net_.module_.autoencoder.encoder)
    assert clf.predict(X).shape == (400,)
    assert clf.autoencoder_.image_shape == DIGIT


def test_convolution_work_counts_every_position():
    # The thread heuristic must see a convolution's multiply-adds, not its few weights.
    module = Autoencoder(784, 8, (128,), image_shape=(1, 28, 28))
    weights = sum(p.numel() for p in module.parameters() if p.dim() >= 2)
    conv = module.encoder[3]  # 32 -> 64 channels, 7 x 7 outputs
    assert isinstance(conv, nn.Conv2d) and conv.positions == 49
    assert work_per_batch(module, 1) > weights + 48 * conv.weight.numel()


@pytest.mark.parametrize(
    "estimator",
    [
        AutoencoderTransformer(image_shape=DIGIT),
        VariationalAutoencoder(image_shape=DIGIT, conv_channels=(8,)),
        AutoencoderOutlierDetector(image_shape=(3, 7, 9)),
        PretrainedClassifier(image_shape=DIGIT),
    ],
    ids=lambda estimator: type(estimator).__name__,
)
@pytest.mark.parametrize(
    "check",
    [
        estimator_checks.check_no_attributes_set_in_init,
        estimator_checks.check_get_params_invariance,
        estimator_checks.check_set_params,
        estimator_checks.check_estimator_repr,
    ],
    ids=lambda check: check.__name__,
)
def test_parameter_checks_with_image_shape(estimator, check):
    # scikit-learn's checks that fit use data of their own widths, which no
    # image_shape matches (see test_common.py); these need no data.
    check(type(estimator).__name__, estimator)


@requires_cuda
def test_cuda_training_matches_after_loading(digits):
    X = digits[0][:300]
    ae = AutoencoderTransformer(4, image_shape=DIGIT, device="cuda", **FAST).fit(X)
    assert next(ae.net_.module_.parameters()).is_cuda
    restored = pickle.loads(pickle.dumps(ae))
    np.testing.assert_allclose(restored.transform(X), ae.transform(X), rtol=1e-5, atol=1e-6)


def test_convolutions_run_channels_last_with_the_same_results():
    # Channels-last memory is only a layout: the same weights in torch's default
    # layout give the same reconstructions.
    X = np.random.default_rng(0).random((64, 3 * 9 * 7)).astype(np.float32)
    ae = AutoencoderTransformer(4, image_shape=(3, 9, 7), max_epochs=2, random_state=0)
    ae.set_params(verbose=0).fit(X)
    module = ae.net_.module_
    convs = [m for m in module.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert convs
    assert all(c.weight.is_contiguous(memory_format=torch.channels_last) for c in convs)
    default = copy.deepcopy(module).to(memory_format=torch.contiguous_format)
    assert all(
        m.weight.is_contiguous()
        for m in default.modules()
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))
    )
    with torch.no_grad():
        ours, theirs = module(torch.from_numpy(X))[0], default(torch.from_numpy(X))[0]
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
