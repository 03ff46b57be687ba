"""VideoXum annotations (``{train,val,test}_videoxum.json``, a json list) and predictions.

Each video: ``video_id``, ``duration`` (s), ``sampled_frames`` (frames at 1 fps), ``timestamps``
(segments ``[[st, ed], ...]``), ``tsum`` (one text summary sentence per segment), ``vsum`` (per
segment, 10 annotators' key-frame spans) and ``vsum_onehot`` (10 annotators x frames, 0/1).

Prediction jsonl: ``{"video_id": ..., "saliency": [one score per 1 fps frame], "summary": "text"}``.

The reference text summary is prepared as the reference code does (``data/activitynet_dataset.py``
and ``pre_caption`` in ``data/utils.py`` of jylins/videoxum): the ``tsum`` sentences joined with
no separator, lower-cased, each of ``.!"()*#:;~`` replaced by a space, runs of two or more
whitespace characters collapsed to one space, a trailing newline and outer spaces stripped (the
val/test loaders set ``max_words`` to 1e5, so nothing is truncated). Predicted summaries are scored
as given, as the reference passes its decoder's text straight to the COCO evaluator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError
from ._records import (
    Where,
    bad,
    check_unique,
    number_field,
    number_list,
    number_rows,
    read_json,
    read_jsonl,
    text_field,
)

_REMOVED_CHARACTERS = re.compile(r'[.!"()*#:;~]')
_WHITESPACE_RUNS = re.compile(r"\s{2,}")


def videoxum_reference_text(tsum: list[str], max_words: int = 100_000) -> str:
    """The ground-truth text summary exactly as the VideoXum evaluator builds it from ``tsum``."""
    text = _REMOVED_CHARACTERS.sub(" ", "".join(tsum).lower())
    text = _WHITESPACE_RUNS.sub(" ", text).rstrip("\n").strip(" ")
    words = text.split(" ")
    return " ".join(words[:max_words]) if len(words) > max_words else text


@dataclass(frozen=True)
class VideoXumVideo:
    video_id: str
    duration: float
    timestamps: list[tuple[float, float]]
    tsum: list[str]
    vsum_onehot: np.ndarray  # (annotators, frames) of 0/1
    where: Where | None = field(default=None, compare=False, repr=False)

    @property
    def text_summary(self) -> str:
        """The reference text summary as the VideoXum evaluator scores it (``videoxum_reference_text``)."""
        return videoxum_reference_text(self.tsum)

    @property
    def num_frames(self) -> int:
        return int(self.vsum_onehot.shape[1])


@dataclass(frozen=True)
class VideoXumPrediction:
    video_id: str
    saliency: list[float] | None
    summary: str | None
    where: Where | None = field(default=None, compare=False, repr=False)


def load_videoxum(path: str | Path) -> list[VideoXumVideo]:
    path = Path(path)
    data = read_json(path)
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a json list of videos, got {type(data).__name__}")
    videos = []
    for index, record in enumerate(data):
        where = Where(path, 0, f"video #{index}")
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected an object, got {type(record).__name__}")
        videos.append(_parse_video(record, where))
    if not videos:
        raise InputError(f"{path}: no videos")
    return videos


def _parse_video(record: dict, where: Where) -> VideoXumVideo:
    video_id = text_field(record, "video_id", where)
    where = Where(where.path, 0, f"{where.key} {video_id}")
    tsum = record.get("tsum")
    if not isinstance(tsum, list) or not all(isinstance(s, str) for s in tsum):
        raise bad(where, "tsum", "expected a list of strings")
    if "vsum_onehot" not in record:
        raise bad(where, "vsum_onehot", "missing")
    onehot = number_rows(record["vsum_onehot"], "vsum_onehot", where)
    if not onehot or not onehot[0]:
        raise bad(where, "vsum_onehot", "empty")
    matrix = np.array(onehot, dtype=float)
    if not np.isin(matrix, (0.0, 1.0)).all():
        raise bad(where, "vsum_onehot", "expected 0/1 values")
    timestamps = number_rows(record.get("timestamps", []), "timestamps", where, width=2)
    return VideoXumVideo(
        video_id=video_id,
        duration=number_field(record, "duration", where),
        timestamps=[(a, b) for a, b in timestamps],
        tsum=list(tsum),
        vsum_onehot=matrix,
        where=where,
    )


def load_videoxum_predictions(path: str | Path) -> list[VideoXumPrediction]:
    predictions = []
    seen: dict = {}
    for where, record in read_jsonl(path):
        video_id = text_field(record, "video_id", where)
        where = Where(where.path, where.line, f"video_id {video_id}")
        check_unique(seen, video_id, where, "video_id")
        saliency = None
        if record.get("saliency") is not None:
            saliency = number_list(record["saliency"], "saliency", where, allow_empty=False)
        summary = text_field(record, "summary", where) if record.get("summary") is not None else None
        if saliency is None and summary is None:
            raise bad(where, "saliency", "missing (a prediction needs saliency and/or summary)")
        predictions.append(VideoXumPrediction(video_id, saliency, summary, where))
    return predictions
