"""Synthetic, learnable training data: tiny LM + tokenizer, features, Ego4D-HCap and QVHighlights files.

Captions are functions of the features: each 4 s clip shows one *concept* (its feature rows are the
concept's vector plus noise) and is captioned with the concept's sentence; a segment (3 clips) is
described by its first and last concepts, a video (2 segments) by its first and last concepts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CONCEPTS = {
    "onion": "a man cuts an onion",
    "door": "a woman opens the door",
    "dog": "the dog runs in the park",
    "dishes": "a person washes the dishes",
}
DIM = 16
CLIP_CELLS, CLIPS_PER_SEGMENT, SEGMENTS_PER_VIDEO = 2, 3, 2
SPECIALS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]


def segment_text(first: str, last: str) -> str:
    return f"first {first} then {last}"


def video_text(first: str, last: str) -> str:
    return f"a video about {first} and {last}"


def vocabulary() -> list[str]:
    words = {w for s in CONCEPTS.values() for w in s.split()} | set(CONCEPTS)
    words |= set(segment_text("x", "y").split()) | set(video_text("x", "y").split())
    return sorted(words - {"x", "y"})


def make_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate([*SPECIALS, *vocabulary()])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", bos_token="[BOS]", eos_token="[EOS]"
    )


def build_lm(out: Path, n_embd: int = 48, n_layer: int = 2, dropout: float = 0.1) -> Path:
    """A tiny random GPT-2 and its word-level tokenizer, saved to ``out`` (``dropout``: GPT-2's three)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    tok = make_tokenizer()
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(tok),
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=4,
        n_positions=128,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        resid_pdrop=dropout,
        embd_pdrop=dropout,
        attn_pdrop=dropout,
    )
    GPT2LMHeadModel(config).save_pretrained(out)
    tok.save_pretrained(out)
    return out


@dataclass
class HCapData:
    features: Path
    train: dict[str, Path]
    val: dict[str, Path]


def concept_vectors(seed: int = 123) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(len(CONCEPTS), DIM))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return dict(zip(CONCEPTS, vecs.astype(np.float32), strict=True))


def write_hcap(root: Path, n_train: int = 12, n_val: int = 4, seed: int = 0) -> HCapData:
    """Features (`vidrecap features` layout) and Ego4D-HCap json files for train and val videos."""
    rng = np.random.default_rng(seed)
    vectors = concept_vectors()
    feats = root / "features"
    feats.mkdir(parents=True)
    cells = CLIP_CELLS * CLIPS_PER_SEGMENT * SEGMENTS_PER_VIDEO
    splits = {}
    for split, count in (("train", n_train), ("val", n_val)):
        levels: dict[str, list] = {"clip": [], "segment": [], "video": []}
        for v in range(count):
            vid = f"{split}{v:02d}"
            names = [str(x) for x in rng.choice(list(CONCEPTS), size=CLIPS_PER_SEGMENT * SEGMENTS_PER_VIDEO)]
            rows = np.repeat(np.stack([vectors[n] for n in names]), CLIP_CELLS, axis=0)
            rows = rows + rng.normal(scale=0.1, size=rows.shape).astype(np.float32)
            np.savez(feats / f"{vid}.npz", fused=rows.astype(np.float32))
            _annotate(levels, vid, names)
        splits[split] = {}
        for level, items in levels.items():
            path = root / f"{level}s_{split}.json"
            path.write_text(json.dumps(items))
            splits[split][level] = path
    meta = {
        "format": "vidrecap-features/1",
        "encoder": "synthetic",
        "dim": DIM,
        "cell_seconds": 2.0,
        "channels": ["fused"],
        "videos": {},
    }
    (feats / "meta.json").write_text(json.dumps(meta))
    assert cells
    return HCapData(feats, splits["train"], splits["val"])


def _annotate(levels: dict[str, list], vid: str, names: list[str]) -> None:
    clip_s = CLIP_CELLS * 2.0
    seg_s = clip_s * CLIPS_PER_SEGMENT
    for i, name in enumerate(names):
        levels["clip"].append([vid, i * clip_s, (i + 1) * clip_s, CONCEPTS[name]])
    seg_names = [names[i : i + CLIPS_PER_SEGMENT] for i in range(0, len(names), CLIPS_PER_SEGMENT)]
    for j, group in enumerate(seg_names):
        levels["segment"].append(
            {
                "vid": vid,
                "start_sec": j * seg_s,
                "end_sec": (j + 1) * seg_s,
                "segment_description": segment_text(group[0], group[-1]),
            }
        )
    levels["video"].append(
        {
            "vid": vid,
            "start_sec": 0.0,
            "end_sec": seg_s * len(seg_names),
            "video_summary": video_text(names[0], names[-1]),
        }
    )


def recap_config(
    root: Path,
    data: HCapData,
    lm: Path,
    steps: dict[str, int],
    variant: str = "curriculum",
    extra_train: str = "",
    dropout: float = 0.0,
    name: str = "recap",
) -> Path:
    lines = [
        "[model]",
        f'lm = "{lm}"',
        "num_queries = 4",
        "qformer_dim = 48",
        "qformer_layers = 1",
        "qformer_heads = 4",
        f"dropout = {dropout}",
        "max_new_tokens = 12",
        "[data]",
        f'features = "{data.features}"',
        "[data.train]",
        *[f'{lv} = "{p}"' for lv, p in data.train.items()],
        "[data.val]",
        *[f'{lv} = "{p}"' for lv, p in data.val.items()],
        "[train]",
        f'variant = "{variant}"',
        f"stages = {list(steps)!r}".replace("'", '"'),
        f'out_dir = "{root / (name + "-run")}"',
        "seed = 0",
        "batch_size = 12",
        "lr = 3e-3",
        "warmup_steps = 5",
        f"steps = {max(steps.values())}",
        "save_every = 0",
        "log_every = 5",
        "eval_every = 0",
        extra_train,
        "[train.stage_steps]",
        *[f"{lv} = {n}" for lv, n in steps.items()],
    ]
    path = root / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


# -- moments ---------------------------------------------------------------------------------------


@dataclass
class MomentData:
    features: Path
    text: Path
    train: Path
    val: Path


def write_moments(
    root: Path, n_train: int = 60, n_val: int = 10, n_clips: int = 30, seed: int = 1
) -> MomentData:
    """Videos with two concept windows each; one query per window (token features in ``text/``)."""
    rng = np.random.default_rng(seed)
    vectors = concept_vectors()
    names = list(CONCEPTS)
    feats, text = root / "mfeatures", root / "text"
    feats.mkdir(parents=True)
    text.mkdir(parents=True)
    files = {}
    qid = 0
    for split, count in (("train", n_train), ("val", n_val)):
        lines = []
        for v in range(count):
            vid = f"m{split}{v:03d}"
            rows = rng.normal(scale=0.3, size=(n_clips, DIM)).astype(np.float32)
            concepts = rng.choice(names, size=2, replace=False)
            first_len, second_len = rng.integers(3, 8, size=2)
            first_start = int(rng.integers(0, n_clips // 2 - first_len))
            second_start = int(rng.integers(n_clips // 2, n_clips - second_len))
            for name, start, length in (
                (concepts[0], first_start, first_len),
                (concepts[1], second_start, second_len),
            ):
                rows[start : start + length] = vectors[name] + rng.normal(scale=0.1, size=(length, DIM))
                tokens = np.stack(
                    [
                        vectors[name] + rng.normal(scale=0.05, size=DIM),
                        rng.normal(scale=0.3, size=DIM),
                        rng.normal(scale=0.3, size=DIM),
                    ]
                )
                np.savez(text / f"qid{qid}.npz", last_hidden_state=tokens.astype(np.float32))
                clip_ids = list(range(int(start), int(start + length)))
                lines.append(
                    {
                        "qid": qid,
                        "query": CONCEPTS[name],
                        "vid": vid,
                        "duration": n_clips * 2.0,
                        "relevant_windows": [[2.0 * start, 2.0 * (start + length)]],
                        "relevant_clip_ids": clip_ids,
                        "saliency_scores": [[int(rng.integers(2, 5)) for _ in range(3)] for _ in clip_ids],
                    }
                )
                qid += 1
            np.save(feats / f"{vid}.npy", rows)
        files[split] = root / f"moments_{split}.jsonl"
        files[split].write_text("".join(json.dumps(line) + "\n" for line in lines))
    return MomentData(feats, text, files["train"], files["val"])


def moments_config(
    root: Path,
    data: MomentData,
    steps: int,
    extra_train: str = "",
    name: str = "moments",
    dropout: float = 0.0,
) -> Path:
    lines = [
        "[model]",
        "hidden = 64",
        "heads = 4",
        "encoder_layers = 2",
        "decoder_layers = 2",
        "num_moment_queries = 5",
        f"dropout = {dropout}",
        "[data]",
        f'features = "{data.features}"',
        f'text_features = "{data.text}"',
        f'train = "{data.train}"',
        f'val = "{data.val}"',
        "[train]",
        f'out_dir = "{root / (name + "-run")}"',
        "seed = 0",
        "batch_size = 16",
        "lr = 1e-3",
        "warmup_steps = 10",
        f"steps = {steps}",
        "save_every = 0",
        "log_every = 10",
        "eval_every = 0",
        extra_train,
    ]
    path = root / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class ConceptEncoder:
    """A text encoder for tests: a text's embedding is the mean vector of the concepts it names."""

    spec = "synthconcepts"
    dim = DIM

    def __init__(self, **_):
        self.vectors = concept_vectors()

    def embed_text(self, texts):
        out = np.zeros((len(texts), DIM), np.float32)
        for i, text in enumerate(texts):
            hits = [self.vectors[w] for w in text.lower().split() if w in self.vectors]
            if hits:
                v = np.mean(hits, axis=0)
                out[i] = v / np.linalg.norm(v)
        return out

    def embed_images(self, images):
        return None
