"""VideoLights ablation on the synthetic moment task: each component on/off, suite metrics.

    python benchmarks/moments_ablation.py [--steps 60] [--seeds 0 1]

Trains the ``moment_detr`` preset, the ``videolights`` preset and the full preset with one
component switched off, at equal steps, and prints MR R1@0.5/0.7, mAP, HD mAP and HIT@1 from the
suite's QVHighlights evaluator (mean over seeds). CPU, one thread; the data is ``tests/train/synth``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COLUMNS = ("MR-full-R1@0.5", "MR-full-R1@0.7", "MR-full-mAP", "HL-min-Fair-mAP", "HL-min-Fair-Hit1")


def variants() -> dict[str, str]:
    from vidrecap.train.moments.videolights import SWITCHES

    rows = {"moment_detr": 'preset = "moment_detr"', "videolights": 'preset = "videolights"'}
    for name in SWITCHES:
        if name != "stream_fusion":  # one feature stream in the synthetic data
            rows[f"videolights - {name}"] = f'preset = "videolights"\n{name} = false'
    return rows


def train_once(root: Path, data, name: str, model_lines: str, steps: int, seed: int) -> dict[str, float]:
    from tests.train.synth import moments_config
    from vidrecap.train.moments.train import load_moments_run, train_moments

    tag = f"{name.replace(' ', '').replace('-', '_')}_{seed}"
    path = moments_config(root, data, steps, name=tag)
    path.write_text(
        path.read_text().replace("[model]\n", f"[model]\n{model_lines}\n").replace("seed = 0", f"seed = {seed}")
    )
    return train_moments(load_moments_run(path), quiet=True).metrics


def main() -> None:
    import torch

    from tests.train.synth import write_moments

    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--only", nargs="*", default=None, help="variant names to run")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        data = write_moments(root / "data")
        print(f"steps={args.steps} seeds={args.seeds}")
        print("| variant | " + " | ".join(COLUMNS) + " | s/run |")
        print("|---|" + "---|" * (len(COLUMNS) + 1))
        for name, lines in variants().items():
            if args.only and name not in args.only:
                continue
            started = time.perf_counter()
            runs = [train_once(root, data, name, lines, args.steps, s) for s in args.seeds]
            seconds = (time.perf_counter() - started) / len(runs)
            means = [sum(r[c] for r in runs) / len(runs) for c in COLUMNS]
            print(f"| {name} | " + " | ".join(f"{m:.1f}" for m in means) + f" | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
