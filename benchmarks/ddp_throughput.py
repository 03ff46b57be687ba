"""Data-parallel training throughput of every trainer: one process against N gloo (CPU) or NCCL (GPU) processes.

Each trainer's real entry point (``train_recap``, ``train_moments``, ``train_dual``, ``train_xsum``)
trains ``--steps`` optimizer steps on the tests' synthetic, learnable data (``tests/train``) with the
same config and global batch in 1 and N processes; the figure is the trainer's own samples/s (the
training loop only: no loading, evaluation or export). Runs alternate 1, N, 1, N, ...; each process
uses ``--threads`` torch threads:

    .venv/bin/python benchmarks/ddp_throughput.py                                  # CPU, 1 vs 2
    .venv/bin/python benchmarks/ddp_throughput.py --device cuda --procs 2 --batch-size 64 --hidden 256
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
TRAINERS = ("recap", "moments", "dual", "xsum")


def prepare(kind: str, root: Path, args) -> Path:
    """Synthetic data and a config for ``kind`` under ``root``; returns the config path."""
    from tests.train import dual_synth, synth, xsum_synth

    h, extra = args.hidden, f"num_threads = {args.threads}\ndevice = \"{args.device}\"\namp = \"{args.amp}\"\n"
    if kind in ("recap", "xsum"):
        lm = synth.build_lm(root / "lm", n_embd=h, n_layer=2)
    if kind == "recap":
        data = synth.write_hcap(root / "data", n_train=4 * args.batch_size, n_val=2)
        path = synth.recap_config(root, data, lm, {"clip": args.steps}, extra_train=extra)
        text = path.read_text().replace("qformer_dim = 48", f"qformer_dim = {h}")
    elif kind == "moments":
        data = synth.write_moments(root / "data", n_train=2 * args.batch_size, n_val=2)
        text = synth.moments_config(root, data, args.steps, extra_train=extra).read_text()
        text = text.replace("hidden = 64", f"hidden = {h}")
    elif kind == "xsum":
        data = xsum_synth.write_videoxum(root / "data", n_train=4 * args.batch_size, n_val=2)
        text = xsum_synth.xsum_config(root, data, lm, args.steps, extra_train=extra).read_text()
        text = text.replace("hidden = 48", f"hidden = {h}")
    else:
        data = dual_synth.write_dual_data(root / "data", n_train=4 * args.batch_size)
        bert = dual_synth.build_text_model(root / "bert", hidden=h)
        path = dual_synth.dual_config(root, data, bert, args.steps, extra)
        text = path.read_text().replace("hidden = 32", f"hidden = {h}").replace("log_every = 10", "log_every = 0")
    path = root / f"{kind}.toml"
    text = text.replace("save_every = 10", "save_every = 0")
    batch = f"batch_size = {args.batch_size}"
    path.write_text("\n".join(batch if x.startswith("batch_size =") else x for x in text.splitlines()) + "\n")
    return path


def train(kind: str, config: str, out_dir: str) -> float:
    """Samples/s of one training run in this process (a rank of the group when WORLD_SIZE > 1)."""
    from vidrecap.train.harness import distributed

    if kind == "recap":
        from vidrecap.train.recap.train import load_recap_run as load
        from vidrecap.train.recap.train import train_recap as run
    elif kind == "moments":
        from vidrecap.train.moments.train import load_moments_run as load
        from vidrecap.train.moments.train import train_moments as run
    elif kind == "xsum":
        from vidrecap.train.xsum.train import load_xsum_run as load
        from vidrecap.train.xsum.train import train_xsum as run
    else:
        from vidrecap.train.dual.train import load_dual_run as load
        from vidrecap.train.dual.train import train_dual as run
    spec = load(config)
    spec.out_dir = Path(out_dir)
    report = run(spec, quiet=True)
    report = report[-1] if isinstance(report, list) else report
    distributed.barrier()
    return report.samples_per_second


def rank_main(rank: int, world: int, port: int, kind: str, config: str, out_dir: str) -> None:
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    import transformers

    from vidrecap.train.harness import distributed

    transformers.utils.logging.set_verbosity_error()
    rate = train(kind, config, out_dir)
    distributed.teardown()
    if rank == 0:
        Path(out_dir, "rate.json").write_text(json.dumps(rate))


def run(kind: str, config: Path, procs: int) -> float:
    """One run in ``procs`` fresh processes (1 included, so both pay the same start-up)."""
    import torch.multiprocessing as mp

    out = Path(tempfile.mkdtemp(prefix=f"ddp-bench-{kind}-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(rank_main, args=(procs, port, kind, str(config), str(out / "run")), nprocs=procs, join=True)
    return json.loads((out / "run" / "rate.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainers", default=",".join(TRAINERS))
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", default="off", choices=("off", "bf16", "fp16"))
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=16, help="global batch")
    parser.add_argument("--hidden", type=int, default=128, help="model width (and the test LM's)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for kind in args.trainers.split(","):
        config = prepare(kind, Path(tempfile.mkdtemp(prefix=f"ddp-data-{kind}-")), args)
        rates: dict[int, list[float]] = {1: [], args.procs: []}
        for _ in range(args.repeats):
            for procs in rates:
                rates[procs].append(run(kind, config, procs))
        results[kind] = rates
        if not args.json:
            line = "; ".join(f"{p} process{'es' if p > 1 else ''} " + " / ".join(f"{v:.1f}" for v in vs)
                             for p, vs in rates.items())
            speed = np.median(rates[args.procs]) / np.median(rates[1])
            print(f"{kind:8s} {line} samples/s (global batch {args.batch_size}, hidden {args.hidden}, "
                  f"{args.device}, {args.threads} thread(s) each): {speed:.2f}x", flush=True)
    if args.json:
        print(json.dumps({k: {str(p): v for p, v in r.items()} for k, r in results.items()}))


if __name__ == "__main__":
    main()
