"""The training loop every trainer shares: seeds, AMP, accumulation, eval, checkpoints, resume.

A *task* supplies deterministic micro-batches (``micro_batch(k)`` is a pure function of ``k`` and
the seed, so resuming needs no data-loader state), the loss and an evaluation. Checkpoint files are
described in ``checkpoints``.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from ...errors import InputError
from ..config import check_range
from . import distributed
from .checkpoints import (
    CHECKPOINT,
    EXPORT,
    checkpoint_dir,
    load_optimizer,
    replace_dir,
    rng_state,
    save_optimizer,
    set_rng_state,
)
from .log import MetricsLog


@dataclass
class TrainSettings:
    """The ``[train]`` section common to both models."""

    seed: int = 0
    device: str = "cpu"
    amp: str = "off"  # off | bf16 | fp16 (fp16 on CUDA only)
    batch_size: int = 8  # the global micro-batch: split over the processes under torchrun
    grad_accum: int = 1
    lr: float = 3e-4
    weight_decay: float = 0.01
    warmup_steps: int = 0
    steps: int = 1000
    eval_every: int = 0  # 0: evaluate at the end only
    save_every: int = 200
    log_every: int = 10
    max_grad_norm: float = 1.0
    num_threads: int = 1
    eval_max_items: int = 200

    def __post_init__(self):
        if self.amp not in ("off", "bf16", "fp16"):
            raise ValueError(f"amp': expected off, bf16 or fp16, got {self.amp!r}")
        for name in ("batch_size", "grad_accum", "steps", "num_threads", "eval_max_items"):
            check_range(name, getattr(self, name), 1)
        for name in ("warmup_steps", "eval_every", "save_every", "log_every"):
            check_range(name, getattr(self, name), 0)
        check_range("lr", self.lr, 0.0)


class Task(Protocol):
    def micro_batch(self, k: int) -> Any: ...

    def loss(self, model: torch.nn.Module, batch: Any) -> torch.Tensor: ...

    def evaluate(self, model: torch.nn.Module) -> dict[str, float]: ...


class TaskLoss(torch.nn.Module):
    """``task.loss(model, batch)`` as a module's forward, so ``DistributedDataParallel`` can wrap it."""

    def __init__(self, model: torch.nn.Module, task: Task):
        super().__init__()
        self.model, self.task = model, task

    def forward(self, batch: Any) -> torch.Tensor:
        return self.task.loss(self.model, batch)


class SavableModel(Protocol):
    def save(self, directory: Path) -> None: ...


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def pick_device(device: str) -> torch.device:
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"device {device!r} requested but torch sees no GPU (use --device cpu)")
    return torch.device(device)


class WarmupCosine:
    """Linear warm-up then cosine decay to 10 % of the base learning rate; state is the step."""

    def __init__(self, optimizer: torch.optim.Optimizer, warmup: int, total: int):
        self.optimizer, self.warmup, self.total, self.step_count = optimizer, warmup, max(total, 1), 0
        self.base_lrs = [g["lr"] for g in optimizer.param_groups]
        self._apply()

    def factor(self, step: int) -> float:
        if self.warmup and step < self.warmup:
            return (step + 1) / self.warmup
        progress = min(1.0, (step - self.warmup) / max(1, self.total - self.warmup))
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = base * self.factor(self.step_count)

    def step(self) -> None:
        self.step_count += 1
        self._apply()

    def state_dict(self) -> dict[str, Any]:
        return {"step_count": self.step_count, "base_lrs": self.base_lrs}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.step_count, self.base_lrs = int(state["step_count"]), list(state["base_lrs"])
        self._apply()


def make_optimizer(model: torch.nn.Module, settings: TrainSettings) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on biases, norms or embeddings' 1-D params)."""
    decay, plain = [], []
    for param in model.parameters():
        if param.requires_grad:
            (decay if param.ndim >= 2 else plain).append(param)
    groups = [
        {"params": decay, "weight_decay": settings.weight_decay},
        {"params": plain, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=settings.lr)


# -- checkpoint files ------------------------------------------------------------------------------


# -- metrics log -----------------------------------------------------------------------------------


# -- the loop --------------------------------------------------------------------------------------


@dataclass
class FitResult:
    step: int
    finished: bool
    last_loss: float
    metrics: dict[str, float]
    seconds: float
    samples: int
    world_size: int = 1


@dataclass
class TrainReport:
    """How a training run ended: its step, whether it finished, the last loss and the metrics,
    its speed and the exported model; each trainer's report adds what it also wrote."""

    step: int
    finished: bool
    loss: float
    metrics: dict[str, float]
    samples_per_second: float
    model_dir: Path
    world_size: int = field(default=1, kw_only=True)  # processes that trained it (torchrun)

    @classmethod
    def of(cls, result: FitResult, model_dir: Path, **extra: Any):
        rate = result.samples / result.seconds if result.seconds > 0 else 0.0
        return cls(
            result.step, result.finished, result.last_loss, result.metrics, rate, model_dir,
            world_size=result.world_size, **extra,
        )


def autocast(device: torch.device, amp: str):
    if amp == "off":
        return nullcontext()
    if amp == "fp16" and device.type != "cuda":
        raise InputError("amp = 'fp16' needs --device cuda (use 'bf16' on CPU)")
    dtype = torch.bfloat16 if amp == "bf16" else torch.float16
    return torch.autocast(device.type, dtype=dtype)


class Trainer:
    """Trains ``model`` on ``task`` for ``settings.steps`` optimizer steps in ``stage_dir``."""

    def __init__(
        self,
        model: torch.nn.Module,
        task: Task,
        settings: TrainSettings,
        stage_dir: Path,
        stage: str,
        log: MetricsLog,
        quiet: bool = False,
        on_eval: Callable[[int, dict[str, float]], None] | None = None,
    ):
        self.model, self.task, self.settings, self.stage_dir = model, task, settings, stage_dir
        self.stage, self.log, self.quiet, self.on_eval = stage, log, quiet, on_eval
        self.device = next(model.parameters()).device
        self.optimizer = make_optimizer(model, settings)
        self.scheduler = WarmupCosine(self.optimizer, settings.warmup_steps, settings.steps)
        use_scaler = settings.amp == "fp16" and self.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=use_scaler)
        self.step = 0
        self.world_size = distributed.world_size()
        if settings.batch_size % self.world_size:
            raise InputError(
                f"train.batch_size: {settings.batch_size} is the global batch and must be divisible by "
                f"the {self.world_size} processes"
            )
        self.loss_module = TaskLoss(model, task)
        if distributed.active():
            from torch.nn.parallel import DistributedDataParallel

            self.loss_module = DistributedDataParallel(self.loss_module, find_unused_parameters=True)
            distributed.seed_ranks()  # after DDP copied rank 0's weights: dropout differs per rank

    # checkpoints
    def save_checkpoint(self) -> Path:
        """Rank 0 writes the checkpoint, with every rank's RNG state (a collective under DDP)."""
        states = distributed.gather_objects(rng_state())
        if distributed.is_main():
            self._write_checkpoint(states)
        distributed.barrier()
        return self.stage_dir / CHECKPOINT

    def _write_checkpoint(self, states: list) -> None:
        new = self.stage_dir / (CHECKPOINT + "-new")
        shutil.rmtree(new, ignore_errors=True)
        new.mkdir(parents=True)
        self.model.save(new / "model")
        save_optimizer(self.optimizer, new)
        from safetensors.torch import save_file

        tensors, plain = states[0]
        for r, (more, _) in enumerate(states[1:], 1):
            tensors.update({f"rank{r}.{k}": v for k, v in more.items()})
        save_file(tensors, str(new / "rng.safetensors"))
        state = {
            "stage": self.stage,
            "step": self.step,
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": plain,
            "rng_ranks": [p for _, p in states[1:]],
            "world_size": self.world_size,
            "settings": asdict(self.settings),
        }
        (new / "trainer_state.json").write_text(json.dumps(state))
        replace_dir(new, self.stage_dir / CHECKPOINT)

    def load_checkpoint(self, directory: Path) -> None:
        from safetensors.torch import load_file

        self.model.load_weights(directory / "model")
        load_optimizer(self.optimizer, directory)
        state = json.loads((directory / "trainer_state.json").read_text())
        self.scheduler.load_state_dict(state["scheduler"])
        if state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.step = int(state["step"])
        tensors, plain = load_file(str(directory / "rng.safetensors")), state["rng"]
        r = distributed.rank()
        if 0 < r <= len(state.get("rng_ranks", [])):  # this rank's own state (else rank 0's)
            tensors = {k.split(".", 1)[1]: v for k, v in tensors.items() if k.startswith(f"rank{r}.")}
            plain = state["rng_ranks"][r - 1]
        set_rng_state({k: v for k, v in tensors.items() if not k.startswith("rank")}, plain)

    def export(self) -> Path:
        """The final model as ``stage_dir/model`` (config JSON + safetensors), written by rank 0."""
        if distributed.is_main():
            new = self.stage_dir / (EXPORT + "-new")
            shutil.rmtree(new, ignore_errors=True)
            self.model.save(new)
            replace_dir(new, self.stage_dir / EXPORT)
        distributed.barrier()
        return self.stage_dir / EXPORT

    # loop
    def train_step(self) -> float:
        s = self.settings
        self.optimizer.zero_grad(set_to_none=True)
        total = 0.0
        for micro in range(s.grad_accum):
            batch = self.task.micro_batch(self.step * s.grad_accum + micro)
            last = micro == s.grad_accum - 1
            sync = nullcontext() if last or not distributed.active() else self.loss_module.no_sync()
            with sync:
                with autocast(self.device, s.amp):
                    loss = self.loss_module(batch)
                self.scaler.scale(loss / s.grad_accum).backward()
            total += float(loss.detach()) / s.grad_accum
        self.scaler.unscale_(self.optimizer)
        if s.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), s.max_grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        self.step += 1
        return distributed.mean(total)

    def evaluate(self) -> dict[str, float]:
        self.model.eval()
        try:
            with torch.no_grad():
                metrics = self.task.evaluate(self.model)
        finally:
            self.model.train()
        self.log.write(self.stage, self.step, "val", metrics)
        if self.on_eval:
            self.on_eval(self.step, metrics)
        return metrics

    def fit(self, resume: bool = True, stop_after: int | None = None) -> FitResult:
        """Train to ``settings.steps`` (or stop early at step ``stop_after``, as an interruption would)."""
        s = self.settings
        found = checkpoint_dir(self.stage_dir) if resume else None
        if found is not None:
            self.load_checkpoint(found)
        self.model.train()
        end = s.steps if stop_after is None else min(s.steps, stop_after)
        bar = self._progress_bar()
        started, start_step, loss, metrics = time.perf_counter(), self.step, float("nan"), {}
        try:
            while self.step < end:
                loss = self.train_step()
                bar.update(1)
                if s.log_every and self.step % s.log_every == 0:
                    lr = self.optimizer.param_groups[0]["lr"]
                    self.log.write(self.stage, self.step, "train", {"loss": loss, "lr": lr})
                    bar.set_postfix(loss=f"{loss:.4f}")
                if s.eval_every and self.step % s.eval_every == 0 and self.step < s.steps:
                    metrics = self.evaluate()
                if s.save_every and self.step % s.save_every == 0 and self.step < end:
                    self.save_checkpoint()
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        self.save_checkpoint()
        finished = self.step >= s.steps
        if finished:
            metrics = self.evaluate()
            self.export()
        samples = (self.step - start_step) * s.batch_size * s.grad_accum
        return FitResult(self.step, finished, loss, metrics, seconds, samples, self.world_size)

    def _progress_bar(self):
        from tqdm.auto import tqdm

        disable = True if self.quiet or not distributed.is_main() else None  # None: off when stderr is not a terminal
        return tqdm(
            total=self.settings.steps,
            initial=self.step,
            desc=self.stage,
            unit="step",
            disable=disable,
            file=sys.stderr,
            dynamic_ncols=True,
        )
