"""Weakly supervised pretraining data for the moment head: (query, window) pairs from recaps.

VideoLights pretrains on windows captioned by BLIP-2; here any captioner backend plays that role:
each clip caption and segment description of a recap becomes a query whose ground-truth window is
that caption's span. ``vidrecap train pairs --recaps OUT... --out DIR`` writes::

    DIR/features/{vid}.npz + meta.json   the recaps' per-cell embeddings (the ``vidrecap features`` layout)
    DIR/pairs_train.jsonl                QVHighlights-format rows: the window, and its 2 s clips as the
                                         relevant clips (weak saliency: every annotator scores them 4)
    DIR/pairs_val.jsonl                  every ``val_every``-th video's rows

Train on them with ``text_encoder`` (the queries are text), then fine-tune with ``init_from``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...results import Recap

LEVELS = ("clip", "segment")
WEAK_SCORE = 4  # QVHighlights' "very good" for every clip inside a caption's own window


@dataclass
class PretrainPair:
    """One synthetic query: the caption ``query`` happens in ``[start, end]`` seconds of ``vid``."""

    qid: str
    vid: str
    query: str
    duration: float
    start: float
    end: float

    def as_row(self, clip_seconds: float = 2.0) -> dict:
        n_clips = int(np.ceil(self.duration / clip_seconds - 1e-6))
        centers = (np.arange(n_clips) + 0.5) * clip_seconds
        clips = [int(i) for i in np.flatnonzero((centers >= self.start) & (centers < self.end))]
        return {
            "qid": self.qid,
            "query": self.query,
            "vid": self.vid,
            "duration": round(self.duration, 3),
            "relevant_windows": [[round(self.start, 3), round(self.end, 3)]],
            "relevant_clip_ids": clips,
            "saliency_scores": [[WEAK_SCORE] * 3 for _ in clips],
        }


@dataclass
class PretrainSet:
    features: Path
    train: Path
    val: Path
    pairs: int


def recap_pairs(recap: Recap, vid: str, levels: Iterable[str] = LEVELS, min_seconds: float = 2.0) -> list[PretrainPair]:
    """The recap's captions as queries over their own spans (too-short or empty ones skipped)."""
    duration = float(recap.video.duration)
    captions = {"clip": recap.clips, "segment": recap.segments}
    pairs = []
    for level in levels:
        if level not in captions:
            raise InputError(f"pairs: unknown level {level!r} (expected {', '.join(LEVELS)})")
        for caption in captions[level]:
            start, end = max(0.0, caption.start), min(duration, caption.end)
            text = caption.text.strip()
            if text and end - start >= min_seconds and end - start < duration:
                pairs.append(PretrainPair(f"{vid}:{level}{caption.index}", vid, text, duration, start, end))
    return pairs


def write_pretrain_set(
    recaps: Iterable[Recap | Path],
    out: Path,
    feature_key: str = "fused",
    levels: Iterable[str] = LEVELS,
    val_every: int = 10,
) -> PretrainSet:
    """Write the features and pair files for ``recaps`` (objects or saved output directories)."""
    from ...outputs.store import load_recap
    from ...util.fs import atomic_write_text
    from ..features import FeatureMeta, save_video_features, write_meta

    out = Path(out)
    features = out / "features"
    features.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[str]] = {"train": [], "val": []}
    meta = FeatureMeta(encoder="", dim=0, channels=[feature_key])
    for i, item in enumerate(recaps):
        recap = item if isinstance(item, Recap) else load_recap(Path(item))
        if feature_key not in recap.embeddings:
            have = ", ".join(sorted(recap.embeddings)) or "none"
            raise InputError(
                f"{recap.directory or recap.video.path}: field 'embeddings': no '{feature_key}' (has {have})"
            )
        vid = Path(recap.video.path).stem
        embedding = recap.embeddings[feature_key]
        save_video_features(features, vid, {feature_key: embedding})
        meta.dim, meta.videos[vid] = int(embedding.shape[1]), int(embedding.shape[0])
        meta.encoder = meta.encoder or str(recap.options.get("encoder", ""))
        split = "val" if val_every and i % val_every == val_every - 1 else "train"
        pair_rows = [p.as_row(meta.cell_seconds) for p in recap_pairs(recap, vid, levels)]
        rows[split].extend(json.dumps(r) for r in pair_rows if r["relevant_clip_ids"])
    if not rows["train"]:
        raise InputError("pairs: no captions to turn into (query, window) pairs")
    write_meta(features, meta)
    paths = {split: out / f"pairs_{split}.jsonl" for split in rows}
    for split, lines in rows.items():
        atomic_write_text(paths[split], "".join(line + "\n" for line in lines))
    return PretrainSet(features, paths["train"], paths["val"], len(rows["train"]) + len(rows["val"]))
