"""Ego4D-HCap training samples: one target caption per span, with the level below as context.

Levels are ``clip`` (dense features, no text context), ``segment`` (sparse features + the clip
captions inside it) and ``video`` (sparse features + the segment descriptions). Files are read with
the evaluation suite's ``load_hcap`` (json, or a pickle of plain containers), which validates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...datasets.captions import CaptionItem as HCapItem
from ...datasets.captions import load_hcap

LEVELS = ("clip", "segment", "video")
BELOW = {"segment": "clip", "video": "segment"}


@dataclass(frozen=True)
class HCapSample:
    """A training / evaluation example: target caption and the lower level's texts, in time order."""

    id: str
    level: str
    vid: str
    start: float
    end: float
    target: str
    references: list[str]
    previous: list[str] = field(default_factory=list)


def read_hcap(path: str | Path) -> list[HCapItem]:
    """Items of one Ego4D-HCap file (clips / segments / videos; json or pkl)."""
    return load_hcap(Path(path))


def build_samples(items: Sequence[HCapItem], below: Sequence[HCapItem] = ()) -> list[HCapSample]:
    """Samples of one level; ``below`` gives each span's context texts (items inside it, by start)."""
    by_vid: dict[str, list[HCapItem]] = {}
    for item in sorted(below, key=lambda i: (i.vid, i.start_sec, i.end_sec)):
        by_vid.setdefault(item.vid, []).append(item)
    samples = []
    for item in items:
        inside = [
            b.references[0]
            for b in by_vid.get(item.vid, ())
            if b.start_sec < item.end_sec and b.end_sec > item.start_sec
        ]
        samples.append(
            HCapSample(
                item.id,
                item.level,
                item.vid,
                item.start_sec,
                item.end_sec,
                item.references[0],
                list(item.references),
                inside,
            )
        )
    return samples


def span_rows(
    features: np.ndarray, start: float, end: float, cell_seconds: float, max_rows: int
) -> np.ndarray:
    """The feature rows covering ``[start, end)``: all of them, or ``max_rows`` evenly spread ones."""
    n = features.shape[0]
    first = min(n - 1, max(0, int(np.floor(start / cell_seconds))))
    last = min(n, max(first + 1, int(np.ceil(end / cell_seconds - 1e-6))))
    rows = features[first:last]
    if rows.shape[0] > max_rows:
        picks = np.linspace(0, rows.shape[0] - 1, max_rows).round().astype(int)
        rows = rows[picks]
    return rows
