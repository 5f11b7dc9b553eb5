"""How many threads torch should use for a fit or a batch of inference
(``torch_num_threads="auto"``).

Two things decide it (``benchmarks/bench_threads_auto.py`` measures both):

* **The size of the work.** A second thread pays only when each batch has enough
  multiply-adds to split: on 2 cores, an autoencoder of 64 pixels (2.5 million
  multiply-adds per batch) gained little or nothing from two threads, the
  784-256-64 one (68 million) and the GAN on digits (50 million) 1.2-1.4x. Below
  ``MIN_PARALLEL_WORK`` one thread is used.
* **What else runs.** torch's OpenMP threads wait for each other at every operation;
  beside a process that keeps a core busy, the thread on that core runs in its
  time slices and every step waits for it (a default digits fit ran 2.9-3.3x slower
  beside one busy process). The cores other processes keep busy are read from
  ``/proc/stat`` over ``PROBE_SECONDS`` (only for work big enough to want more than
  one thread) and left to them.

The count never exceeds torch's own setting, which follows ``OMP_NUM_THREADS`` (as
set in joblib's and Dask's workers), so a parallel search is never oversubscribed.
"""

import os
import time

import torch

# Multiply-adds per batch (weights that train times rows) above which a second
# thread pays on a CPU.
MIN_PARALLEL_WORK = 15e6
# How long the load of the other processes is sampled.
PROBE_SECONDS = 0.05


def available_cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _cpu_times():
    """``(all, idle, this process's)`` CPU time so far, in clock ticks."""
    with open("/proc/stat") as stat:
        fields = [float(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    with open("/proc/self/stat") as own:
        # utime and stime (fields 14 and 15) of all this process's threads; the
        # command name in parentheses may hold spaces, so count after it.
        after_name = own.read().rsplit(")", 1)[1].split()
    mine = float(after_name[11]) + float(after_name[12])
    return sum(fields), idle, mine


_last_probe = (-float("inf"), 0.0)  # (when, busy cores)
# A probe is reused for this many seconds (a loop of predict calls pays once).
PROBE_REUSE_SECONDS = 2.0


def busy_cores():
    """Cores kept busy by other processes right now (this one is idle while it
    looks); 0 where ``/proc/stat`` cannot be read."""
    global _last_probe
    when, busy = _last_probe
    if time.monotonic() - when < PROBE_REUSE_SECONDS:
        return busy
    busy = _probe()
    _last_probe = (time.monotonic(), busy)
    return busy


def _probe():
    try:
        total_before, idle_before, mine_before = _cpu_times()
        time.sleep(PROBE_SECONDS)
        total_after, idle_after, mine_after = _cpu_times()
    except (OSError, ValueError, IndexError):
        return 0.0
    elapsed = total_after - total_before
    if elapsed <= 0:
        return 0.0
    # This process's own time is not another's load: OpenMP threads of the last
    # parallel region spin for a while after it (KMP_BLOCKTIME).
    busy = elapsed - (idle_after - idle_before) - (mine_after - mine_before)
    return max(0.0, busy / elapsed) * (os.cpu_count() or 1)


def work_per_batch(module, batch_rows):
    """Multiply-adds of one batch through the trainable weight matrices; a
    convolution's weights count once per position it is applied at (its
    ``positions`` attribute, set where the network is built)."""
    weights = sum(
        p.numel() * getattr(layer, "positions", 1)
        for layer in module.modules()
        for p in layer.parameters(recurse=False)
        if p.requires_grad and p.dim() >= 2
    )
    return weights * batch_rows


def auto_threads(module, batch_rows, device):
    """Threads for batches of ``batch_rows`` rows through ``module`` on ``device``."""
    ceiling = torch.get_num_threads()
    if device.type != "cpu":
        return ceiling  # the GPU computes; the CPU threads only launch kernels
    if ceiling == 1 or work_per_batch(module, batch_rows) < MIN_PARALLEL_WORK:
        return 1
    free = available_cores() - round(busy_cores())
    return max(1, min(ceiling, free))
