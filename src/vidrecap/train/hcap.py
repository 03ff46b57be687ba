"""Ego4D-HCap training samples: one target caption per span, with the level below as context.

Levels are ``clip`` (dense features, no text context), ``segment`` (sparse features + the clip
captions inside it) and ``video`` (sparse features + the segment descriptions). Files are read with
the evaluation suite's ``load_hcap`` when it is there, else with the minimal reader below (same
format: json, or a pickle of plain containers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError

LEVELS = ("clip", "segment", "video")
LEVEL_FIELDS = {"clip": "clip_caption", "segment": "segment_description", "video": "video_summary"}
BELOW = {"segment": "clip", "video": "segment"}


@dataclass(frozen=True)
class HCapItem:
    """One annotated span (the suite's ``CaptionItem`` fields that training needs)."""

    id: str
    level: str
    references: list[str]
    vid: str
    start_sec: float
    end_sec: float


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
    try:
        from ..datasets.captions import load_hcap
    except ImportError:
        load_hcap = _read_hcap_fallback
    return [
        HCapItem(i.id, i.level, list(i.references), i.vid, float(i.start_sec), float(i.end_sec))
        for i in load_hcap(Path(path))
    ]


def _read_hcap_fallback(path: Path) -> list[HCapItem]:
    if path.suffix in (".pkl", ".pickle"):
        data = _plain_unpickle(path)
    else:
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(data, list) or not data:
        raise InputError(f"{path}: expected a non-empty list of Ego4D-HCap items")
    return [_fallback_item(entry, f"{path} (item #{i})") for i, entry in enumerate(data)]


def _fallback_item(entry, where: str) -> HCapItem:
    if isinstance(entry, list | tuple) and len(entry) == 4:
        vid, start, end, text = entry
        level = "clip"
    elif isinstance(entry, dict):
        level = next((lv for lv, key in LEVEL_FIELDS.items() if key in entry), "")
        if not level:
            raise InputError(f"{where}: field 'caption': none of {', '.join(LEVEL_FIELDS.values())}")
        vid, start, end, text = (
            entry.get("vid"),
            entry.get("start_sec"),
            entry.get("end_sec"),
            entry[LEVEL_FIELDS[level]],
        )
    else:
        raise InputError(f"{where}: expected a (vid, start_sec, end_sec, clip_caption) tuple or an object")
    if not isinstance(vid, str):
        raise InputError(f"{where}: field 'vid': missing or not a string")
    for name, value in (("start_sec", start), ("end_sec", end)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{where}: field '{name}': expected a number")
    refs = [text] if isinstance(text, str) else text
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        raise InputError(f"{where}: field '{LEVEL_FIELDS[level]}': expected a string")
    return HCapItem(f"{vid}_{start:g}_{end:g}", level, refs, vid, float(start), float(end))


def _plain_unpickle(path: Path):
    import builtins
    import io
    import pickle

    safe = {"list", "tuple", "dict", "str", "int", "float", "bool"}

    class Plain(pickle.Unpickler):
        def find_class(self, module, name):
            if module == "builtins" and name in safe:
                return getattr(builtins, name)
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")

    try:
        return Plain(io.BytesIO(path.read_bytes())).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: not a readable Ego4D-HCap pickle ({exc})") from exc


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
