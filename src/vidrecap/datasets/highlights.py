"""TVSum / YouTube Highlights in Lighthouse's QVHighlights-style jsonl.

Each line: ``{qid, vid, query, duration, domain, label: [[score per annotator] per clip], ...}``.
TVSum has 20 annotators with 1-5 scores per clip; YouTube Highlights has one 0/1 column (``match``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._records import Where, bad, check_unique, id_field, number_field, number_rows, read_jsonl, text_field


@dataclass(frozen=True)
class HighlightVideo:
    """One video: per-clip annotator scores ``labels`` (clips, annotators) and its domain (category)."""

    qid: str | int
    vid: str
    query: str
    domain: str
    duration: float
    labels: np.ndarray
    where: Where | None = field(default=None, compare=False, repr=False)

    @property
    def num_clips(self) -> int:
        return int(self.labels.shape[0])

    @property
    def num_annotators(self) -> int:
        return int(self.labels.shape[1])


def load_highlight_annotations(path: str | Path) -> list[HighlightVideo]:
    """Read a TVSum / YouTube Highlights jsonl; every line needs ``qid``, ``domain`` and ``label``."""
    videos = []
    seen: dict = {}
    for where, record in read_jsonl(path):
        qid = id_field(record, "qid", where)
        where = Where(where.path, where.line, f"qid {qid}")
        check_unique(seen, qid, where, "qid")
        if "label" not in record:
            raise bad(where, "label", "missing")
        rows = number_rows(record["label"], "label", where)
        if not rows or not rows[0]:
            raise bad(where, "label", "empty")
        videos.append(
            HighlightVideo(
                qid=qid,
                vid=str(record.get("vid", qid)),
                query=text_field(record, "query", where, required=False),
                domain=text_field(record, "domain", where),
                duration=number_field(record, "duration", where),
                labels=np.array(rows, dtype=float),
                where=where,
            )
        )
    return videos
