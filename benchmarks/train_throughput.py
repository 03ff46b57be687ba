"""Training throughput (samples/s) of the ReCap captioner and the moment/highlight head.

Random-weight models of a chosen size on synthetic batches; each step is forward + backward + AdamW.

    .venv/bin/python benchmarks/train_throughput.py                      # CPU, small models
    .venv/bin/python benchmarks/train_throughput.py --size gpt2 --device cuda --amp bf16
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _steps import measure, moment_batch, prepare, report, step_parser  # noqa: E402

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
    from vidrecap.train.recap_model import ReCapConfig, ReCapModel, make_batch

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
    from vidrecap.train.moment_model import MomentConfig, MomentHead, MomentTargets, moment_loss

    config = MomentConfig(video_dim=args.video_dim, text_dim=args.text_dim)
    model = MomentHead(config).to(device).train()
    inputs, windows, saliency = moment_batch(args, device)
    targets = MomentTargets(windows, saliency)
    return model, lambda: moment_loss(config, model(inputs), targets, inputs.video_pad)[0]


def main() -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--models", default="recap,moments")
    parser.add_argument("--size", default="small", choices=sorted(LM_SIZES), help="LM size for ReCap")
    parser.add_argument("--level", default="clip", choices=("clip", "segment", "video"))
    parser.add_argument("--video-dim", type=int, default=384, help="feature dim (QVHighlights SF+CLIP: 2816)")
    parser.add_argument("--text-dim", type=int, default=384, help="query token dim (CLIP text: 512)")
    parser.add_argument("--text-tokens", type=int, default=16)
    parser.add_argument("--clips", type=int, default=75, help="clips per video for the moment head")
    args = parser.parse_args()
    device = prepare(args)
    makers = {"recap": recap_step_fn, "moments": moments_step_fn}
    report([measure(name, makers[name], args, device) for name in args.models.split(",")], 8, args.json)


if __name__ == "__main__":
    main()
