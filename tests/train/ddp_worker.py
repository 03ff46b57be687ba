"""One rank of a 2-process gloo run (``torch.multiprocessing.spawn``) for tests/train/test_ddp.py.

Each rank trains each named config to its end, except ``split``, which is interrupted at ``stop`` and
resumed, as ``torchrun`` would run them (``RANK``/``WORLD_SIZE``/``MASTER_*`` in the environment).
Every rank records, with an audit hook, each file it opens for writing, creates, renames or removes
under the run directories, so the test can check that rank 0 alone writes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

WRITE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "os.unlink", "shutil.rmtree", "os.rmdir"}


def _trainers(kind: str):
    if kind == "recap":
        from vidrecap.train.recap.train import load_recap_run as load
        from vidrecap.train.recap.train import train_recap as train
    elif kind == "moments":
        from vidrecap.train.moments.train import load_moments_run as load
        from vidrecap.train.moments.train import train_moments as train
    elif kind == "xsum":
        from vidrecap.train.xsum.train import load_xsum_run as load
        from vidrecap.train.xsum.train import train_xsum as train
    else:
        from vidrecap.train.dual.train import load_dual_run as load
        from vidrecap.train.dual.train import train_dual as train
    return load, train


def summary(report) -> dict:
    r = report[-1] if isinstance(report, list) else report
    return {"step": r.step, "finished": r.finished, "loss": r.loss, "metrics": r.metrics,
            "world_size": r.world_size}


def run(rank: int, world: int, port: int, kind: str, configs: dict[str, str], stop: int, out: str) -> None:
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    import torch

    from vidrecap import registry
    from vidrecap.train.harness import distributed

    from .dual_synth import SynonymWriter
    from .synth import ConceptEncoder

    torch.set_num_threads(1)
    registry.register("encoder", ConceptEncoder.spec)(ConceptEncoder)
    registry.register("writer", SynonymWriter.spec)(SynonymWriter)
    load, train = _trainers(kind)
    runs = {name: load(path) for name, path in configs.items()}
    roots = [str(r.out_dir.resolve()) for r in runs.values()]
    writes: list[str] = []

    def hook(event, args):
        if event == "open" and args and isinstance(args[0], str | Path):
            mode, flags = (list(args) + [None, 0])[1:3]
            writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool(
                (flags or 0) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            path = str(args[0])
        elif event in WRITE_EVENTS and args and isinstance(args[0], str | Path):
            path, writing = str(args[0]), True
        else:
            return
        if writing and any(os.path.abspath(path).startswith(root) for root in roots):
            writes.append(f"{event} {path}")

    sys.addaudithook(hook)
    result = {}
    for name, run_ in runs.items():
        if name == "split":
            result["stopped"] = summary(train(run_, quiet=True, stop_after=stop))
            result["resumed"] = summary(train(run_, quiet=True, resume=True))
        else:
            result[name] = summary(train(run_, quiet=True))
    distributed.teardown()
    result["writes"] = writes
    Path(out, f"rank{rank}.json").write_text(json.dumps(result))
