"""Progress of a fit a person can follow: n of N epochs (or a GAN's steps), the loss
and the time left.

A skorch callback drawing a tqdm bar (tqdm comes with skorch; skorch's own
``ProgressBar`` restarts every epoch and cannot show n of N epochs). Where output
is not a terminal (a log file, CI) it prints plain lines instead, about every
tenth of the fit, with no control characters. ``verbose="auto"`` shows the bar
only to a person watching: in the main thread of the main process (not in a
``GridSearchCV`` or Dask worker), with a terminal or a notebook, and only once the
fit has lasted ``AUTO_DELAY`` seconds.
"""

import multiprocessing
import re
import sys
import threading
import time

from skorch.callbacks import Callback
from tqdm import tqdm

# "auto" shows the bar of fits lasting longer than this (seconds).
AUTO_DELAY = 2.0
# Plain-line progress: a line at about every this share of the fit.
LINE_EVERY = 0.1
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _interactive(stream):
    """Whether ``stream`` is a terminal or a notebook's output."""
    if type(stream).__module__.startswith("ipykernel"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def progress_mode(verbose, stream=None):
    """``"bar"``, ``"lines"`` or None (nothing) for the ``verbose`` parameter."""
    stream = sys.stderr if stream is None else stream
    if verbose == "auto":
        watched = (
            multiprocessing.current_process().name == "MainProcess"
            and threading.current_thread() is threading.main_thread()
            and _interactive(stream)
        )
        return "bar" if watched else None
    if not verbose:
        return None
    return "bar" if _interactive(stream) else "lines"


def epoch_table_sink(verbose, stream=None):
    """Where skorch's per-epoch table goes: printed at ``verbose >= 2``, without
    colour codes when the output is not a terminal; else nowhere."""
    if verbose == "auto" or verbose < 2:
        return None
    if _interactive(sys.stdout if stream is None else stream):
        return print
    return lambda text: print(_ANSI.sub("", text))


class Progress(Callback):
    """Shows the progress of each training call of a net.

    Parameters
    ----------
    label : str
        What is training, e.g. ``"PretrainedClassifier, fine-tuning"``.
    mode : {"bar", "lines"}
        A tqdm bar, or plain lines (for logs).
    delay : float
        Seconds before the bar appears (fits shorter than that show nothing).
    """

    def __init__(self, label, mode="bar", delay=0.0):
        self.label = label
        self.mode = mode
        self.delay = delay

    def on_train_begin(self, net, **kwargs):
        self.bar_ = None
        self.done_ = 0.0
        self.started_ = time.perf_counter()
        self.next_line_ = LINE_EVERY

    def _open(self, net):
        self.unit_, self.total_ = net.progress_units()
        if self.mode == "bar":
            self.bar_ = tqdm(
                total=self.total_,
                desc=self.label,
                unit=self.unit_,
                delay=self.delay,
                file=sys.stderr,
                dynamic_ncols=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} "
                "{unit}s [{elapsed}<{remaining}{postfix}]",
            )

    def on_batch_end(self, net, **kwargs):
        if not hasattr(self, "unit_"):
            self._open(net)
        step = net.progress_per_batch()
        self.done_ += step
        if self.bar_ is not None:
            self.bar_.update(step)
        elif self.next_line_ * self.total_ - 1e-9 <= self.done_ < self.total_ - 1e-9:
            self._line(net)
            while self.next_line_ * self.total_ <= self.done_ + 1e-9:
                self.next_line_ += LINE_EVERY

    def on_epoch_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.set_postfix_str(_losses(net, "="), refresh=False)

    def _line(self, net):
        elapsed = time.perf_counter() - self.started_
        share = min(1.0, self.done_ / self.total_)
        left = elapsed * (1 - share) / share if share > 0 else float("nan")
        loss = _losses(net, " ")
        loss = f", {loss}" if loss else ""
        done = f"{self.done_:.1f}" if self.total_ < 100 else f"{self.done_:.0f}"
        print(
            f"{self.label}: {100 * share:3.0f}% ({done}/{self.total_:.0f} {self.unit_}s){loss}, "
            f"{elapsed:.1f} s elapsed, about {left:.1f} s left",
            file=sys.stderr,
            flush=True,
        )

    def on_train_end(self, net, **kwargs):
        if self.bar_ is not None:
            self.bar_.close()
            self.bar_ = None
        elif hasattr(self, "unit_"):
            self._line(net)  # the last line, with the last epoch's losses
        self.__dict__.pop("unit_", None)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("bar_", None)  # a live tqdm bar holds a stream
        return state


def _losses(net, sep):
    """The last complete epoch's losses, e.g. ``"loss=0.123"``."""
    epochs = [epoch for epoch in net.history if "train_loss" in epoch]
    if not epochs:
        return ""
    names = net.progress_losses()
    return ", ".join(f"{label}{sep}{epochs[-1][key]:.4g}" for label, key in names.items())


class Stages:
    """Progress through the named steps that follow training (e.g. a sampler's
    matchers), shown like a fit's progress under the same ``verbose`` rules."""

    def __init__(self, verbose, label, names):
        self.label = label
        self.mode = progress_mode(verbose)
        self.bar = None
        if self.mode == "bar":
            self.bar = tqdm(
                total=len(names),
                desc=label,
                unit="step",
                delay=AUTO_DELAY if verbose == "auto" else 0.0,
                file=sys.stderr,
                bar_format="{desc}: {n}/{total} {unit}s [{elapsed}{postfix}]",
            )

    def start(self, name):
        """Say that step ``name`` begins (the previous one has ended)."""
        if self.bar is not None:
            if self.bar.n or self.bar.postfix:
                self.bar.update(1)
            self.bar.set_postfix_str(name)
        elif self.mode == "lines":
            print(f"{self.label}: {name}", file=sys.stderr, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.update(self.bar.total - self.bar.n)
            self.bar.close()
