"""Beyond one CPU: precision, threads, models moving between devices, Dask and
dask-ml, data-parallel training with torchrun, and data larger than memory."""

import os
import pickle
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from skae import AutoencoderTransformer, GANSampler, PretrainedClassifier
from skae._data import MemmapData, RandomSplit, SliceIterator, TensorData

from .conftest import requires_cuda

FAST = dict(max_epochs=5, batch_size=64, random_state=0, device="cpu")


# --- precision ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["bf16", "16-mixed"])
def test_reduced_precision_trains_as_well_as_float32(digits, precision):
    X = digits[0].astype(np.float32)
    full = AutoencoderTransformer(encoding_dim=8, **FAST).fit(X)
    reduced = AutoencoderTransformer(encoding_dim=8, precision=precision, **FAST).fit(X)
    assert reduced.net_.grad_scaler_.is_enabled() == (precision == "16-mixed")
    codes = reduced.transform(X)
    assert codes.dtype == np.float32 and np.isfinite(codes).all()
    # Half-precision arithmetic costs a little accuracy, not the fit.
    assert -reduced.score(X) < 1.2 * -full.score(X)
    assert next(reduced.net_.module_.parameters()).dtype == torch.float32


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["bf16", "16-mixed"])
def test_reduced_precision_classifier_and_gan(digits, precision):
    X, y = digits
    y_semi = np.where(np.arange(len(y)) % 10 == 0, y, -1)
    clf = PretrainedClassifier(
        pretrain_epochs=3, finetune_epochs=5, precision=precision, random_state=0, device="cpu"
    ).fit(X, y_semi)
    assert (clf.predict(X) == y).mean() > 0.7
    gan = GANSampler(max_steps=30, precision=precision, random_state=0, device="cpu").fit(X[:300])
    assert np.isfinite(gan.sample(50)).all()
    assert np.isfinite(gan.net_.history[:, "critic_loss"]).all()


def test_bad_precision_is_a_clear_error(blobs):
    with pytest.raises(ValueError, match="'precision' parameter .* must be one of '32'"):
        AutoencoderTransformer(precision="fp8").fit(blobs)


# --- threads -----------------------------------------------------------------------


class RecordThreads(Callback):
    def on_epoch_begin(self, net, **kwargs):
        self.seen_ = torch.get_num_threads()


def test_torch_num_threads_applies_inside_fit_and_is_restored(blobs):
    before = torch.get_num_threads()
    ae = AutoencoderTransformer(torch_num_threads=1, callbacks=[RecordThreads()], **FAST)
    ae.fit(blobs)
    assert dict(ae.net_.callbacks_)["RecordThreads"].seen_ == 1
    assert torch.get_num_threads() == before
    ae.transform(blobs)
    assert torch.get_num_threads() == before


def test_auto_threads_follow_the_work_and_the_other_processes(blobs, monkeypatch):
    from skae import _threads

    before = torch.get_num_threads()
    small = AutoencoderTransformer(callbacks=[RecordThreads()], **FAST).fit(blobs)
    assert small.torch_num_threads == "auto"
    assert dict(small.net_.callbacks_)["RecordThreads"].seen_ == 1  # too little to split
    assert torch.get_num_threads() == before
    module = torch.nn.Linear(1000, 1000)
    cpu = torch.device("cpu")
    monkeypatch.setattr(_threads, "available_cores", lambda: 4)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    for busy, expected in [(0.0, 4), (1.2, 3), (3.9, 1)]:
        monkeypatch.setattr(_threads, "busy_cores", lambda busy=busy: busy)
        assert _threads.auto_threads(module, 128, cpu) == expected
    assert _threads.auto_threads(module, 4, cpu) == 1  # 4 million multiply-adds
    monkeypatch.setattr(torch, "get_num_threads", lambda: 1)  # e.g. OMP_NUM_THREADS=1
    assert _threads.auto_threads(module, 128, cpu) == 1


def test_busy_cores_sees_a_busy_process():
    from skae._threads import _probe

    if not os.path.exists("/proc/stat"):
        pytest.skip("needs /proc/stat")
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert _probe() > 0.5
    finally:
        spinner.kill()
        spinner.wait()


def test_torch_num_threads_must_be_positive(blobs):
    with pytest.raises(ValueError, match="'torch_num_threads' parameter"):
        AutoencoderTransformer(torch_num_threads=0).fit(blobs)


# --- models moving between devices ---------------------------------------------------


def test_model_saved_as_trained_on_gpu_loads_on_a_cpu_only_machine(blobs):
    ae = AutoencoderTransformer(**FAST).fit(blobs)
    expected = ae.transform(blobs)
    # What a model fitted with device="cuda" holds; its net is saved as arrays on
    # the CPU and rebuilt on the CPU where torch sees no GPU.
    ae.device = "cuda"
    pickled = pickle.dumps(ae)
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.warns(UserWarning, match="device='cuda' is not available here"):
        loaded = pickle.loads(pickled)
    assert str(loaded.net_.device) == "cpu"
    np.testing.assert_allclose(loaded.transform(blobs), expected, rtol=1e-6)


@pytest.mark.cuda
@requires_cuda
def test_gpu_trained_model_loads_and_predicts_without_cuda(tmp_path, blobs):
    ae = AutoencoderTransformer(precision="bf16", **{**FAST, "device": "cuda"})
    ae.fit(blobs)
    np.save(tmp_path / "X.npy", blobs)
    np.save(tmp_path / "expected.npy", ae.transform(blobs))
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump(ae, f)
    script = textwrap.dedent(
        f"""
        import pickle, numpy as np, torch
        assert not torch.cuda.is_available()
        model = pickle.load(open({str(tmp_path / "model.pkl")!r}, "rb"))
        X = np.load({str(tmp_path / "X.npy")!r})
        expected = np.load({str(tmp_path / "expected.npy")!r})
        np.testing.assert_allclose(model.transform(X), expected, atol=0.05)
        """
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    subprocess.run([sys.executable, "-c", script], check=True, env=env)


# --- data larger than memory --------------------------------------------------------


class RecordDataset(Callback):
    def on_train_begin(self, net, X=None, **kwargs):
        self.dataset_type_ = type(X).__name__


def test_memmap_and_npy_path_are_trained_on_from_disk(tmp_path, digits):
    X = digits[0].astype(np.float32)
    path = tmp_path / "digits.npy"
    np.save(path, X)
    from_path = AutoencoderTransformer(encoding_dim=4, callbacks=[RecordDataset()], **FAST)
    from_path.fit(str(path))
    from_memmap = AutoencoderTransformer(encoding_dim=4, **FAST)
    from_memmap.fit(np.load(path, mmap_mode="r"))
    in_memory = AutoencoderTransformer(encoding_dim=4, **FAST).fit(X)
    assert dict(from_path.net_.callbacks_)["RecordDataset"].dataset_type_ == "MemmapData"
    np.testing.assert_allclose(from_path.transform(X), from_memmap.transform(X), rtol=1e-5)
    # Contiguous blocks in shuffled order train about as well as shuffled rows.
    assert -from_path.score(X) < 1.15 * -in_memory.score(X)
    np.testing.assert_allclose(from_path.transform(str(path)), from_path.transform(X))


def test_float64_memmap_with_early_stopping(tmp_path, blobs):
    path = tmp_path / "blobs.npy"
    np.save(path, blobs)
    ae = AutoencoderTransformer(early_stopping=True, **{**FAST, "max_epochs": 40}).fit(path)
    assert len(ae.validation_scores_) == ae.n_iter_
    assert ae.transform(blobs).dtype == np.float64


def test_classifier_and_gan_read_npy_paths(tmp_path, digits):
    X, y = digits
    np.save(tmp_path / "X.npy", X[:300])
    y_semi = np.where(np.arange(300) % 5 == 0, y[:300], -1)
    clf = PretrainedClassifier(pretrain_epochs=1, finetune_epochs=1, random_state=0)
    assert clf.fit(tmp_path / "X.npy", y_semi).predict(str(tmp_path / "X.npy")).shape == (300,)
    gan = GANSampler(max_steps=5, random_state=0).fit(tmp_path / "X.npy")
    assert gan.sample(7).shape == (7, 64)


def test_validation_rows_of_data_on_disk_are_the_contiguous_tail(tmp_path):
    X = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(50, 3))
    X[:] = np.arange(150).reshape(50, 3)
    train, valid = RandomSplit(0.2, seed=0)(MemmapData(X))
    assert isinstance(train.X, np.memmap) and isinstance(valid.X, np.memmap)
    np.testing.assert_array_equal(valid.X[:, 0], np.arange(40, 50) * 3)
    batches = [b for b, _ in SliceIterator(train, 16, shuffle=True, generator=torch.Generator())]
    rows = np.sort(np.concatenate([b[:, 0].numpy() for b in batches]))
    np.testing.assert_array_equal(rows, np.arange(40) * 3)


@pytest.mark.parametrize(
    "path, error, message",
    [
        ("data.csv", ValueError, "only .npy files"),
        ("missing.npy", FileNotFoundError, "no such file"),
    ],
)
def test_bad_path_is_a_clear_error(tmp_path, path, error, message):
    with pytest.raises(error, match=message):
        AutoencoderTransformer(**FAST).fit(str(tmp_path / path))


# --- data-parallel training -----------------------------------------------------------


def test_each_process_reads_its_own_share_of_every_batch():
    data = TensorData(torch.arange(103, dtype=torch.float32)[:, None])
    shares = []
    for rank in range(2):
        iterator = SliceIterator(data, 10, shuffle=True, generator=torch.Generator().manual_seed(0))
        iterator.rank, iterator.world_size = rank, 2
        shares.append([X[:, 0].long().tolist() for X, _ in iterator])
    assert len(shares[0]) == len(shares[1]) == 5  # batches of 2 x 10 rows, the last of 23
    for batch_0, batch_1 in zip(*shares, strict=True):
        assert not set(batch_0) & set(batch_1) and abs(len(batch_0) - len(batch_1)) <= 1
    assert sorted(sum(shares[0] + shares[1], [])) == list(range(103))


def test_ddp_cannot_continue_training(blobs):
    pytest.importorskip("accelerate")
    ae = AutoencoderTransformer(strategy="ddp", **FAST).fit(blobs)  # one process
    with pytest.raises(ValueError, match="strategy='ddp' trains from scratch"):
        ae.partial_fit(blobs)


DDP_SCRIPT = """
import os, pickle, sys
import numpy as np
from sklearn.datasets import load_digits
from skae import AutoencoderTransformer, GANSampler

X, y = load_digits(return_X_y=True)
X = X[:600] / 16
rank = int(os.environ["RANK"])
common = dict(device="cpu", strategy="ddp", random_state=0, torch_num_threads=1)
ae = AutoencoderTransformer(encoding_dim=4, max_epochs=4, batch_size=32, early_stopping=True,
                            **common).fit(X)
gan = GANSampler(max_steps=10, batch_size=64, pac=4, **common).fit(X[:200], y[:200])
np.savez(os.path.join(sys.argv[1], f"rank{rank}.npz"),
         *[p.detach().numpy() for p in ae.net_.module_.parameters()],
         *[p.detach().numpy() for p in gan.net_.module_.parameters()])
if rank == 0:
    with open(os.path.join(sys.argv[1], "model.pkl"), "wb") as f:
        pickle.dump(ae, f)
"""


FAST_DDP = dict(device="cpu", random_state=0)


@pytest.mark.slow
def test_ddp_with_torchrun_on_two_cpu_processes(tmp_path, digits):
    pytest.importorskip("accelerate")
    (tmp_path / "train.py").write_text(DDP_SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2"]
    subprocess.run([*command, str(tmp_path / "train.py"), str(tmp_path)], check=True, env=env)
    ranks = [np.load(tmp_path / f"rank{rank}.npz") for rank in range(2)]
    assert len(ranks[0].files) > 10
    for name in ranks[0].files:
        np.testing.assert_array_equal(ranks[0][name], ranks[1][name])
    with open(tmp_path / "model.pkl", "rb") as f:
        ae = pickle.load(f)
    X = digits[0][:600]
    assert ae.n_iter_ == 4 and len(ae.validation_scores_) == 4
    # Every process's batches are in the one history: per process and epoch, 9
    # training batches (540 rows in global batches of 2 x 32) and 1 validation batch.
    assert len(ae.net_.history[-1, "batches"]) == 2 * (9 + 1)
    # Two processes with 32 rows each step like one process with 64: the same
    # permutation, each process half of every batch, gradients averaged.
    alone = AutoencoderTransformer(
        encoding_dim=4, max_epochs=4, batch_size=64, early_stopping=True, **FAST_DDP
    ).fit(X)
    for together, single in zip(
        ae.net_.module_.parameters(), alone.net_.module_.parameters(), strict=True
    ):
        np.testing.assert_allclose(together.detach(), single.detach(), atol=1e-4)
    np.testing.assert_allclose(ae.loss_curve_, alone.loss_curve_, rtol=1e-4)


# --- Dask and dask-ml ---------------------------------------------------------------


@pytest.mark.slow
def test_grid_search_on_a_dask_cluster_matches_one_process(blobs):
    pytest.importorskip("distributed")
    import joblib
    from distributed import Client, LocalCluster

    def search():
        return GridSearchCV(
            AutoencoderTransformer(torch_num_threads=1, **FAST), {"encoding_dim": [1, 2]}, cv=2
        )

    expected = search().fit(blobs)
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, Client(cluster), joblib.parallel_backend("dask"):
        on_dask = search().fit(blobs)
    np.testing.assert_allclose(
        on_dask.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"]
    )
    assert on_dask.best_params_ == expected.best_params_


@pytest.mark.slow
def test_dask_ml_incremental_streams_blocks_through_partial_fit(digits):
    pytest.importorskip("dask_ml")
    import dask.array as da
    from dask_ml.wrappers import Incremental

    X = digits[0].astype(np.float32)
    blocks = da.from_array(X, chunks=(600, X.shape[1]))
    params = dict(encoding_dim=4, batch_size=64, random_state=0, device="cpu")
    streamed = Incremental(AutoencoderTransformer(**params), shuffle_blocks=False).fit(blocks)
    by_hand = AutoencoderTransformer(**params)
    for start in range(0, X.shape[0], 600):
        by_hand.partial_fit(X[start : start + 600])
    assert streamed.estimator_.n_iter_ == 3
    np.testing.assert_allclose(
        streamed.estimator_.transform(X), by_hand.transform(X), rtol=1e-5, atol=1e-6
    )
