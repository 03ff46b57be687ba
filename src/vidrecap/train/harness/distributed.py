"""Data-parallel training under ``torchrun``: process group, batch shards, gathered predictions.

One process (no ``WORLD_SIZE`` in the environment, or 1) is the default and changes nothing. Under
``torchrun --nproc_per_node N`` each process joins a process group (NCCL on GPUs, gloo on CPUs), the
config's ``batch_size`` is the *global* batch, each rank takes a strided shard of the same globally
ordered batch (``DistributedSampler``'s rule: a batch that does not split evenly is padded with its
own first samples), ``DistributedDataParallel`` averages the gradients, and rank 0 alone writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

import torch
import torch.distributed as dist

from ...errors import InputError

T = TypeVar("T")


def env_world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def active() -> bool:
    """True inside an initialised process group of more than one process."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if active() else 0


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def is_main() -> bool:
    return rank() == 0


def setup(device: str, batch_size: int) -> torch.device:
    """The device of this process; under ``torchrun`` joins the process group first.

    Raises ``InputError`` when the world size does not divide the global ``batch_size``."""
    world = env_world_size()
    if world > 1 and batch_size % world:
        raise InputError(
            f"train.batch_size: {batch_size} is the global batch and must be divisible by the "
            f"{world} processes (WORLD_SIZE)"
        )
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"device {device!r} requested but torch sees no GPU (use --device cpu)")
    if world <= 1:
        return torch.device(device)
    cuda = device.startswith("cuda")
    if cuda:
        local = int(os.environ.get("LOCAL_RANK", "0"))
        torch.cuda.set_device(local)
        device = f"cuda:{local}"
    if not dist.is_initialized():
        dist.init_process_group("nccl" if cuda else "gloo")
    return torch.device(device)


def teardown() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def shard(items: Sequence[T]) -> list[T]:
    """This rank's part of a globally ordered batch: every ``world``-th item from ``rank``, the
    batch padded with its own first items to a multiple of the world size (so ranks stay equal)."""
    world = world_size()
    if world == 1:
        return list(items)
    padded = list(items) + [items[i % len(items)] for i in range(-len(items) % world)]
    return padded[rank() :: world]


def gather_in_order(local: list[T], total: int) -> list[T]:
    """Undo ``shard`` over a list of ``total`` items: every rank gets all results in global order."""
    if not active():
        return local
    parts: list[list[T] | None] = [None] * world_size()
    dist.all_gather_object(parts, local)
    out: list[T] = []
    for i in range(total):
        out.append(parts[i % len(parts)][i // len(parts)])  # type: ignore[index]
    return out


def on_main(compute: Callable[..., T], *args) -> T:
    """``compute(*args)`` on rank 0 only (scoring once), its result handed to every rank."""
    if not active():
        return compute(*args)
    box = [compute(*args) if is_main() else None]
    dist.broadcast_object_list(box, src=0)
    return box[0]  # type: ignore[return-value]


def mean(value: float) -> float:
    """The mean of a number over the ranks (the logged loss of a global batch)."""
    if not active():
        return value
    t = torch.tensor([value], dtype=torch.float64)
    if dist.get_backend() == "nccl":
        t = t.cuda()
    dist.all_reduce(t)
    return float(t.item()) / world_size()


def gather_objects(value: T) -> list[T]:
    if not active():
        return [value]
    parts: list[T | None] = [None] * world_size()
    dist.all_gather_object(parts, value)
    return parts  # type: ignore[return-value]


def barrier() -> None:
    if active():
        dist.barrier()


class _GatherWithGrad(torch.autograd.Function):
    """All ranks' rows concatenated; the backward pass sums each row's gradient over the ranks."""

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        ctx.rank, ctx.rows = rank(), tensor.shape[0]
        parts = [torch.empty_like(tensor) for _ in range(world_size())]
        dist.all_gather(parts, tensor.contiguous())
        return torch.cat(parts)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous()
        dist.all_reduce(grad)
        return grad[ctx.rank * ctx.rows : (ctx.rank + 1) * ctx.rows]


def gather_rows(tensor: torch.Tensor) -> torch.Tensor:
    """The global batch of embeddings (in shard order) for a contrastive loss, gradients intact."""
    if not active():
        return tensor
    return _GatherWithGrad.apply(tensor.float())
