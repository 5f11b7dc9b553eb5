"""What every skae estimator shares: common parameters, input validation, seeding,
device choice, building the skorch net and running it, batched inference."""

import contextlib
import copy
import functools
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch.callbacks import Callback, GradientNormClipping
from skorch.utils import noop

from ._data import (
    INFERENCE_BATCH_ROWS,
    RandomSplit,
    float32_rows,
    make_dataset,
    open_array,
    validation_rows,
)
from ._distributed import DISTRIBUTED_NETS, make_accelerator, make_history, to_single_process
from ._nets import ValidationEarlyStopping, autocast
from ._params import Anything, Boolean, Interval, Options
from ._persistence import load_device, net_state, rebuild_net
from ._progress import AUTO_DELAY, Progress, epoch_table_sink, progress_mode
from ._table import TableCodec, frame_spec
from ._threads import auto_threads
from ._warn import warn

# BLAS takes a different code path (and rounds differently) for one or two rows
# than for a matrix; padding tiny batches makes a row's output independent of how
# rows are grouped into calls, as sklearn's subset-invariance check demands.
MIN_INFERENCE_ROWS = 16

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

COMMON_PARAM_RULES = {
    "max_epochs": [Interval(Integral, 1, None)],
    "batch_size": [Interval(Integral, 1, None)],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "optimizer": [Options(*OPTIMIZERS)],
    "momentum": [Interval(Real, 0, 1, closed="left")],
    "nesterov": [Boolean()],
    "weight_decay": [Interval(Real, 0, None)],
    "callbacks": [Options(None), Anything("a list of skorch callbacks")],
    "device": [Anything("'auto', 'cpu', 'cuda' or 'cuda:N'")],
    "random_state": [Anything("None, an int or a RandomState")],
    "verbose": [Options("auto"), Interval(Integral, 0, None), Boolean()],
    "early_stopping": [Boolean()],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None)],
    "tol": [Interval(Real, 0, None)],
    "clip_grad_norm": [Options(None), Interval(Real, 0, None, closed="neither")],
    "accumulation_steps": [Interval(Integral, 1, None)],
    "warm_start": [Boolean()],
    "precision": [Options("32", "bf16", "16-mixed")],
    "torch_num_threads": [Options(None, "auto"), Interval(Integral, 1, None)],
    "strategy": [Options(None, "ddp")],
}

_COMMON_PARAM_DOCS = """\
max_epochs : int, default={max_epochs}
        Passes over the training data per call to ``fit``.

    batch_size : int, default={batch_size}
        Rows per gradient step (capped at the number of rows){batch_size_note}.

    lr : float, default={lr}
        Learning rate.

    optimizer : {{"adam", "adamw", "sgd", "rmsprop"}}, default="adam"
        Adam and AdamW use torch's fused kernels where the device supports them.

    momentum : float, default=0.9
        Momentum for ``optimizer="sgd"``.

    nesterov : bool, default=False
        Nesterov momentum for ``optimizer="sgd"``.

    weight_decay : float, default=0.0
        L2 penalty (decoupled weight decay for ``"adamw"``).

    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (e.g. ``EarlyStopping``, ``LRScheduler``,
        ``Checkpoint``), as instances or ``(name, callback)`` pairs. They are copied
        at fit; the fitted ones are in ``net_.callbacks_``.

    device : str, default="auto"
        ``"auto"`` trains on CUDA when torch sees a GPU, else on the CPU; or
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``.

    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order, noise and dropout. An int gives the
        same result for the same data on the same machine and thread count (with
        ``torch_num_threads="auto"``, a machine busy with other work may get fewer
        threads, which can change the last digits; set an int for bit-for-bit
        repeats).

    verbose : "auto" or int, default="auto"
        ``"auto"`` shows a progress bar (epochs, or a GAN's steps, done and to
        do, the loss, the time left) to a person watching: once the fit has
        lasted 2 seconds, in a terminal or a notebook, and not in the worker
        processes or threads of a parallel search. 0 is silent; 1 always shows
        the progress (as plain lines when the output is not a terminal, about
        every tenth of the fit); 2 also prints skorch's table of each epoch's
        losses.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop when the validation loss
        has not improved by ``tol`` for ``n_iter_no_change`` epochs; the weights of
        the best epoch are kept.

    validation_fraction : float, default=0.1
        Share of rows held out when ``early_stopping=True``.

    n_iter_no_change : int, default=10
        Epochs without improvement before early stopping.

    tol : float, default=1e-4
        Minimum decrease of the validation loss that counts as improvement.

    clip_grad_norm : float or None, default=None
        Clip the gradient norm of all parameters to this value before each step.

    accumulation_steps : int, default=1
        Sum gradients over this many batches before each optimizer step, for an
        effective batch of ``batch_size * accumulation_steps`` rows.

    warm_start : bool, default=False
        When True, ``fit`` continues from the previous weights instead of starting
        afresh.

    precision : {{"32", "bf16", "16-mixed"}}, default="32"
        Numeric precision of training and inference. ``"bf16"`` and ``"16-mixed"``
        run the forward passes under ``torch.autocast`` in bfloat16 or float16 (the
        weights stay float32; float16 gradients are scaled with a ``GradScaler``).
        They pay off on GPUs with tensor cores; on CPUs ``"32"`` is usually fastest.

    torch_num_threads : "auto", int or None, default="auto"
        Threads torch uses inside ``fit`` and inference (restored afterwards).
        ``"auto"`` uses one thread when a batch's work is too small to split
        (under 15 million multiply-adds: a second thread gained nothing on small
        tabular networks) and otherwise torch's own count less the cores other
        processes keep busy at the start (beside a busy process, two threads
        made fits 3x slower); never more than torch's setting, which follows
        ``OMP_NUM_THREADS`` in joblib's and Dask's workers. None leaves torch's
        setting alone; an int sets it (and makes seeded fits repeat bit for bit
        whatever else runs).

    strategy : {{None, "ddp"}}, default=None
        ``"ddp"`` trains data-parallel across the processes of a ``torchrun``
        launch (one per GPU, or CPU processes with the gloo backend) through HF
        accelerate; each process reads its own share of every batch of
        ``batch_size`` rows per process. Needs ``pip install accelerate``."""


def common_params_doc(*, exclude=(), batch_size_note="", **defaults):
    """The numpydoc entries of the shared parameters, with per-estimator defaults,
    indented to follow a ``Parameters`` entry of a class docstring."""
    # Excluded entries need no default: they are dropped after formatting.
    defaults = {**dict.fromkeys(exclude), **defaults}
    text = _COMMON_PARAM_DOCS.format(batch_size_note=batch_size_note, **defaults)
    entries = text.split("\n\n    ")
    kept = [e for e in entries if e.split(" :")[0] not in exclude]
    return "\n\n    ".join(kept)


def resolve_device(device):
    """Map the ``device`` parameter to a torch.device, or raise a clear error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"The 'device' parameter must be 'auto', 'cpu', 'cuda' or 'cuda:N'. Got {device!r}."
        ) from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but torch sees no CUDA GPU "
                "(torch.cuda.is_available() is False). Use device='auto' or 'cpu'."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but torch sees only "
                f"{torch.cuda.device_count()} CUDA device(s)."
            )
    elif resolved.type != "cpu":
        raise ValueError(f"device={device!r} is not supported; use 'auto', 'cpu' or 'cuda'.")
    return resolved


@contextlib.contextmanager
def torch_threads(n_threads):
    """Let torch use ``n_threads`` threads for the block (None: leave it alone;
    "auto": the caller sets them once it knows the work, and they are restored)."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    if n_threads != "auto":
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def seeded(seed, device):
    """Seed torch for the block and restore the caller's RNG state afterwards."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def output_dtype(X):
    """The dtype of features computed from the model matrix ``X``: float32 stays
    float32, anything else (float64, integers read from disk) gives float64."""
    return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)


def fit_transaction(method):
    """Make a fitting method all or nothing: if it raises (bad input, divergence, an
    error in a callback, a second Ctrl-C outside the training loop), the estimator
    is put back exactly as it was before the call, fitted or not.

    A new fit builds a new net, so the previous one is kept by reference; a fit
    that continues training in place (``partial_fit``, ``warm_start``) first copies
    the net (weights, optimizer state, history, callbacks): 3 ms for the
    784-256-64-256-784 autoencoder, about 1% of an epoch on 5,000 rows.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        saved = dict(self.__dict__)
        net = saved.get("net_")
        continues = method.__name__ == "partial_fit" or getattr(self, "warm_start", False)
        if net is not None and continues:
            saved["net_"] = _copy_net(net)
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    return wrapper


def _validation_monitor(callback):
    """The validation score a callback (or ``(name, callback)`` pair) monitors, if
    any: such a callback fails inside skorch (``KeyError: 'valid_loss'``) in epochs
    without a validation split. Our own early stopping skips those epochs."""
    callback = callback[1] if isinstance(callback, tuple) else callback
    monitor = getattr(callback, "monitor", None)
    if isinstance(callback, ValidationEarlyStopping) or not isinstance(monitor, str):
        return None
    return monitor if monitor.startswith("valid") else None


def _copy_net(net):
    """A deep copy of a skorch net. Copying its attributes directly is 10x faster
    than ``copy.deepcopy(net)``, which goes through skorch's ``__getstate__``
    (``torch.save`` of every module); one deepcopy call keeps the optimizers'
    references to the copied module's parameters."""
    copied = object.__new__(type(net))
    copied.__dict__.update(copy.deepcopy(net.__dict__))
    return copied


def _named_callback(callback):
    """``callback`` as a skorch callback, or ``(name, callback)``; else a clear error."""
    named = isinstance(callback, tuple) and len(callback) == 2 and isinstance(callback[0], str)
    instance = callback[1] if named else callback
    if isinstance(instance, type) and issubclass(instance, Callback):
        raise TypeError(
            f"callbacks holds the class {instance.__name__}; pass an instance, "
            f"{instance.__name__}()."
        )
    if not isinstance(instance, Callback):
        raise TypeError(
            "callbacks must be a list of skorch callbacks (instances, or (name, callback) "
            f"pairs); it holds {callback!r}."
        )
    return callback


class BaseNeuralEstimator(BaseEstimator):
    """Shared machinery; subclasses define ``_param_rules``, ``_build_net`` and the
    public methods."""

    _param_rules = COMMON_PARAM_RULES
    # The HF accelerate ``Accelerator`` while a ``strategy="ddp"`` fit runs.
    _accelerator = None

    # What a progress display calls the fit (None: the class name).
    _progress_label = None
    # History keys left out of skorch's epoch table (verbose=2).
    _epoch_table_ignores = ()

    # Whether a sparse X is taken (and densified by the codec).
    _accepts_sparse = False

    def _make_codec(self):
        """The table codec ``fit`` learns (see ``TableCodec``'s ``scaling``)."""
        return TableCodec("auto")

    def _check_table(self, X, *, reset, min_samples=1):
        """``X`` checked as scikit-learn checks input (2-D, enough rows, not sparse,
        feature names and count), with its columns left as they are for the codec;
        a path to a ``.npy`` file opens as a memmap, not read into memory."""
        X = open_array(X)
        if frame_spec(X) is None:
            # sklearn's own errors for 1-D, 3-D, sparse, empty or complex input.
            X = check_array(
                X,
                dtype=None,
                accept_sparse=["csr", "csc", "coo"] if self._accepts_sparse else False,
                ensure_all_finite=False,
                ensure_min_samples=min_samples,
            )
        elif X.shape[0] < min_samples:
            raise ValueError(
                f"Found array with {X.shape[0]} sample(s) (shape={X.shape}) while a "
                f"minimum of {min_samples} is required."
            )
        validate_data(self, X, skip_check_array=True, reset=reset)
        return X

    def _validate_X(self, X, *, reset, min_samples=1, rng=None, count_unseen=False):
        """Check ``X`` and return its model matrix (see :class:`~skae._table.TableCodec`).

        ``X`` may be an array, an object array or a DataFrame with categorical
        columns and gaps; ``reset=True`` (fit) learns its columns. A complete
        numeric array passes through as a float32 or float64 array, uncopied.
        With ``count_unseen`` (after fit), also the number of values in each row
        of a kind fit never saw (see ``TableCodec.transform``).
        """
        X = self._check_table(X, reset=reset, min_samples=min_samples)
        if reset:
            self.table_codec_ = self._make_codec()
            M = self.table_codec_.fit_transform(X, rng=rng)
            return (M, np.zeros(M.shape[0], dtype=np.int64)) if count_unseen else M
        return self.table_codec_.transform(X, rng=rng, count_unseen=count_unseen)

    def _check_fit_size(self, n_samples):
        batch_norm = getattr(self, "batch_norm", False)
        if batch_norm and n_samples < 2:
            raise ValueError(
                f"batch_norm=True needs at least 2 samples to train; got n_samples = {n_samples}."
            )
        if batch_norm and self.batch_size < 2:
            raise ValueError(
                "batch_norm=True needs batches of at least 2 rows to normalise; got "
                f"batch_size={self.batch_size}."
            )
        if self.early_stopping and n_samples < 2:
            raise ValueError(
                f"early_stopping=True needs at least 2 samples to hold out a validation "
                f"set; got n_samples = {n_samples}."
            )
        if self.early_stopping:
            n_valid = validation_rows(n_samples, self.validation_fraction)
            least = 2 if batch_norm else 1
            if n_samples - n_valid < least:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} holds out {n_valid} of "
                    f"{n_samples} rows for early stopping, leaving {n_samples - n_valid} to "
                    f"train on (at least {least} needed); lower validation_fraction."
                )

    def _check_image_shape(self):
        """With ``image_shape``, the model matrix must be the images' pixels, and
        ``conv_channels`` name at least one convolution."""
        shape = getattr(self, "image_shape", None)
        if shape is None:
            return
        codec = self.table_codec_
        if not codec.passthrough_:
            raise ValueError(
                f"image_shape={tuple(shape)} needs X to be a complete numeric array of "
                "pixels; X has categorical columns or missing values. Fill them, or set "
                "image_shape=None to model the table."
            )
        channels, height, width = shape
        if channels * height * width != codec.n_outputs_:
            raise ValueError(
                f"image_shape={tuple(shape)} describes {channels}*{height}*{width} = "
                f"{channels * height * width} pixels per row, but X has "
                f"{codec.n_outputs_} features. Each row must be one image flattened in "
                "(channels, height, width) order, e.g. images.reshape(len(images), -1)."
            )
        if not self.conv_channels:
            raise ValueError(
                "image_shape needs at least one entry in conv_channels (the channels of "
                "the encoder's strided convolutions), e.g. conv_channels=(32, 64)."
            )

    def _fit_seed(self):
        """A torch seed drawn from ``random_state``; offset by the epochs already run
        so that continued training draws fresh noise and batch orders."""
        base = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        return int(base) + getattr(self, "n_iter_", 0)

    def _optimizer_kwargs(self):
        kwargs = {"lr": self.lr, "weight_decay": self.weight_decay}
        if self.optimizer in ("adam", "adamw"):
            # Fused kernels: one launch for all parameters, ~20% faster per step.
            kwargs["fused"] = True
        elif self.optimizer == "sgd":
            kwargs.update(momentum=self.momentum, nesterov=self.nesterov)
            if self.nesterov and self.momentum == 0:
                raise ValueError("nesterov=True requires momentum > 0.")
        return {f"optimizer__{k}": v for k, v in kwargs.items()}

    def _callbacks(self):
        """User callbacks (copied) plus those the estimator's parameters ask for."""
        if self.callbacks is not None and not isinstance(self.callbacks, (list, tuple)):
            raise TypeError(
                "callbacks must be a list of skorch callbacks (instances, or (name, "
                f"callback) pairs) or None; got {self.callbacks!r}."
            )
        callbacks = copy.deepcopy([_named_callback(c) for c in self.callbacks or []])
        for callback in callbacks:
            monitor = _validation_monitor(callback)
            if not self.early_stopping and monitor is not None:
                raise ValueError(
                    f"A callback in callbacks monitors {monitor!r}, which exists only with a "
                    "validation split: set early_stopping=True (which holds out "
                    "validation_fraction of the rows), or have it monitor 'train_loss'."
                )
        if self.clip_grad_norm is not None:
            callbacks.append(
                ("gradient_clipping", GradientNormClipping(gradient_clip_value=self.clip_grad_norm))
            )
        if self.early_stopping:
            callbacks.append(
                (
                    "early_stopping",
                    ValidationEarlyStopping(
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                        sink=noop,
                    ),
                )
            )
        return callbacks + self._extra_callbacks()

    def _extra_callbacks(self):
        """Callbacks a subclass always needs (e.g. to log extra losses per epoch)."""
        return []

    # The skorch net class, its criterion and the torch module class of a subclass.
    _net_class = None
    _criterion = None
    _module_class = None

    def _make_module(self, device, **module_args):
        """The torch module, built from plain arguments (which a saved model keeps)."""
        return self._module_class(**module_args).to(device)

    def _make_net(self, module_args, device, seed, *, init_module=None, **kwargs):
        """Build the skorch net around ``_make_module(**module_args)`` (with
        ``init_module(module)`` applied first, e.g. a PCA start); ``kwargs`` are the
        net's extra parameters.

        The net remembers ``module_args`` and ``kwargs`` (plain values and arrays) as
        ``skae_build_``, from which a saved model rebuilds it (see ``_persistence``).
        """
        module = self._make_module(device, **module_args)
        if init_module is not None:
            init_module(module)
        build = {"module_args": dict(module_args), "kwargs": dict(kwargs)}
        callbacks = self._callbacks()
        net_class = self._net_class
        if self._accelerator is not None:
            net_class = DISTRIBUTED_NETS[net_class]
            for callback in callbacks:
                callback = callback[1] if isinstance(callback, tuple) else callback
                # Cached predictions cover one process's rows only: score afresh.
                if hasattr(callback, "use_caching"):
                    callback.use_caching = False
            kwargs.update(
                accelerator=self._accelerator,
                history=make_history(self._accelerator),
            )
        # skorch's epoch table prints only at verbose >= 2 (once, from the main
        # process of a distributed run).
        table_sink = epoch_table_sink(self.verbose)
        if table_sink is not None and self._accelerator is not None:
            table_sink = self._accelerator.print
        kwargs["callbacks__print_log__sink"] = table_sink or noop
        kwargs["callbacks__print_log__keys_ignored"] = list(self._epoch_table_ignores)
        mode = progress_mode(self.verbose)
        if mode is not None and (self._accelerator is None or self._accelerator.is_main_process):
            delay = AUTO_DELAY if self.verbose == "auto" else 0.0
            label = self._progress_label or type(self).__name__
            callbacks.append(("progress", Progress(label, mode, delay)))
        net = net_class(
            module=module,
            criterion=self._criterion,
            optimizer=OPTIMIZERS[self.optimizer],
            batch_size=self.batch_size,
            train_split=None,
            callbacks=callbacks,
            device=str(device),
            verbose=int(table_sink is not None),
            seed=seed,
            accumulation_steps=self.accumulation_steps,
            precision=self.precision,
            **self._optimizer_kwargs(),
            **kwargs,
        )
        net.initialize()
        net.skae_build_ = build
        return net

    def _run_training(
        self, X, y, *, incremental, epochs, strata=None, out_of_core=False, **build_args
    ):
        """(Re)build the net unless continuing, and train for ``epochs`` passes.

        ``incremental=True`` is ``partial_fit``: no early stopping. ``strata`` (e.g.
        class labels) are kept in proportion in the early-stopping validation split.
        ``out_of_core=True`` reads ``X`` (a memmap) from disk a batch at a time.
        ``build_args`` go to ``_build_net``.
        """
        device = resolve_device(self.device)
        continuing = hasattr(self, "net_") and (incremental or self.warm_start)
        if not continuing:
            for attr in ("n_iter_", "loss_curve_", "validation_scores_"):
                self.__dict__.pop(attr, None)
        if self.strategy == "ddp":
            if continuing:
                raise ValueError(
                    "strategy='ddp' trains from scratch in each fit; partial_fit and "
                    "warm_start continue in one process. Set strategy=None to continue."
                )
            self._accelerator = make_accelerator(device)
            if device.type == "cuda":  # this process's GPU
                device = self._accelerator.device
        seed = self._fit_seed()
        try:
            with torch_threads(self.torch_num_threads), seeded(seed, device):
                data = make_dataset(X, y, device, out_of_core=out_of_core)
                if not continuing:
                    self.net_ = self._build_net(data, device, seed, **build_args)
                if self.torch_num_threads == "auto":
                    rows = min(self.batch_size, len(data))
                    torch.set_num_threads(auto_threads(self.net_.module_, rows, device))
                if self._accelerator is not None:
                    # Same batch order everywhere, but each process its own noise.
                    torch.manual_seed(seed + self._accelerator.process_index)
                net = self.net_
                for name, callback in net.callbacks_ if incremental else ():
                    monitor = _validation_monitor(callback)
                    if monitor is not None:
                        raise ValueError(
                            f"partial_fit trains without a validation split, but callback "
                            f"{name!r} monitors {monitor!r}; use fit with "
                            "early_stopping=True, or have it monitor 'train_loss'."
                        )
                net.seed = seed
                net.train_split = None
                if self.early_stopping and not incremental:
                    net.train_split = RandomSplit(self.validation_fraction, seed, strata=strata)
                net.partial_fit(data, None, epochs=epochs)
            if self._accelerator is not None:
                self.net_ = to_single_process(self.net_)
        finally:
            self.__dict__.pop("_accelerator", None)
        self._record_history()
        if getattr(self.net_, "interrupted_", False):
            warn(
                f"Training of {type(self).__name__} was interrupted (KeyboardInterrupt) "
                f"after {self.n_iter_} complete epoch(s); it keeps the weights trained so "
                "far.",
            )
        return self

    def _record_history(self):
        # An epoch cut short by Ctrl-C has batches but no epoch loss: not counted.
        epochs = [epoch for epoch in self.net_.history if "train_loss" in epoch]
        self.n_iter_ = len(epochs)
        self.loss_curve_ = [float(epoch["train_loss"]) for epoch in epochs]
        if any("valid_loss" in epoch for epoch in epochs):
            self.validation_scores_ = [
                -float(epoch["valid_loss"]) for epoch in epochs if "valid_loss" in epoch
            ]

    def _forward_batches(self, fn, X, out_dtype):
        """Apply ``fn`` (tensor -> tensor) to ``X`` in large batches under inference
        mode and return a NumPy array of ``out_dtype``.

        Batches are converted to float32 one at a time and written into the
        preallocated output, so memory holds the output and one batch, never a copy
        of ``X`` (which may be a memmap larger than memory).
        """
        check_is_fitted(self)
        module = self.net_.module_
        device = next(module.parameters()).device
        module.eval()
        output = None
        threads = self.torch_num_threads
        if threads == "auto":
            threads = auto_threads(module, min(INFERENCE_BATCH_ROWS, X.shape[0]), device)
        with (
            torch_threads(threads),
            torch.inference_mode(),
            autocast(self.precision, device),
        ):
            for start in range(0, X.shape[0], INFERENCE_BATCH_ROWS):
                rows = float32_rows(X[start : start + INFERENCE_BATCH_ROWS])
                batch = torch.from_numpy(rows).to(device, non_blocking=True)
                n_rows = batch.shape[0]
                if n_rows < MIN_INFERENCE_ROWS:
                    padding = batch[-1:].expand(MIN_INFERENCE_ROWS - n_rows, -1)
                    batch = torch.cat([batch, padding])
                result = fn(batch)[:n_rows]
                if result.dtype != torch.float64:  # autocast's halves; float64 kept
                    result = result.float()
                result = result.cpu().numpy()
                if output is None:
                    output = np.empty((X.shape[0], *result.shape[1:]), dtype=out_dtype)
                output[start : start + n_rows] = result
        return output

    def __getstate__(self):
        # The net as plain data: weights and optimizer state as arrays on the CPU, no
        # pickled torch objects (see ``_persistence``); pickle, joblib and skops.io
        # all save this.
        state = dict(super().__getstate__())  # may be our own __dict__: copy it
        # A net loaded from an older skae's pickle does not know what it was built
        # from: it is pickled as it came (refit to save it as plain data).
        if hasattr(state.get("net_"), "skae_build_"):
            state["net_"] = net_state(state["net_"])
        return state

    def __setstate__(self, state):
        saved_net = state.get("net_")
        if not isinstance(saved_net, dict):  # unfitted, or pickled by an older skae
            super().__setstate__(state)
            return
        super().__setstate__({name: v for name, v in state.items() if name != "net_"})
        device = load_device(self.device, resolve_device)
        # Building the module draws initial weights: keep the caller's RNG as it was.
        with seeded(0, device):
            self.net_ = rebuild_net(self, saved_net, device)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Gaps are modelled (a missing indicator per column that had them).
        tags.input_tags.allow_nan = True
        if self._accepts_sparse:
            tags.input_tags.sparse = True
        return tags
