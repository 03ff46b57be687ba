"""Shared scaffolding of the training-throughput benchmarks (``train_throughput.py``,
``dual_throughput.py``, ``xsum_throughput.py``): the common options, the device set-up, synthetic
moment batches, the timed step loop and the printed row."""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch


def step_parser(doc: str, *, threads: int = 2, batch_size: int = 8, steps: int = 10,
                warmup: int = 2) -> argparse.ArgumentParser:
    """``--device --amp --threads --batch-size --steps --warmup --json``; each script adds its own."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", default="off", choices=("off", "bf16", "fp16"))
    parser.add_argument("--threads", type=int, default=threads)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--json", action="store_true")
    return parser


def prepare(args: argparse.Namespace) -> torch.device:
    """Thread count set, transformers quiet; the device ``--device`` names."""
    torch.set_num_threads(args.threads)
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    from vidrecap.train.harness import pick_device

    return pick_device(args.device)


def moment_batch(args: argparse.Namespace, device: torch.device):
    """A synthetic batch for the moment head: one 8-clip window and its saliency per video."""
    from vidrecap.train.moments_train import MomentSample, collate

    rng = np.random.default_rng(0)
    samples = []
    for i in range(args.batch_size):
        start = int(rng.integers(0, args.clips - 10))
        saliency = np.zeros(args.clips, np.float32)
        saliency[start : start + 8] = rng.integers(1, 5, 8)
        window = np.array([[start / args.clips, (start + 8) / args.clips]], np.float32)
        video = rng.normal(size=(args.clips, args.video_dim)).astype(np.float32)
        text = rng.normal(size=(args.text_tokens, args.text_dim)).astype(np.float32)
        samples.append(MomentSample(i, "v", "q", args.clips * 2.0, video, text, window, saliency))
    inputs, targets = collate(samples)
    return inputs.to(device), [w.to(device) for w in targets.windows], [s.to(device) for s in targets.saliency]


def measure(name: str, make, args: argparse.Namespace, device: torch.device) -> dict:
    """Samples/s of forward + backward + AdamW on the model and loss ``make(args, device)`` builds."""
    from vidrecap.train.harness import autocast

    torch.manual_seed(0)
    model, loss_fn = make(args, device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step():
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, args.amp):
            loss = loss_fn()
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    params = sum(p.numel() for p in model.parameters())
    return {
        "model": name,
        "device": str(device),
        "amp": args.amp,
        "threads": torch.get_num_threads(),
        "batch_size": args.batch_size,
        "params_m": round(params / 1e6, 2),
        "samples_per_s": round(args.steps * args.batch_size / seconds, 1),
        "ms_per_step": round(1000 * seconds / args.steps, 1),
    }


def row(r: dict, width: int) -> str:
    return (f"{r['model']:{width}s} {r['device']:5s} amp={r['amp']:4s} threads={r['threads']} "
            f"batch={r['batch_size']} params={r['params_m']}M  "
            f"{r['samples_per_s']} samples/s ({r['ms_per_step']} ms/step)")


def report(results: list[dict], width: int, as_json: bool) -> None:
    print(json.dumps(results, indent=1) if as_json else "\n".join(row(r, width) for r in results))
