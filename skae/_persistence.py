"""A fitted estimator's skorch net as plain data, and back.

Pickling a skorch net pickles its torch module, optimizers and criterion, as bytes
that skorch unpickles again on load: skops.io could only store them as an opaque
blob that loading must trust, and a model trained on a GPU would unpickle onto a
GPU. An estimator's saved state holds instead what the net was built from
(``skae_build_``: plain arguments), the module's weights and the optimizers' state
as NumPy arrays on the CPU, the history as a list of dicts and the net's step
counters; loading rebuilds the net from them and the estimator's parameters, on
the device the parameters ask for (the CPU when that device is not there).
Pickle, joblib and skops all save this state.
"""

import numpy as np
import torch
from skorch.history import History

from ._warn import warn

# Net attributes that training advances and a continued fit reads.
COUNTERS = ("critic_steps_", "teacher_steps_")


def _array(tensor):
    """A tensor as a NumPy array on the CPU, never sharing the tensor's memory."""
    tensor = tensor.detach()
    if tensor.dtype in (torch.bfloat16, torch.float16):
        tensor = tensor.float()
    return tensor.cpu().numpy().copy()


def plain(value):
    """``value`` with tensors as NumPy arrays and NumPy scalars as Python numbers,
    containers copied (dicts, lists, tuples)."""
    if torch.is_tensor(value):
        return _array(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _tensors(value):
    """The arrays in an optimizer's plain state as tensors (the optimizer moves
    them to its parameters' device and dtype on loading)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value))
    if isinstance(value, dict):
        return {key: _tensors(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tensors(item) for item in value]
    return value


def _optimizers(net):
    return {
        name: value for name, value in vars(net).items() if isinstance(value, torch.optim.Optimizer)
    }


def net_state(net):
    """The plain state of a trained net (see the module's docstring)."""
    return {
        "build": plain(net.skae_build_),
        "module": {name: _array(t) for name, t in net.module_.state_dict().items()},
        "optimizers": {name: plain(opt.state_dict()) for name, opt in _optimizers(net).items()},
        "history": plain([dict(epoch) for epoch in net.history]),
        "counters": {name: getattr(net, name) for name in COUNTERS if hasattr(net, name)},
    }


def load_device(device, resolve):
    """The device to rebuild a net on: the one ``device`` names, or the CPU (with a
    warning) when it is not there, e.g. a model trained on a GPU loaded without one."""
    try:
        return resolve(device)
    except ValueError:
        warn(
            f"device={device!r} is not available here; the model is loaded onto the CPU "
            "(set device='cpu' or 'auto' before fitting it further).",
        )
        return torch.device("cpu")


def _check_plain(value, where):
    """Refuse anything but numbers, strings, None, numeric arrays and containers of
    them: what a net is built from is never an object of the file's choosing, so
    trusting skae's types in a skops file trusts nothing more."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key, where)
            _check_plain(item, where)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_plain(item, where)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ValueError(f"The saved {where} holds an array of dtype {value.dtype}.")
    elif value is not None and not isinstance(value, (bool, int, float, str)):
        raise ValueError(f"The saved {where} holds a {type(value).__name__}, not plain data.")


def rebuild_net(estimator, state, device):
    """The net of ``state`` rebuilt by ``estimator`` (its ``_make_net``), with the
    saved weights, optimizer state, history and counters."""
    for part in ("build", "module", "optimizers", "history", "counters"):
        _check_plain(state[part], f"net's {part}")
    build = state["build"]
    net = estimator._make_net(build["module_args"], device, 0, **build["kwargs"])
    weights = {name: torch.from_numpy(np.array(array)) for name, array in state["module"].items()}
    net.module_.load_state_dict(weights)
    optimizers = _optimizers(net)
    for name, optimizer_state in state["optimizers"].items():
        optimizers[name].load_state_dict(_tensors(optimizer_state))
    net.history = History(plain(state["history"]))
    for name, value in state["counters"].items():
        setattr(net, name, value)
    return net
