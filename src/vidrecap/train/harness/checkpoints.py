"""Checkpoint files (safetensors + JSON, never pickle), atomic directory swaps and run-directory checks.

A checkpoint is a directory::

    checkpoint/model/{config.json, model.safetensors, ...}   the model (``model.save``)
    checkpoint/optimizer.safetensors + optimizer.json         AdamW state tensors + the rest
    checkpoint/rng.safetensors                                torch CPU (and CUDA) RNG states
    checkpoint/trainer_state.json                             step, scheduler, python/numpy RNG, settings
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ...errors import InputError

CHECKPOINT = "checkpoint"
EXPORT = "model"


def save_optimizer(optimizer: torch.optim.Optimizer, directory: Path) -> None:
    from safetensors.torch import save_file

    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for name, value in values.items():
            if torch.is_tensor(value):
                tensors[f"{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{name}"] = value
    save_file(tensors, str(directory / "optimizer.safetensors"))
    (directory / "optimizer.json").write_text(
        json.dumps({"param_groups": state["param_groups"], "scalars": scalars})
    )


def load_optimizer(optimizer: torch.optim.Optimizer, directory: Path) -> None:
    from safetensors.torch import load_file

    extra = json.loads((directory / "optimizer.json").read_text())
    state: dict[int, dict[str, Any]] = {}
    for key, tensor in load_file(str(directory / "optimizer.safetensors")).items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = tensor
    for key, value in extra["scalars"].items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": extra["param_groups"]})


def rng_state() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors = {"torch_cpu": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"torch_cuda_{i}"] = s
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    plain = {
        "numpy": [kind, keys.tolist(), pos, has_gauss, gauss],
        "python": [version, list(internal), gauss_next],
    }
    return tensors, plain


def set_rng_state(tensors: dict[str, torch.Tensor], plain: dict[str, Any]) -> None:
    torch.set_rng_state(tensors["torch_cpu"])
    cuda = [tensors[k] for k in sorted(tensors) if k.startswith("torch_cuda_")]
    if cuda and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(cuda)
    kind, keys, pos, has_gauss, gauss = plain["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, gauss))
    version, internal, gauss_next = plain["python"]
    random.setstate((version, tuple(internal), gauss_next))


def replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` in for ``target`` so that a crash leaves one complete directory (old or new)."""
    old = target.with_name(target.name + "-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def checkpoint_dir(stage_dir: Path) -> Path | None:
    """The newest complete checkpoint of a stage (the ``-old`` one when a swap was interrupted)."""
    for name in (CHECKPOINT, CHECKPOINT + "-old"):
        path = stage_dir / name
        if (path / "trainer_state.json").exists():
            return path
    return None


def stage_finished(stage_dir: Path, steps: int) -> bool:
    state = stage_dir / CHECKPOINT / "trainer_state.json"
    if not state.exists() or not (stage_dir / EXPORT / "config.json").exists():
        return False
    return int(json.loads(state.read_text())["step"]) >= steps


def check_fresh(out_dir: Path, resume: bool) -> None:
    if not resume and out_dir.exists() and any(out_dir.glob(f"*/{CHECKPOINT}")):
        raise InputError(
            f"{out_dir}: already holds a training run; pass --resume to continue it or choose another out_dir"
        )
