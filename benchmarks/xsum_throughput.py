"""Training throughput of VideoXum's joint model and of the moment head's two presets.

Same method as ``train_throughput.py`` (random weights, synthetic batches, forward + backward + AdamW):

    .venv/bin/python benchmarks/xsum_throughput.py                       # CPU, small LM
    .venv/bin/python benchmarks/xsum_throughput.py --size gpt2 --frames 256 --device cuda --amp bf16
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_throughput import LM_SIZES, WORDS_PER_CAPTION, build_lm, measure, words  # noqa: E402


def xsum_step_fn(args, device: torch.device):
    from vidrecap.train.xsum.model import XSumConfig, XSumModel, make_batch

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
        from vidrecap.train.moments.data import MomentSample, collate
        from vidrecap.train.moments.model import MomentConfig, MomentHead, MomentTargets, moment_loss

        config = MomentConfig.from_preset(preset, video_dim=args.video_dim, text_dim=args.text_dim)
        model = MomentHead(config).to(device).train()
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
        inputs = inputs.to(device)
        targets = MomentTargets([w.to(device) for w in targets.windows], [s.to(device) for s in targets.saliency], 0.5)
        return model, lambda: moment_loss(config, model(inputs), targets, inputs.video_pad)[0]

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", default="off", choices=("off", "bf16", "fp16"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="xsum,moment_detr,videolights")
    parser.add_argument("--size", default="small", choices=sorted(LM_SIZES))
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--frames", type=int, default=128, help="1 fps frames per video (VideoXum median ~120)")
    parser.add_argument("--video-dim", type=int, default=384)
    parser.add_argument("--text-dim", type=int, default=384)
    parser.add_argument("--text-tokens", type=int, default=16)
    parser.add_argument("--clips", type=int, default=75)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import transformers

    transformers.utils.logging.set_verbosity_error()
    from vidrecap.train.harness import pick_device

    device = pick_device(args.device)
    makers = {
        "xsum": xsum_step_fn,
        "moment_detr": preset_step_fn("moment_detr"),
        "videolights": preset_step_fn("videolights"),
    }
    for name in args.models.split(","):
        r = measure(name, makers[name], args, device)
        print(
            f"{r['model']:11s} {r['device']:5s} amp={r['amp']:4s} threads={r['threads']} batch={r['batch_size']} "
            f"params={r['params_m']}M  {r['samples_per_s']} samples/s ({r['ms_per_step']} ms/step)",
            flush=True,
        )


if __name__ == "__main__":
    main()
