"""Data-parallel training (``strategy="ddp"``) across the processes of a ``torchrun``
launch, through HF accelerate and skorch's ``AccelerateMixin``.

Accelerate starts the process group (NCCL on GPUs, gloo on CPUs) and places each
process on its device; skorch's ``DistributedHistory`` keeps the processes' histories
identical, so early stopping and logging agree everywhere. Each process trains on
its own share of every batch and the gradients are averaged before each optimizer
step, so all processes hold the same weights throughout.

Why not accelerate's ``DistributedDataParallel`` wrapper: it averages gradients only
through a module's ``forward``, and the GAN trains its critic and generator through
other methods (and differentiates a gradient for its penalty, which DDP does not
support). One all-reduce of the flattened gradients before each step does what DDP
does, for every net here, without its overlap of communication and backward.
"""

import os

import torch
import torch.distributed as dist
from skorch.hf import AccelerateMixin
from skorch.history import DistributedHistory, History

from ._nets import AutoencoderNet, GANNet, SemiSupervisedNet
from ._variational import VAENet


def make_accelerator(device):
    """An ``Accelerator`` for the current ``torchrun`` process (or a lone process)."""
    try:
        from accelerate import Accelerator
    except ImportError as exc:
        raise ImportError(
            "strategy='ddp' needs HF accelerate: pip install accelerate "
            "(or pip install 'skae[distributed]')."
        ) from exc
    # skorch moves modules and data itself; accelerate only picks the device.
    return Accelerator(cpu=device.type == "cpu", device_placement=False)


def make_history(accelerator):
    """A ``DistributedHistory`` over a key-value store rank 0 opens on a free port."""
    rank, world_size = accelerator.process_index, accelerator.num_processes
    if world_size == 1:
        return History()
    host = os.environ.get("MASTER_ADDR", "127.0.0.1")
    store = None
    if rank == 0:
        store = dist.TCPStore(host, 0, world_size, is_master=True, wait_for_workers=False)
    port = [store.port if store is not None else None]
    dist.broadcast_object_list(port, src=0)
    if store is None:
        store = dist.TCPStore(host, port[0], world_size, is_master=False)
    return DistributedHistory(store=store, rank=rank, world_size=world_size)


class DistributedMixin(AccelerateMixin):
    """``AccelerateMixin`` for skae's nets: their own training steps and batch
    iterator are kept (each process reads its share of every batch), and gradients
    are averaged in :meth:`synchronise_gradients`."""

    @property
    def rank(self):
        return self.accelerator.process_index

    @property
    def world_size(self):
        return self.accelerator.num_processes

    def _initialize_accelerator(self):
        # Criteria have no parameters and are left alone (accelerate's CPU path
        # would wrap them in DDP and fail); modules stay unwrapped (see the module
        # docstring). All processes start from rank 0's weights.
        if self.world_size > 1:
            self._broadcast(self.module_.parameters())
        self._wrapped_with_accelerator = True
        return self

    def _broadcast(self, tensors):
        for tensor in tensors:
            dist.broadcast(tensor.data, src=0)

    # Keep the nets' own steps and iterator rather than the mixin's generic ones.
    def train_step(self, batch, **fit_params):
        return super(AccelerateMixin, self).train_step(batch, **fit_params)

    def train_step_single(self, batch, **fit_params):
        return super(AccelerateMixin, self).train_step_single(batch, **fit_params)

    def evaluation_step(self, batch, training=False):
        return super(AccelerateMixin, self).evaluation_step(batch, training=training)

    def get_iterator(self, dataset, training=False):
        iterator = super(AccelerateMixin, self).get_iterator(dataset, training=training)
        iterator.rank, iterator.world_size = self.rank, self.world_size
        return iterator

    def synchronise_gradients(self, parameters):
        if self.world_size == 1:
            return
        grads = [p.grad for p in parameters if p.grad is not None]
        if not grads:
            return
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= self.world_size
        for grad, averaged in zip(
            grads, torch._utils._unflatten_dense_tensors(flat, grads), strict=True
        ):
            grad.copy_(averaged)

    def on_train_end(self, net, **kwargs):
        # Batch-norm statistics are per process; keep rank 0's everywhere.
        if self.world_size > 1:
            self._broadcast(self.module_.buffers())
        super().on_train_end(net, **kwargs)


class DistributedAutoencoderNet(DistributedMixin, AutoencoderNet):
    pass


class DistributedSemiSupervisedNet(DistributedMixin, SemiSupervisedNet):
    pass


class DistributedGANNet(DistributedMixin, GANNet):
    pass


class DistributedVAENet(DistributedMixin, VAENet):
    pass


DISTRIBUTED_NETS = {
    AutoencoderNet: DistributedAutoencoderNet,
    SemiSupervisedNet: DistributedSemiSupervisedNet,
    GANNet: DistributedGANNet,
    VAENet: DistributedVAENet,
}


def to_single_process(net):
    """Turn a trained distributed net into the plain net it extends, with its synced
    history, so that the model pickles, predicts and trains on in one process."""
    net.accelerator.wait_for_everyone()
    history = net.history
    if isinstance(history, DistributedHistory):
        history = history.history  # synced
    net.__class__ = next(base for base in type(net).__mro__ if base in DISTRIBUTED_NETS)
    for attr in ("accelerator", "unwrap_after_train", "_wrapped_with_accelerator"):
        net.__dict__.pop(attr, None)
    net.history = history
    # accelerate's print (main process only) is not picklable.
    net.callbacks__print_log__sink = print
    dict(net.callbacks_)["print_log"].sink = print
    return net
