"""Learnable synthetic data for the dual encoder: a tiny BERT text model, features, narration files.

Each 4 s window of a video shows one *activity*: its two feature rows are the activity's vector plus
noise, and it is narrated with one of the activity's sentences (Ego4D ``narration.json`` with
``#C C`` tags for training; an EPIC-KITCHENS-100 retrieval CSV with one window per activity for
validation, so chance R@1 is 1 / number of activities).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

ACTIVITIES = {
    "onion": ["C cuts an onion", "C slices the onion"],
    "door": ["C opens the door", "C pushes the door open"],
    "dog": ["C walks the dog", "C pets the dog"],
    "dishes": ["C washes the dishes", "C rinses a plate"],
    "bike": ["C rides a bike", "C pedals the bicycle"],
    "phone": ["C checks the phone", "C types on the phone"],
}
DIM = 16
WINDOW_CELLS, WINDOWS_PER_VIDEO = 2, 3
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
SYNONYMS = {"cuts": "chops", "opens": "unlocks", "washes": "cleans", "rides": "cycles", "checks": "reads"}


def vocabulary() -> list[str]:
    words = {w.lower() for texts in ACTIVITIES.values() for t in texts for w in t.split()}
    return sorted(words | set(SYNONYMS.values()))


def build_text_model(out: Path, hidden: int = 32, dropout: float = 0.1) -> Path:
    """A tiny random BERT and a word-level tokenizer, saved like a sentence-transformers model."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate([*SPECIALS, *vocabulary()])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]",
    )
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=2 * hidden, max_position_embeddings=64,
                        hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout)
    BertModel(config).save_pretrained(out)
    fast.save_pretrained(out)
    return out


def activity_vectors(seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(len(ACTIVITIES), DIM))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return dict(zip(ACTIVITIES, vecs.astype(np.float32), strict=True))


def write_dual_data(root: Path, n_train: int = 16, seed: int = 0) -> dict[str, Path]:
    """Features (`vidrecap features` layout), train ``narration.json`` and a val EK100 CSV."""
    rng = np.random.default_rng(seed)
    vectors = activity_vectors()
    feats = root / "features"
    feats.mkdir(parents=True)
    window_s = WINDOW_CELLS * 2.0
    narration: dict = {}

    def write_video(vid: str, names: list[str]) -> None:
        rows = np.repeat(np.stack([vectors[n] for n in names]), WINDOW_CELLS, axis=0)
        rows = rows + rng.normal(scale=0.15, size=rows.shape)
        np.savez(feats / f"{vid}.npz", visual=rows.astype(np.float32))

    for v in range(n_train):
        vid = f"train{v:02d}"
        names = [str(x) for x in rng.choice(list(ACTIVITIES), size=WINDOWS_PER_VIDEO)]
        write_video(vid, names)
        narration[vid] = {"narration_pass_1": {"narrations": [
            {"timestamp_sec": (i + 0.5) * window_s, "narration_text": f"#C {rng.choice(ACTIVITIES[n])}"}
            for i, n in enumerate(names)
        ]}}
    (root / "narration.json").write_text(json.dumps(narration))
    val_rows = []
    names = list(ACTIVITIES)
    for v in range(len(names) // WINDOWS_PER_VIDEO):
        vid = f"val{v:02d}"
        chunk = names[v * WINDOWS_PER_VIDEO:(v + 1) * WINDOWS_PER_VIDEO]
        write_video(vid, chunk)
        for i, n in enumerate(chunk):
            val_rows.append({
                "narration_id": f"{vid}_{i}", "video_id": vid,
                "start_timestamp": _hhmmss(i * window_s), "stop_timestamp": _hhmmss((i + 1) * window_s),
                "narration": ACTIVITIES[n][-1].removeprefix("C ").strip(),
            })
    with open(root / "val.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(val_rows[0]))
        writer.writeheader()
        writer.writerows(val_rows)
    meta = {"format": "vidrecap-features/1", "encoder": "synthetic", "dim": DIM, "cell_seconds": 2.0,
            "channels": ["visual"], "videos": {}}
    (feats / "meta.json").write_text(json.dumps(meta))
    return {"features": feats, "narrations": root / "narration.json", "val": root / "val.csv"}


def _hhmmss(seconds: float) -> str:
    return f"00:{int(seconds // 60):02d}:{seconds % 60:05.2f}"


def dual_config(root: Path, data: dict[str, Path], text_model: Path, steps: int, extra: str = "",
                name: str = "dual.toml", dropout: float = 0.1) -> Path:
    path = root / name
    path.write_text(f"""
[model]
text_model = "{text_model}"
hidden = 32
embed_dim = 32
heads = 2
video_layers = 1
num_rows = 2
dropout = {dropout}
freeze_text = false

[data]
features = "{data['features']}"
feature_key = "visual"
narrations = "{data['narrations']}"
val_ek100 = "{data['val']}"

[train]
seed = 3
batch_size = 12
lr = 3e-3
steps = {steps}
log_every = 10
save_every = 10
out_dir = "{root / 'run'}"
{extra}
""")
    return path


class SynonymWriter:
    """A deterministic "rephraser" for tests: swaps verbs for synonyms."""

    spec = "synonyms"

    def __init__(self, **_):
        pass

    def write(self, request):
        from vidrecap.backends.base import Written

        text = " ".join(c.text for c in request.children)
        return Written(" ".join(SYNONYMS.get(w, w) for w in text.split()))


def write_benchmark_files(root: Path, data: dict[str, Path]) -> dict[str, Path]:
    """EK100 MIR test + sentence CSVs and relevancy matrix, and an EgoMCQ file, over the val videos."""
    clips = list(csv.DictReader(open(data["val"], newline="")))
    sentences = sorted({r["narration"] for r in clips})
    with open(root / "sentences.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["narration_id", "narration"])
        writer.writerows([[f"s{i}", s] for i, s in enumerate(sentences)])
    relevancy = np.array([[float(c["narration"] == s) for s in sentences] for c in clips])
    np.save(root / "relevancy.npy", relevancy)

    def clip(row):
        start = sum(float(x) * f for x, f in zip(row["start_timestamp"].split(":"), (3600, 60, 1), strict=True))
        stop = sum(float(x) * f for x, f in zip(row["stop_timestamp"].split(":"), (3600, 60, 1), strict=True))
        return {"video_uid": row["video_id"], "clip_start": start, "clip_end": stop, "clip_text": row["narration"]}

    questions = {}
    for i, row in enumerate(clips):  # inter: choices from both videos; intra: from the clip's own video
        same = [c for c in clips if c["video_id"] == row["video_id"]]
        pool = same if i % 2 else [row] + [c for c in clips if c["video_id"] != row["video_id"]][:2]
        order = sorted(pool, key=lambda c: c["narration_id"])
        questions[str(i)] = {"query": {**clip(row), "clip_text": f"#C C {row['narration']}"},
                             "choices": {str(k): clip(c) for k, c in enumerate(order)},
                             "answer": order.index(row), "types": 2 if i % 2 else 1}
    (root / "egomcq.json").write_text(json.dumps(questions))
    return {"ek100_test": data["val"], "ek100_sentences": root / "sentences.csv",
            "relevancy": root / "relevancy.npy", "egomcq": root / "egomcq.json"}
