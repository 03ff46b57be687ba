"""Data-parallel training throughput: one process against N gloo (CPU) or NCCL (GPU) processes.

The moment head's real task and the harness's ``Trainer`` (DistributedDataParallel when N > 1) train
``--steps`` optimizer steps on synthetic QVHighlights-like samples with the same global batch; the
figure is the trainer's own samples/s (the training loop only). Runs alternate 1, N, 1, N, ...:

    .venv/bin/python benchmarks/ddp_throughput.py                         # CPU, 1 vs 2 processes
    .venv/bin/python benchmarks/ddp_throughput.py --device cuda --procs 2 --batch-size 64 --hidden 256
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
from pathlib import Path

import numpy as np


def samples(args) -> list:
    from vidrecap.train.moments.data import MomentSample

    rng, out = np.random.default_rng(0), []
    for i in range(args.samples):
        start = int(rng.integers(0, args.clips - 8))
        saliency = np.zeros(args.clips, np.float32)
        saliency[start : start + 6] = rng.integers(1, 5, 6)
        window = np.array([[start / args.clips, (start + 6) / args.clips]], np.float32)
        video = rng.normal(size=(args.clips, args.dim)).astype(np.float32)
        text = rng.normal(size=(12, args.dim)).astype(np.float32)
        out.append(MomentSample(i, "v", "q", args.clips * 2.0, video, text, window, saliency))
    return out


def train(args, out_dir: Path) -> float:
    """Samples/s of one training run in this process (a rank of the group when WORLD_SIZE > 1)."""
    import torch

    from vidrecap.train.harness import MetricsLog, Trainer, TrainSettings, distributed
    from vidrecap.train.moments.model import MomentConfig, MomentHead
    from vidrecap.train.moments.train import MomentTask

    torch.set_num_threads(args.threads)
    settings = TrainSettings(batch_size=args.batch_size, steps=args.steps, save_every=0, log_every=0,
                             device=args.device)
    device = distributed.setup(args.device, args.batch_size)
    train = samples(args)
    model = MomentHead(MomentConfig(video_dim=args.dim, text_dim=args.dim, hidden=args.hidden)).to(device)
    task = MomentTask(model, train, [], None, settings)
    log = MetricsLog(out_dir / "metrics.csv")
    result = Trainer(model, task, settings, out_dir / "moments", "moments", log, quiet=True).fit(resume=False)
    return result.samples / result.seconds


def rank_main(rank: int, world: int, port: int, args, out_dir: str) -> None:
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    from vidrecap.train.harness import distributed

    rate = train(args, Path(out_dir))
    distributed.teardown()
    if rank == 0:
        Path(out_dir, "rate.json").write_text(json.dumps(rate))


def run(args, procs: int) -> float:
    out = Path(tempfile.mkdtemp(prefix="ddp-bench-"))
    if procs == 1:
        return train(args, out)
    import torch.multiprocessing as mp

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(rank_main, args=(procs, port, args, str(out)), nprocs=procs, join=True)
    return json.loads((out / "rate.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=16, help="global batch")
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--clips", type=int, default=75)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rates: dict[int, list[float]] = {1: [], args.procs: []}
    for _ in range(args.repeats):
        for procs in rates:
            rates[procs].append(run(args, procs))
    if args.json:
        print(json.dumps({str(k): v for k, v in rates.items()}))
        return
    for procs, values in rates.items():
        print(f"{procs} process{'es' if procs > 1 else ''}: " + ", ".join(f"{v:.1f}" for v in values)
              + f" samples/s (global batch {args.batch_size}, {args.device})")
    print(f"speed-up: {np.median(rates[args.procs]) / np.median(rates[1]):.2f}x")


if __name__ == "__main__":
    main()
