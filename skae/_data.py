"""Batch iteration over data held as whole tensors, or read from disk in blocks.

skorch's default ``Dataset`` + ``DataLoader`` fetch rows one at a time and collate
them, which costs ~35% of an epoch on small tabular batches. Here the data is one
float32 tensor (on the training device when it fits) and a batch is a single
``index_select`` with a slice of a shuffled permutation: one contiguous copy per batch.

Data larger than memory stays in a NumPy memmap: a batch is a contiguous block of
rows, the blocks are visited in shuffled order, and only the block being trained on
is read into memory (reading row by row made an epoch 1.4-1.9x slower in
benchmarks/bench_memmap.py).
"""

import mmap
import os

import numpy as np
import torch
from torch.utils.data import Dataset

# Rows per forward pass in inference (transform/predict/sample, and callbacks that
# evaluate the training rows): large enough to amortise the per-call overhead,
# small enough to keep activations modest.
INFERENCE_BATCH_ROWS = 8192
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


class MemmapData(TensorData):
    """Rows ``X`` of a NumPy memmap (optional in-memory targets ``y``), read a block
    at a time by :class:`SliceIterator`."""

    def take(self, rows):
        """The contiguous rows ``rows`` (a slice), still on disk."""
        return MemmapData(self.X[rows], None if self.y is None else self.y[rows])


def open_array(X):
    """A path to a ``.npy`` file opens as a read-only memmap; other input passes through."""
    if not isinstance(X, (str, os.PathLike)):
        return X
    path = os.fspath(X)
    if not path.endswith(".npy"):
        raise ValueError(
            f"X was given as a path, {path!r}; only .npy files (np.save) can be read. "
            "Load other formats yourself, or np.save them."
        )
    if not os.path.exists(path):
        raise FileNotFoundError(f"X was given as a path, {path!r}, but there is no such file.")
    if not os.path.isfile(path):
        # np.load would block on a named pipe, or fail obscurely on a directory.
        raise ValueError(f"X was given as a path, {path!r}, which is not a regular file.")
    return np.load(path, mmap_mode="r")


def backed_by_memmap(X):
    """Whether ``X`` is (a view of) a memory-mapped file, i.e. not held in RAM."""
    while X is not None:
        if isinstance(X, (np.memmap, mmap.mmap)):
            return True
        X = getattr(X, "base", None)
    return False


def float32_rows(rows):
    """``rows`` (a NumPy array or memmap slice) as a contiguous, writable float32 array
    that torch can wrap: copied only when the dtype differs or it is read-only."""
    rows = np.ascontiguousarray(rows, dtype=np.float32)
    return rows if rows.flags.writeable else rows.copy()


def make_dataset(X, y, device, *, out_of_core=False):
    """The training data: block reads from a memmap, or one tensor (see below)."""
    if out_of_core:
        return MemmapData(X, y)
    return TensorData(to_tensor_on(X, device), None if y is None else torch.as_tensor(y).to(device))


def to_tensor_on(X, device):
    """Make one float32 tensor from ``X`` and move it to ``device`` when it fits.

    On CUDA the data goes to the GPU when it takes less than ``GPU_DATA_FRACTION`` of
    the free memory; otherwise it stays in pinned host memory and each batch is
    copied with ``non_blocking=True`` by :class:`SliceIterator`.
    """
    tensor = torch.from_numpy(float32_rows(X))
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

    Attributes
    ----------
    rank, world_size : int
        In data-parallel training each of ``world_size`` processes draws the same
        permutation and reads its own ``1 / world_size`` of each batch of
        ``batch_size * world_size`` rows. One process: 0 and 1.
    """

    rank = 0
    world_size = 1

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
        """This process's part of each batch. A trailing batch that would leave a
        process a single row joins the previous batch, since batch normalisation
        cannot train on one row."""
        n, world = len(self.dataset), self.world_size
        starts = list(range(0, n, self.batch_size * world))
        if len(starts) > 1 and n - starts[-1] < 2 * world:
            starts.pop()
        bounds = zip(starts, starts[1:] + [n], strict=True)
        return [
            (
                start + (stop - start) * self.rank // world,
                start + (stop - start) * (self.rank + 1) // world,
            )
            for start, stop in bounds
        ]

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

    def _read(self, array, start, stop, rows):
        """Rows ``start:stop`` of a memmap as a float32 tensor on the device, in the
        (shuffled) within-block order ``rows``."""
        if array is None:
            return None
        block = torch.from_numpy(float32_rows(array[start:stop]))
        if rows is not None:
            block = block[rows]
        return block.to(self.device, non_blocking=True)

    def _one_pass_from_disk(self):
        X, y = self.dataset.X, self.dataset.y
        bounds = self._bounds()
        blocks = range(len(bounds))
        if self.shuffle:
            blocks = torch.randperm(len(bounds), generator=self.generator).tolist()
        for block in blocks:
            start, stop = bounds[block]
            rows = None
            if self.shuffle:
                rows = torch.randperm(stop - start, generator=self.generator)
            yield self._read(X, start, stop, rows), self._read(y, start, stop, rows)

    def _one_pass(self):
        if isinstance(self.dataset, MemmapData):
            yield from self._one_pass_from_disk()
            return
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


def validation_rows(n_rows, fraction):
    """Rows held out for validation: ``fraction`` of ``n_rows``, at least one."""
    return max(1, int(round(fraction * n_rows)))


class RandomSplit:
    """skorch ``train_split``: hold out a random ``fraction`` of rows for validation
    (the last rows, for data read from disk).

    Given ``strata`` (e.g. class labels, -1 for unlabeled rows), each stratum keeps
    its share in both parts and at least one of its rows stays in training.
    """

    def __init__(self, fraction, seed, strata=None):
        self.fraction = fraction
        self.seed = seed
        self.strata = strata

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        if isinstance(dataset, MemmapData):
            # Contiguous, so that both parts stay block reads from disk.
            n_valid = validation_rows(n, self.fraction)
            return dataset.take(slice(0, n - n_valid)), dataset.take(slice(n - n_valid, n))
        rng = np.random.default_rng(self.seed)
        if self.strata is not None:
            valid = []
            for stratum in np.unique(self.strata):
                rows = rng.permutation(np.flatnonzero(self.strata == stratum))
                n_valid = min(int(round(self.fraction * len(rows))), len(rows) - 1)
                valid.append(rows[:n_valid])
            valid = np.concatenate(valid)
        else:
            valid = rng.permutation(n)[: validation_rows(n, self.fraction)]
        is_valid = np.zeros(n, dtype=bool)
        is_valid[valid] = True
        device = dataset.X.device
        train_index = torch.from_numpy(np.flatnonzero(~is_valid)).to(device)
        valid_index = torch.from_numpy(np.flatnonzero(is_valid)).to(device)
        return dataset.take(train_index), dataset.take(valid_index)
