"""Saving and loading (issue #20): a fitted estimator's state is plain data (arrays,
numbers, strings, scikit-learn and skae objects), so pickle, joblib and skops.io
round-trip it, a GPU-trained model loads without one, and training goes on after
loading as if the model had never been saved."""

import io
import json
import os
import pickle
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier, VariationalAutoencoder

sio = pytest.importorskip("skops.io")
pd = pytest.importorskip("pandas")

X = np.random.RandomState(0).randn(300, 6)
Y = (X[:, 0] > 0).astype(int)
SEMI = np.where(np.arange(300) % 3 == 0, Y, -1)
# What a skops file of a skae estimator may ask to trust: skae's own types, and the
# trees of scikit-learn's HistGradientBoostingClassifier in the GAN's rejection step
# (a scikit-learn type skops does not trust by default).
SKAE_TYPES = {
    "skae.autoencoder.AutoencoderTransformer",
    "skae.gan.GANSampler",
    "skae.classifier.PretrainedClassifier",
    "skae.vae.VariationalAutoencoder",
    "skae._table.TableCodec",
    "skae._table.Block",
    "skae._table._Categorical",
    "skae._marginals.MarginalMatcher",
    "skae._marginals.CategoryMatcher",
    "skae._marginals._LocalMaps",
    "skae._marginals._QuantileMap",
    "skae._rejection.RatioRejector",
    "skae._propagation.SupervisedFit",
}
ALLOWED = SKAE_TYPES | {"sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"}


def table():
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    frame["kind"] = pd.Categorical(np.array(["x", "y", "z"])[np.arange(300) % 3])
    frame["flag"] = X[:, 3] > 0
    frame["count"] = pd.array(np.arange(300) % 5, dtype="Int64")
    frame.loc[::7, "a"] = np.nan
    return frame


CASES = {
    "ae": lambda: (AutoencoderTransformer(2, max_epochs=3, random_state=0), (X,)),
    "ae-table": lambda: (AutoencoderTransformer(2, max_epochs=3, random_state=0), (table(),)),
    "gan": lambda: (GANSampler(max_steps=30, random_state=0), (X, Y)),
    "gan-table": lambda: (GANSampler(max_steps=30, random_state=0), (table(),)),
    "clf": lambda: (
        PretrainedClassifier(
            4,
            hidden_dims=(16,),
            pretrain_epochs=2,
            finetune_epochs=2,
            class_weight="balanced",
            random_state=0,
        ),
        (X, SEMI),
    ),
    "vae": lambda: (VariationalAutoencoder(2, max_epochs=3, random_state=0), (X,)),
    "vae-table": lambda: (VariationalAutoencoder(2, max_epochs=3, random_state=0), (table(),)),
}


def outputs(est, data):
    """Everything a fitted estimator gives, from a fixed state (sampling draws from
    the sampler's own RNG, which the saved state carries)."""
    if isinstance(est, GANSampler):
        return est.sample(50)
    if isinstance(est, PretrainedClassifier):
        return est.predict_proba(data), est.transform(data)
    codes = est.transform(data)
    results = codes, est.inverse_transform(codes), est.score_samples(data)
    if isinstance(est, VariationalAutoencoder):
        results += (est.sample(50),)
    return results


def assert_same(a, b):
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    elif hasattr(a, "equals"):
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_array_equal(a, b)


def skops_round_trip(est):
    data = sio.dumps(est)
    untrusted = set(sio.get_untrusted_types(data=data))
    assert untrusted <= ALLOWED, untrusted - ALLOWED
    return sio.loads(data, trusted=sorted(untrusted)), data


def walk(node):
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        yield from walk(child)


@pytest.fixture(params=list(CASES), scope="module")
def fitted(request):
    est, args = CASES[request.param]()
    return est.fit(*args), args[0]


@pytest.mark.parametrize("how", ["skops", "pickle"])
def test_round_trip_gives_identical_outputs(fitted, how):
    est, data = fitted
    if how == "skops":
        loaded, _ = skops_round_trip(est)
    else:
        loaded = pickle.loads(pickle.dumps(est))
    assert_same(outputs(loaded, data), outputs(est, data))
    assert loaded.n_iter_ == est.n_iter_ and len(loaded.net_.history) == len(est.net_.history)
    assert loaded.net_.module_ is not est.net_.module_


def test_saved_state_holds_no_torch_objects_and_no_bytes(fitted):
    est, _ = fitted
    for node in walk(est.__getstate__()["net_"]):
        assert not isinstance(node, (torch.Tensor, torch.nn.Module, torch.optim.Optimizer))
    _, data = skops_round_trip(est)
    schema = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("schema.json"))
    loaders = {node.get("__loader__") for node in walk(schema) if isinstance(node, dict)}
    assert "BytesNode" not in loaders and "BytearrayNode" not in loaders


def test_a_smuggled_type_is_refused_unless_trusted(fitted):
    est, _ = fitted
    data = sio.dumps(est)
    archive = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(archive.read("schema.json"))
    codecs = [n for n in walk(schema) if isinstance(n, dict) and n.get("__class__") == "TableCodec"]
    assert codecs
    codecs[0].update({"__class__": "Popen", "__module__": "subprocess"})
    edited = json.dumps(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as tampered:
        for name in archive.namelist():
            tampered.writestr(name, edited if name == "schema.json" else archive.read(name))
    tampered_data = out.getvalue()
    assert "subprocess.Popen" in sio.get_untrusted_types(data=tampered_data)
    with pytest.raises(Exception, match="Untrusted types"):
        sio.loads(tampered_data, trusted=sorted(ALLOWED))


def test_a_net_built_from_anything_but_plain_data_is_refused():
    est = AutoencoderTransformer(2, max_epochs=1, random_state=0).fit(X)
    state = est.__getstate__()
    state["net_"]["build"]["kwargs"]["noise"] = object()
    with pytest.raises(ValueError, match="plain data"):
        AutoencoderTransformer().__setstate__(state)


@pytest.mark.parametrize("how", ["skops", "pickle"])
@pytest.mark.parametrize("name", ["ae", "gan", "clf"])
def test_training_continues_after_loading_as_without_saving(name, how):
    est, args = CASES[name]()
    est.set_params(warm_start=True).fit(*args)
    loaded = skops_round_trip(est)[0] if how == "skops" else pickle.loads(pickle.dumps(est))
    if name == "ae":
        est.partial_fit(*args)
        loaded.partial_fit(*args)
    else:
        est.fit(*args)
        loaded.fit(*args)
    assert loaded.n_iter_ == est.n_iter_
    for key, value in est.net_.module_.state_dict().items():
        torch.testing.assert_close(loaded.net_.module_.state_dict()[key], value, rtol=0, atol=0)
    step = est.net_.optimizer_.state_dict()["state"][0]["step"]
    assert loaded.net_.optimizer_.state_dict()["state"][0]["step"] == step


def test_file_round_trip_with_joblib(tmp_path):
    joblib = pytest.importorskip("joblib")
    est, args = CASES["ae"]()
    est.fit(*args)
    joblib.dump(est, tmp_path / "model.joblib")
    sio.dump(est, tmp_path / "model.skops")
    by_joblib = joblib.load(tmp_path / "model.joblib")
    by_skops = sio.load(tmp_path / "model.skops", trusted=sorted(SKAE_TYPES))
    for loaded in (by_joblib, by_skops):
        np.testing.assert_array_equal(loaded.transform(X), est.transform(X))


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_gpu_trained_model_loads_with_skops_where_cuda_is_hidden(tmp_path):
    est = AutoencoderTransformer(2, max_epochs=3, random_state=0, device="auto").fit(X)
    assert est.net_.device.startswith("cuda")
    sio.dump(est, tmp_path / "model.skops")
    np.save(tmp_path / "expected.npy", est.transform(X))
    np.save(tmp_path / "X.npy", X)
    script = textwrap.dedent(
        f"""
        import numpy as np, torch, skops.io as sio
        assert not torch.cuda.is_available()
        path = {str(tmp_path / "model.skops")!r}
        model = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        assert model.net_.device == "cpu"
        X = np.load({str(tmp_path / "X.npy")!r})
        expected = np.load({str(tmp_path / "expected.npy")!r})
        np.testing.assert_allclose(model.transform(X), expected, rtol=1e-4, atol=1e-5)
        """
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", script], check=True, env=env)


def test_a_pickle_of_the_former_layout_still_loads_and_saves():
    est = AutoencoderTransformer(2, max_epochs=2, random_state=0).fit(X)
    net = est.net_
    del net.skae_build_  # what a model pickled before plain-data saving holds
    old = pickle.dumps(dict(vars(est)))  # the estimator's attributes, the net pickled whole
    loaded = AutoencoderTransformer.__new__(AutoencoderTransformer)
    loaded.__setstate__(pickle.loads(old))
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))
    again = pickle.loads(pickle.dumps(loaded))
    np.testing.assert_array_equal(again.transform(X), est.transform(X))
