"""Batch iteration over data held as whole tensors.

skorch's default ``Dataset`` + ``DataLoader`` fetch rows one at a time and collate
them, which costs ~35% of an epoch on small tabular batches. Here the data is one
float32 tensor (on the training device when it fits) and a batch is a single
``index_select`` with a slice of a shuffled permutation: one contiguous copy per batch.
"""

import numpy as np
import torch
from torch.utils.data import Dataset

# Share of the free GPU memory the training data may take; the rest is left to
# the weights, activations and optimizer state.
GPU_DATA_FRACTION = 0.5


class TensorData(Dataset):
    """Inputs ``X`` and optional targets ``y`` as tensors with the same first dim.

    Subclasses ``torch.utils.data.Dataset`` only so that skorch's ``get_dataset``
    passes it through unchanged.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], None if self.y is None else self.y[index]

    def take(self, index):
        """A new TensorData holding the rows ``index`` (a 1-D index tensor)."""
        y = None if self.y is None else self.y[index]
        return TensorData(self.X[index], y)


def to_tensor_on(X, device):
    """Make one float32 tensor from ``X`` and move it to ``device`` when it fits.

    On CUDA the data goes to the GPU when it takes less than ``GPU_DATA_FRACTION`` of
    the free memory; otherwise it stays in pinned host memory and each batch is
    copied with ``non_blocking=True`` by :class:`SliceIterator`.
    """
    tensor = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    device = torch.device(device)
    if device.type != "cuda":
        return tensor
    free, _ = torch.cuda.mem_get_info(device)
    if tensor.numel() * tensor.element_size() < GPU_DATA_FRACTION * free:
        return tensor.to(device)
    return tensor.pin_memory()


class SliceIterator:
    """Iterate over ``(X_batch, y_batch)`` of a :class:`TensorData`.

    Parameters
    ----------
    dataset : TensorData
    batch_size : int
    shuffle : bool
        Draw a new permutation each pass (training); else keep the row order.
    generator : torch.Generator or None
        Source of the permutations, so that a seeded fit is reproducible.
    device : str or torch.device
        Where batches are delivered; data already there is not copied again.
    n_batches : int or None
        Batches per pass; None is one pass over the data. More than that cycles
        through fresh permutations (a GAN's epoch is counted in steps, not rows).
    """

    def __init__(
        self, dataset, batch_size, shuffle=False, generator=None, device="cpu", n_batches=None
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.device = torch.device(device)
        self.n_batches = n_batches

    def _bounds(self):
        """Batch boundaries. A trailing single row joins the previous batch, since
        batch normalisation cannot train on one row."""
        n = len(self.dataset)
        starts = list(range(0, n, self.batch_size))
        if len(starts) > 1 and n - starts[-1] == 1:
            starts.pop()
        return list(zip(starts, starts[1:] + [n], strict=True))

    def __len__(self):
        return self.n_batches or len(self._bounds())

    def _move(self, tensor):
        if tensor is None or tensor.device == self.device:
            return tensor
        return tensor.to(self.device, non_blocking=True)

    def _rows(self, tensor, index):
        if tensor is None:
            return None
        if isinstance(index, slice):
            return self._move(tensor[index])
        return self._move(tensor.index_select(0, index))

    def _one_pass(self):
        X, y = self.dataset.X, self.dataset.y
        order = None
        if self.shuffle:
            order = torch.randperm(X.shape[0], generator=self.generator).to(X.device)
        for start, stop in self._bounds():
            index = slice(start, stop) if order is None else order[start:stop]
            yield self._rows(X, index), self._rows(y, index)

    def __iter__(self):
        if self.n_batches is None:
            yield from self._one_pass()
            return
        remaining = self.n_batches
        while remaining > 0:
            for batch in self._one_pass():
                yield batch
                remaining -= 1
                if remaining == 0:
                    return


class RandomSplit:
    """skorch ``train_split``: hold out a random ``fraction`` of rows for validation.

    Given ``strata`` (e.g. class labels, -1 for unlabeled rows), each stratum keeps
    its share in both parts and at least one of its rows stays in training.
    """

    def __init__(self, fraction, seed, strata=None):
        self.fraction = fraction
        self.seed = seed
        self.strata = strata

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        rng = np.random.default_rng(self.seed)
        if self.strata is not None:
            valid = []
            for stratum in np.unique(self.strata):
                rows = rng.permutation(np.flatnonzero(self.strata == stratum))
                n_valid = min(int(round(self.fraction * len(rows))), len(rows) - 1)
                valid.append(rows[:n_valid])
            valid = np.concatenate(valid)
        else:
            n_valid = max(1, int(round(self.fraction * n)))
            valid = rng.permutation(n)[:n_valid]
        is_valid = np.zeros(n, dtype=bool)
        is_valid[valid] = True
        device = dataset.X.device
        train_index = torch.from_numpy(np.flatnonzero(~is_valid)).to(device)
        valid_index = torch.from_numpy(np.flatnonzero(is_valid)).to(device)
        return dataset.take(train_index), dataset.take(valid_index)
