"""Data-parallel training under ``torchrun``: process group, batch shards, global losses, gathered predictions.

One process (no ``WORLD_SIZE`` in the environment, or 1) is the default and changes nothing. Under
``torchrun --nproc_per_node N`` each process joins a process group (NCCL on GPUs, gloo on CPUs), the
config's ``batch_size`` is the *global* batch, each rank takes a strided shard of the same globally
ordered batch, ``DistributedDataParallel`` averages the gradients, and rank 0 alone writes.

The gradient of a global batch equals the one-process gradient of that batch: a loss that is a mean
over terms (tokens, frames, matched windows, sample pairs) is a ``global_mean`` over the whole batch's
terms, not a mean per shard (which would weigh a short caption's tokens more on the rank that holds
it), and each rank draws its own dropout masks (``seed_ranks``), as one process draws a different mask
for every sample.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
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
    """This rank's part of a globally ordered batch: every ``world``-th item from ``rank``.

    Shards may differ by one item (``global_mean`` weighs every term alike); a batch with fewer items
    than processes is padded with its own first items, so that no rank is empty."""
    world = world_size()
    if world == 1:
        return list(items)
    items = list(items) + [items[i % len(items)] for i in range(max(0, world - len(items)))]
    return items[rank() :: world]


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


def global_mean(total: torch.Tensor, count: int | float | torch.Tensor) -> torch.Tensor:
    """The mean over the global batch of terms whose sum on this rank is ``total`` (``count`` of them).

    One process: ``total / count``. Under DDP, ``total * world / (count summed over ranks)``, so that
    DDP's average of the ranks' gradients is the gradient of the global mean. A collective: every
    rank calls it the same number of times, with ``count`` 0 when it holds no term."""
    if not active():
        return total / (count.clamp(min=1) if torch.is_tensor(count) else max(count, 1))
    n = torch.as_tensor(count, dtype=torch.float64).reshape(1).to(total.device)
    dist.all_reduce(n)
    return total * (world_size() / max(float(n.item()), 1.0))


def terms_mean(terms: list[torch.Tensor], like: torch.Tensor) -> torch.Tensor:
    """The ``global_mean`` of loss terms (scalars or 1-D); 0, still in ``like``'s graph, for none."""
    if not terms:
        return global_mean(like.sum() * 0, 0)
    flat = torch.cat([t.reshape(-1) for t in terms])
    return global_mean(flat.sum(), flat.numel())


def seed_ranks() -> None:
    """A dropout stream of its own for every rank but 0 (derived from the seed and the rank).

    Ranks seeded alike would drop the same units of every shard: one process never repeats a mask."""
    if active() and rank() > 0:
        torch.manual_seed(int(np.random.SeedSequence([torch.initial_seed(), rank()]).generate_state(1)[0]))


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
    """All ranks' rows concatenated (shards may differ in length); the backward pass sums each row's
    gradient over the ranks."""

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        sizes = gather_objects(int(tensor.shape[0]))
        ctx.start, ctx.rows = sum(sizes[: rank()]), tensor.shape[0]
        padded = torch.zeros((max(sizes), *tensor.shape[1:]), dtype=tensor.dtype, device=tensor.device)
        padded[: tensor.shape[0]] = tensor
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded)
        return torch.cat([part[:n] for part, n in zip(parts, sizes, strict=True)])

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.contiguous()
        dist.all_reduce(grad)
        return grad[ctx.start : ctx.start + ctx.rows]


def gather_rows(tensor: torch.Tensor) -> torch.Tensor:
    """The global batch of embeddings (in shard order) for a contrastive loss, gradients intact."""
    if not active():
        return tensor
    return _GatherWithGrad.apply(tensor.float())
