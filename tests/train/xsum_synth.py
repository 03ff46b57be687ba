"""Synthetic, learnable VideoXum data: saliency is a function of the features, text of the salient content.

Each video has three 8-frame segments (1 fps), each showing one concept (its vector plus noise). One
or two segments are *salient*: their rows also carry a fixed "highlight" direction, annotators mark
their frames (each annotator drops a few), and the text summary (``tsum``) is the sentences of the
salient segments' concepts, in order; the other segments show distractor concepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .synth import CONCEPTS, DIM, concept_vectors

HIGHLIGHT = 0.8  # length of the highlight direction added to salient rows
SEGMENTS, FRAMES_PER_SEGMENT, ANNOTATORS = 3, 8, 10


@dataclass
class XSumData:
    features: Path
    train: Path
    val: Path


def write_videoxum(root: Path, n_train: int = 48, n_val: int = 12, seed: int = 3) -> XSumData:
    rng = np.random.default_rng(seed)
    vectors = concept_vectors()
    highlight = np.random.default_rng(99).normal(size=DIM)
    highlight *= HIGHLIGHT / np.linalg.norm(highlight)
    feats = root / "xfeatures"
    feats.mkdir(parents=True)
    files = {}
    for split, count in (("train", n_train), ("val", n_val)):
        videos = []
        for v in range(count):
            vid = f"x{split}{v:03d}"
            names = [str(n) for n in rng.choice(list(CONCEPTS), size=SEGMENTS)]
            salient = sorted(int(i) for i in rng.choice(SEGMENTS, size=int(rng.integers(1, 3)), replace=False))
            noise = rng.normal(scale=0.15, size=(SEGMENTS, FRAMES_PER_SEGMENT, DIM))
            rows = np.concatenate(
                [vectors[n] + (highlight if s in salient else 0) + noise[s] for s, n in enumerate(names)]
            ).astype(np.float32)
            np.save(feats / f"{vid}.npy", rows)
            frames = SEGMENTS * FRAMES_PER_SEGMENT
            onehot = np.zeros((ANNOTATORS, frames), int)
            for s in salient:
                onehot[:, s * FRAMES_PER_SEGMENT : (s + 1) * FRAMES_PER_SEGMENT] = 1
            onehot[rng.random(onehot.shape) < 0.1] = 0  # annotators disagree a little
            stamps = [[s * FRAMES_PER_SEGMENT, (s + 1) * FRAMES_PER_SEGMENT] for s in range(SEGMENTS)]
            videos.append(
                {
                    "video_id": vid,
                    "duration": float(frames),
                    "sampled_frames": frames,
                    "timestamps": [stamps[s] for s in salient],
                    "tsum": [CONCEPTS[names[s]] for s in salient],
                    "vsum": [],
                    "vsum_onehot": onehot.tolist(),
                }
            )
        files[split] = root / f"{split}_videoxum.json"
        files[split].write_text(json.dumps(videos))
    return XSumData(feats, files["train"], files["val"])


def xsum_config(
    root: Path,
    data: XSumData,
    lm: Path,
    steps: int,
    name: str = "xsum",
    dropout: float = 0.0,
    extra_model: str = "",
    extra_train: str = "",
) -> Path:
    lines = [
        "[model]",
        f'lm = "{lm}"',
        "hidden = 48",
        "heads = 4",
        "temporal_layers = 1",
        "context_window = 3",
        "num_queries = 4",
        f"dropout = {dropout}",
        "max_new_tokens = 16",
        extra_model,
        "[data]",
        f'features = "{data.features}"',
        f'train = "{data.train}"',
        f'val = "{data.val}"',
        "[train]",
        f'out_dir = "{root / (name + "-run")}"',
        "seed = 0",
        "batch_size = 12",
        "lr = 3e-3",
        "warmup_steps = 5",
        f"steps = {steps}",
        "save_every = 0",
        "log_every = 5",
        "eval_every = 0",
        extra_train,
    ]
    path = root / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path
