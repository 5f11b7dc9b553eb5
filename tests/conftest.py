import os

import numpy as np
import pytest
import torch

# Keep the suite's training runs light on a shared 2-core machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

requires_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.fixture(autouse=True)
def quiet_machine(monkeypatch):
    """torch_num_threads="auto" as on a quiet machine: a neighbour's load on a shared
    CI machine must not give two fits that a test compares different thread counts
    (which can change their last digits). test_scaling tests the probe itself."""
    from skae import _threads

    monkeypatch.setattr(_threads, "busy_cores", lambda: 0.0)


@pytest.fixture(scope="session")
def digits():
    """Digits scaled to [0, 1]: (X, y)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target


@pytest.fixture
def blobs():
    """A small float64 table with structure to learn."""
    rng = np.random.RandomState(0)
    latent = rng.normal(size=(120, 2))
    return latent @ rng.normal(size=(2, 6)) + 0.05 * rng.normal(size=(120, 6))
