"""Deterministic batches: which samples micro-batch ``k`` holds, and prediction in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from .distributed import gather_in_order, shard

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class BatchSchedule:
    """Micro-batch ``k`` → (level, sample indices): a pure function of ``k`` and the seed.

    Levels take turns batch by batch; each level walks through its own seeded epoch permutations.
    """

    sizes: dict[str, int]
    levels: list[str]
    batch_size: int
    seed: int
    _perms: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)

    def local(self, k: int) -> tuple[str, list[int]]:
        """This process's shard of micro-batch ``k`` (all of it outside ``torchrun``)."""
        level, indices = self.at(k)
        return level, shard(indices)

    def at(self, k: int) -> tuple[str, list[int]]:
        level = self.levels[k % len(self.levels)]
        n = self.sizes[level]
        per_epoch = max(1, -(-n // self.batch_size))
        epoch, batch = divmod(k // len(self.levels), per_epoch)
        key = (level, epoch)
        if key not in self._perms:
            self._perms = {
                key: np.random.default_rng([self.seed, epoch, self.levels.index(level)]).permutation(n)
            }
        return level, self._perms[key][batch * self.batch_size : (batch + 1) * self.batch_size].tolist()


def predict_in_batches(items: Sequence[T], batch_size: int, predict: Callable[[list[T]], Iterable[R]]) -> list[R]:
    """``predict`` over consecutive chunks of ``items`` (at most ``batch_size`` each), results in order.

    Under ``torchrun`` each rank predicts its shard (``batch_size`` is then per rank) and every rank
    gets all results; ``predict`` must return one result per item."""
    mine = shard(items)
    out: list[R] = []
    for lo in range(0, len(mine), batch_size):
        out.extend(predict(list(mine[lo : lo + batch_size])))
    return gather_in_order(out, len(items))
