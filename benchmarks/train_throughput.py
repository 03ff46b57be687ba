"""Training throughput (samples/s) of the ReCap captioner and the moment/highlight head.

Random-weight models of a chosen size on synthetic batches; each step is forward + backward + AdamW.

    .venv/bin/python benchmarks/train_throughput.py                      # CPU, small models
    .venv/bin/python benchmarks/train_throughput.py --size gpt2 --device cuda --amp bf16
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

# GPT-2 geometry per size: (n_embd, n_layer, n_head, vocab words)
LM_SIZES = {"tiny": (64, 2, 4, 500), "small": (256, 4, 4, 5000), "gpt2": (768, 12, 12, 50000)}
WORDS_PER_CAPTION = 12


def build_lm(directory: Path, size: str) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    n_embd, n_layer, n_head, n_words = LM_SIZES[size]
    vocab = {
        w: i for i, w in enumerate(["[PAD]", "[UNK]", "[BOS]", "[EOS]", *[f"w{i}" for i in range(n_words)]])
    }
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", bos_token="[BOS]", eos_token="[EOS]"
    )
    config = GPT2Config(vocab_size=len(vocab), n_embd=n_embd, n_layer=n_layer, n_head=n_head, n_positions=256)
    GPT2LMHeadModel(config).save_pretrained(directory)
    fast.save_pretrained(directory)
    return directory


def words(rng: np.random.Generator, n: int, n_words: int) -> str:
    return " ".join(f"w{i}" for i in rng.integers(0, n_words, n))


def recap_step_fn(args, device: torch.device):
    from vidrecap.train.recap.model import ReCapConfig, ReCapModel, make_batch

    lm = build_lm(Path(tempfile.mkdtemp()) / "lm", args.size)
    config = ReCapConfig(feature_dim=args.video_dim, num_queries=8, qformer_dim=256, qformer_layers=2)
    model = ReCapModel.from_lm(config, lm, device).train()
    rng, n_words = np.random.default_rng(0), LM_SIZES[args.size][3]
    level, rows = args.level, config.feature_rows[args.level]
    previous = [] if level == "clip" else [[words(rng, WORDS_PER_CAPTION, n_words) for _ in range(6)]]
    batch = make_batch(
        model,
        [rng.normal(size=(rows, args.video_dim)).astype(np.float32) for _ in range(args.batch_size)],
        [level] * args.batch_size,
        previous * args.batch_size if previous else [[] for _ in range(args.batch_size)],
        [words(rng, WORDS_PER_CAPTION, n_words) for _ in range(args.batch_size)],
    ).to(device)
    return model, lambda: model.loss(batch)


def moments_step_fn(args, device: torch.device):
    from vidrecap.train.moments.data import MomentSample, collate
    from vidrecap.train.moments.model import MomentConfig, MomentHead, MomentTargets, moment_loss

    config = MomentConfig(video_dim=args.video_dim, text_dim=args.text_dim)
    model = MomentHead(config).to(device).train()
    rng = np.random.default_rng(0)
    samples = []
    for i in range(args.batch_size):
        start = int(rng.integers(0, args.clips - 10))
        saliency = np.zeros(args.clips, np.float32)
        saliency[start : start + 8] = rng.integers(1, 5, 8)
        samples.append(
            MomentSample(
                i,
                "v",
                "q",
                args.clips * 2.0,
                rng.normal(size=(args.clips, args.video_dim)).astype(np.float32),
                rng.normal(size=(args.text_tokens, args.text_dim)).astype(np.float32),
                np.array([[start / args.clips, (start + 8) / args.clips]], np.float32),
                saliency,
            )
        )
    inputs, targets = collate(samples)
    inputs = inputs.to(device)
    targets = MomentTargets([w.to(device) for w in targets.windows], [s.to(device) for s in targets.saliency])
    return model, lambda: moment_loss(config, model(inputs), targets, inputs.video_pad)[0]


def measure(name: str, make, args, device: torch.device) -> dict:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", default="off", choices=("off", "bf16", "fp16"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="recap,moments")
    parser.add_argument("--size", default="small", choices=sorted(LM_SIZES), help="LM size for ReCap")
    parser.add_argument("--level", default="clip", choices=("clip", "segment", "video"))
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--video-dim", type=int, default=384, help="feature dim (QVHighlights SF+CLIP: 2816)")
    parser.add_argument("--text-dim", type=int, default=384, help="query token dim (CLIP text: 512)")
    parser.add_argument("--text-tokens", type=int, default=16)
    parser.add_argument("--clips", type=int, default=75, help="clips per video for the moment head")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    from vidrecap.train.harness import pick_device

    device = pick_device(args.device)
    makers = {"recap": recap_step_fn, "moments": moments_step_fn}
    results = [measure(name, makers[name], args, device) for name in args.models.split(",")]
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for r in results:
        print(
            f"{r['model']:8s} {r['device']:5s} amp={r['amp']:4s} threads={r['threads']} "
            f"batch={r['batch_size']} params={r['params_m']}M  "
            f"{r['samples_per_s']} samples/s ({r['ms_per_step']} ms/step)"
        )


if __name__ == "__main__":
    main()
