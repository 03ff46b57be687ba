"""``vidrecap train {recap,moments,dual,xsum} --config FILE``: train a model (see docs/train.md).

``vidrecap train pairs --recaps OUT... --out DIR`` writes moment pretraining pairs from recaps.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "model", choices=("recap", "moments", "dual", "xsum", "pairs"),
        help="which model to train (pairs: pretraining data)",
    )
    parser.add_argument("--config", help="TOML config file")
    parser.add_argument("--recaps", nargs="+", default=[], help="pairs: recap output directories")
    parser.add_argument("--device", default=None, help="cpu or cuda (overrides train.device)")
    parser.add_argument("--out", default=None, help="output directory (overrides train.out_dir)")
    parser.add_argument("--resume", action="store_true", help="continue the run in the output directory")
    parser.add_argument(
        "--stop-after",
        type=int,
        default=None,
        metavar="STEP",
        help="stop (with a checkpoint) at this step, to continue later with --resume",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--narrator", default=None, metavar="CAPTIONER",
                        help="dual: caption unlabelled windows with this captioner backend")
    parser.add_argument("--rephraser", default=None, metavar="WRITER",
                        help="dual: paraphrase narrations with this writer backend")


def execute(args: argparse.Namespace) -> int:
    from ..errors import InputError

    if args.model == "pairs":
        return _pairs(args)
    if not args.config:
        raise InputError(f"train {args.model}: --config FILE is required")
    from .harness import distributed

    try:
        return _train(args)
    finally:
        distributed.teardown()


def _train(args: argparse.Namespace) -> int:
    """One trainer; under ``torchrun`` every rank trains and rank 0 alone prints."""
    from pathlib import Path

    from .harness.distributed import is_main
    if args.model == "recap":
        from .recap.train import load_recap_run, train_recap

        run = load_recap_run(args.config)
        run = _override(run, args, Path)
        reports = train_recap(run, resume=args.resume, quiet=args.quiet, stop_after=args.stop_after)
        for r in reports:
            _report(r.name, r.step, r.finished, r.loss, r.metrics, r.samples_per_second, r.model_dir, r.world_size)
    elif args.model == "dual":
        from .dual.train import train_dual_command

        return train_dual_command(args, _override, _report)
    elif args.model == "xsum":
        from .xsum.train import load_xsum_run, train_xsum

        run = _override(load_xsum_run(args.config), args, Path)
        r = train_xsum(run, resume=args.resume, quiet=args.quiet, stop_after=args.stop_after)
        _report("xsum", r.step, r.finished, r.loss, r.metrics, r.samples_per_second, r.model_dir, r.world_size)
        if r.predictions and is_main():
            print(f"predictions: {r.predictions}")
    else:
        from .moments.train import load_moments_run, train_moments

        run = _override(load_moments_run(args.config), args, Path)
        r = train_moments(run, resume=args.resume, quiet=args.quiet, stop_after=args.stop_after)
        _report("moments", r.step, r.finished, r.loss, r.metrics, r.samples_per_second, r.model_dir, r.world_size)
        if r.predictions and is_main():
            print(f"predictions: {r.predictions}")
    return 0


def _pairs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import InputError
    from .moments.pretrain_pairs import write_pretrain_set

    if not args.recaps or not args.out:
        raise InputError("train pairs: give --recaps DIR... and --out DIR")
    made = write_pretrain_set([Path(r) for r in args.recaps], Path(args.out))
    print(f"pairs: {made.pairs} (train {made.train}, val {made.val}); features: {made.features}")
    return 0


def _override(run, args: argparse.Namespace, path_type):
    if args.device:
        run = replace(run, settings=replace(run.settings, device=args.device))
    if args.out:
        run = replace(run, out_dir=path_type(args.out))
    return run


def _report(name, step, finished, loss, metrics, rate, model_dir, world_size: int = 1) -> None:
    from .harness.distributed import is_main

    if not is_main():
        return
    state = "done" if finished else "stopped"
    procs = f" ({world_size} processes)" if world_size > 1 else ""
    print(f"{name}: {state} at step {step}, loss {loss:.4f}, {rate:.1f} samples/s{procs}")
    if metrics:
        print(json.dumps(metrics, sort_keys=True))
    if finished:
        print(f"model: {model_dir}")
