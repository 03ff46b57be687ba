"""Benchmark predictions of a trained dual encoder, in the files ``vidrecap eval`` scores.

- EPIC-KITCHENS-100 MIR: one row per clip of ``EPIC_100_retrieval_test.csv`` and one column per
  sentence of ``EPIC_100_retrieval_test_sentence.csv`` (its ``narration`` column, else its second),
  the order of the challenge's relevancy matrix → ``ek100_similarity.npy`` for
  ``vidrecap eval ek100-mir --pred ek100_similarity.npy --gt relevancy.npy``.
- EgoMCQ: for each question of EgoVLP's ``egomcq.json``, the similarity of the query's
  ``clip_text`` with each choice's clip (``video_uid``, ``clip_start``, ``clip_end``) →
  ``egomcq_scores.json`` for ``vidrecap eval egomcq``.

Every clip needs features; a missing one is an error naming the clip.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import torch

from ...errors import InputError
from ...util.fs import atomic_write_json
from ..harness import distributed, predict_in_batches
from .data import Pair, WindowFeatures, collate_rows
from .model import DualEncoder
from .narrations import clean_text, load_ek100_narrations


def _clip_rows(features, vid: str, start: float, end: float, where: str) -> np.ndarray:
    rows = features.window(vid, start, end) if features.has(vid) else None
    if rows is None:
        raise InputError(f"{where}: no features for video {vid!r} at {start:.2f}-{end:.2f} s")
    return rows


@torch.no_grad()
def embed_clips(model: DualEncoder, clips: list[np.ndarray], batch_size: int = 64) -> torch.Tensor:
    device = next(model.parameters()).device

    def embed(chunk: list[np.ndarray]) -> torch.Tensor:
        rows, pad = collate_rows(chunk, model.config.num_rows)
        return model.embed_video(rows.to(device), pad.to(device)).cpu()

    return torch.stack(predict_in_batches(clips, batch_size, lambda chunk: list(embed(chunk))))


@torch.no_grad()
def embed_texts(model: DualEncoder, texts: list[str], batch_size: int = 64) -> torch.Tensor:
    return torch.stack(predict_in_batches(texts, batch_size, lambda chunk: list(model.embed_text(chunk).cpu())))


def read_sentences(path: Path) -> list[str]:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: sentence CSV not found")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if len(rows) < 2:
        raise InputError(f"{path}: no sentences")
    header = rows[0]
    column = header.index("narration") if "narration" in header else 1
    if len(header) <= column:
        raise InputError(f"{path}: field 'narration': missing column")
    return [row[column] for row in rows[1:]]


def ek100_similarity(model: DualEncoder, features, test_csv: Path, sentence_csv: Path,
                     batch_size: int = 64) -> np.ndarray:
    """``(clips, sentences)`` cosine similarities for EK100 MIR."""
    clips = [_clip_rows(features, n.vid, n.start, n.end, f"{test_csv}: clip {i}")
             for i, n in enumerate(load_ek100_narrations(test_csv))]
    video = embed_clips(model.eval(), clips, batch_size)
    text = embed_texts(model, read_sentences(sentence_csv), batch_size)
    return (video @ text.t()).numpy()


def egomcq_scores(model: DualEncoder, features, egomcq_json: Path, batch_size: int = 64) -> dict[str, list[float]]:
    """``{question id: [similarity per choice]}`` for EgoMCQ."""
    try:
        questions = json.loads(Path(egomcq_json).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{egomcq_json}: unreadable EgoMCQ file ({exc})") from exc
    if not isinstance(questions, dict):
        raise InputError(f"{egomcq_json}: expected an object keyed by question id")
    model.eval()
    out = {}
    for qid, q in questions.items():
        where = f"{egomcq_json}: field '{qid}'"
        try:
            text = clean_text(q["query"]["clip_text"])
            choices = [q["choices"][k] for k in sorted(q["choices"], key=int)]
            clips = [_clip_rows(features, c["video_uid"], float(c["clip_start"]), float(c["clip_end"]), where)
                     for c in choices]
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: expected query.clip_text and choices with video_uid, clip_start, "
                             f"clip_end ({exc})") from exc
        sims = embed_texts(model, [text]) @ embed_clips(model, clips, batch_size).t()
        out[qid] = [round(float(x), 6) for x in sims[0]]
    return out


@torch.no_grad()
def similarity(model: DualEncoder, pairs: list[Pair], batch_size: int = 32) -> np.ndarray:
    """``(texts, windows)`` cosine similarities of the pairs' narrations and windows."""
    video = embed_clips(model, [p.rows for p in pairs], batch_size)
    text = embed_texts(model, [p.narration.text for p in pairs], batch_size)
    return (text @ video.t()).numpy()


def retrieval_scores(model: DualEncoder, pairs: list[Pair], batch_size: int = 32) -> dict[str, float]:
    """Text↔window R@1/5/10 and median rank (the suite's metrics); pair ``i`` is the truth of text ``i``."""
    from ...eval.command import flatten
    from ...eval.video_text import evaluate_retrieval

    sims = similarity(model, pairs, batch_size)
    metrics = distributed.on_main(lambda: evaluate_retrieval(sims, np.arange(len(pairs))))
    return {name.replace(" / ", "_"): float(v) for name, v in flatten(metrics)}


def write_val_predictions(model: DualEncoder, pairs: list[Pair], out_dir: Path, batch_size: int) -> None:
    """``val_similarity.npy`` (texts, windows) + ``val_truth.json``, for ``vidrecap eval retrieval``."""
    import io

    from ...util.fs import atomic_write_bytes

    model.eval()
    buf = io.BytesIO()
    np.save(buf, similarity(model, pairs, batch_size))
    if distributed.is_main():
        atomic_write_bytes(out_dir / "val_similarity.npy", buf.getvalue())
        atomic_write_json(out_dir / "val_truth.json", "diagonal")
    distributed.barrier()


def write_benchmark_predictions(model: DualEncoder, features: WindowFeatures, run) -> list[Path]:
    """``ek100_similarity.npy`` and/or ``egomcq_scores.json`` in ``out_dir`` for ``vidrecap eval``."""
    import io

    from ...util.fs import atomic_write_bytes

    written = []
    b, batch = run.benchmarks, run.settings.batch_size
    if "ek100_test" in b:
        buf = io.BytesIO()
        np.save(buf, ek100_similarity(model, features, b["ek100_test"], b["ek100_sentences"], batch))
        if distributed.is_main():
            atomic_write_bytes(run.out_dir / "ek100_similarity.npy", buf.getvalue())
        written.append(run.out_dir / "ek100_similarity.npy")
    if "egomcq" in b:
        scores = egomcq_scores(model, features, b["egomcq"], batch)
        if distributed.is_main():
            atomic_write_json(run.out_dir / "egomcq_scores.json", scores)
        written.append(run.out_dir / "egomcq_scores.json")
    distributed.barrier()
    return written
