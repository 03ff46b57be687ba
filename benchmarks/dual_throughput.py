"""Training throughput (samples/s) of the video–text dual encoder (``vidrecap train dual``).

The packaged all-MiniLM-L6-v2 text tower (frozen or fine-tuned) and a random video tower on
synthetic batches of new narrations (so a frozen tower's per-text cache never hits); each step is
forward + symmetric InfoNCE + backward + AdamW.

    .venv/bin/python benchmarks/dual_throughput.py                        # CPU, frozen and fine-tuned
    .venv/bin/python benchmarks/dual_throughput.py --device cuda --amp bf16 --batch-size 256
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _steps import measure, prepare, report, step_parser  # noqa: E402

WORDS = ("person cuts opens takes the a onion door knife bowl table bike street dog walks washes plate "
         "picks up puts down water pan cupboard drawer phone rides looks at holds").split()


def dual_step_fn(freeze: bool):
    def make(args, device: torch.device):
        from vidrecap.train.dual_model import DualConfig, DualEncoder, info_nce
        from vidrecap.train.dual_train import default_text_model

        config = DualConfig(video_dim=args.video_dim, hidden=256, embed_dim=256, video_layers=args.video_layers,
                            num_rows=args.rows, freeze_text=freeze)
        model = DualEncoder.from_text_model(config, default_text_model(), device).train()
        rng = np.random.default_rng(0)
        rows = torch.from_numpy(rng.normal(size=(args.batch_size, args.rows, args.video_dim)).astype(np.float32))
        pad = torch.zeros((args.batch_size, args.rows), dtype=torch.bool)
        rows, pad = rows.to(device), pad.to(device)

        def loss():
            texts = [" ".join(rng.choice(WORDS, size=8)) for _ in range(args.batch_size)]
            return info_nce(model.embed_video(rows, pad), model.embed_text(texts), model.scale())

        return model, loss

    return make


def main() -> None:
    parser = step_parser(__doc__, threads=1, batch_size=32, steps=5, warmup=1)  # 1 thread: 2 on a busy CPU are slower
    parser.add_argument("--towers", default="frozen,finetune", help="text tower: frozen and/or finetune")
    parser.add_argument("--video-dim", type=int, default=384, help="feature dim (label bridge: 384)")
    parser.add_argument("--video-layers", type=int, default=1)
    parser.add_argument("--rows", type=int, default=4, help="feature rows per window")
    args = parser.parse_args()
    device = prepare(args)
    report([measure(f"dual-{t}", dual_step_fn(t == "frozen"), args, device) for t in args.towers.split(",")], 13,
           args.json)


if __name__ == "__main__":
    main()
