"""Training throughput of VideoXum's joint model and of the moment head's two presets.

Same method as ``train_throughput.py`` (random weights, synthetic batches, forward + backward + AdamW):

    .venv/bin/python benchmarks/xsum_throughput.py                       # CPU, small LM
    .venv/bin/python benchmarks/xsum_throughput.py --size gpt2 --frames 256 --device cuda --amp bf16
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _steps import measure, moment_batch, prepare, row, step_parser  # noqa: E402
from train_throughput import LM_SIZES, WORDS_PER_CAPTION, build_lm, words  # noqa: E402


def xsum_step_fn(args, device: torch.device):
    from vidrecap.train.xsum_model import XSumConfig, XSumModel, make_batch

    lm = build_lm(Path(tempfile.mkdtemp()) / "lm", args.size)
    config = XSumConfig(feature_dim=args.video_dim, hidden=256, heads=8, temporal_layers=2, num_queries=8)
    model = XSumModel.from_lm(config, lm, device).train()
    rng, n_words = np.random.default_rng(0), LM_SIZES[args.size][3]
    frames = [rng.normal(size=(args.frames, args.video_dim)).astype(np.float32) for _ in range(args.batch_size)]
    saliency = [rng.random(args.frames).astype(np.float32) for _ in range(args.batch_size)]
    texts = [words(rng, 3 * WORDS_PER_CAPTION, n_words) for _ in range(args.batch_size)]
    batch = make_batch(model, frames, saliency, texts).to(device)
    return model, lambda: model.loss(batch)


def preset_step_fn(preset: str):
    def make(args, device: torch.device):
        from vidrecap.train.moment_model import MomentConfig, MomentHead, MomentTargets, moment_loss

        config = MomentConfig.from_preset(preset, video_dim=args.video_dim, text_dim=args.text_dim)
        model = MomentHead(config).to(device).train()
        inputs, windows, saliency = moment_batch(args, device)
        targets = MomentTargets(windows, saliency, 0.5)
        return model, lambda: moment_loss(config, model(inputs), targets, inputs.video_pad)[0]

    return make


def main() -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--models", default="xsum,moment_detr,videolights")
    parser.add_argument("--size", default="small", choices=sorted(LM_SIZES))
    parser.add_argument("--frames", type=int, default=128, help="1 fps frames per video (VideoXum median ~120)")
    parser.add_argument("--video-dim", type=int, default=384)
    parser.add_argument("--text-dim", type=int, default=384)
    parser.add_argument("--text-tokens", type=int, default=16)
    parser.add_argument("--clips", type=int, default=75)
    args = parser.parse_args()
    device = prepare(args)
    makers = {
        "xsum": xsum_step_fn,
        "moment_detr": preset_step_fn("moment_detr"),
        "videolights": preset_step_fn("videolights"),
    }
    results = []
    for name in args.models.split(","):
        results.append(measure(name, makers[name], args, device))
        if not args.json:
            print(row(results[-1], 11), flush=True)
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
