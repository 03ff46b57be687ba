"""Narrations for the dual encoder: ``(video, start, end, text)`` records from three sources.

- **Ego4D-style files**: Ego4D's ``narration.json`` (``{video_uid: {"narration_pass_1":
  {"narrations": [{"timestamp_sec", "narration_text"}, ...]}}}``), or flat JSON / JSONL / CSV records
  with ``video`` (or ``vid`` / ``video_uid``), ``text`` (or ``narration`` / ``narration_text``) and
  either ``start`` + ``end`` or one ``timestamp`` (a window of ``window`` seconds centred on it).
  Ego4D's ``#C C`` / ``#O`` speaker tags are removed.
- **EPIC-KITCHENS-100 retrieval CSVs** (``EPIC_100_retrieval_{train,test}.csv``): ``video_id``,
  ``start_timestamp``, ``stop_timestamp`` (``HH:MM:SS.ff``), ``narration``.
- **A folder of recaps** (``vidrecap run`` output directories): each window of ``window_cells``
  cells is narrated weakly by its time-aligned transcript and on-screen text (HowTo100M-style);
  windows with neither are *unlabelled* (the narrator may caption them). The recap's own
  per-cell embeddings are the window's features.

Every problem raises ``InputError`` naming the file, line and field.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import InputError

SPEAKER_TAG = re.compile(r"#\s*(?:[Cc]\s+[Cc]\b|[Cc]\b|[Oo]\b|unsure\b|summary\b)\s*", re.IGNORECASE)


@dataclass
class Narration:
    vid: str
    start: float
    end: float
    text: str
    source: str = "human"  # human | weak | narrator
    paraphrases: list[str] = field(default_factory=list)


@dataclass
class RecapWindows:
    """One recap's per-cell features plus its weakly narrated and unlabelled windows."""

    vid: str
    directory: Path
    features: np.ndarray
    labelled: list[Narration]
    unlabelled: list[tuple[float, float, list[int]]]  # (start, end, cell indices)


def clean_text(text: str) -> str:
    return " ".join(SPEAKER_TAG.sub(" ", str(text)).split())


def _number(value, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: expected a number, got {value!r}") from None
    if not np.isfinite(number) or number < 0:
        raise InputError(f"{where}: expected a non-negative number, got {value!r}")
    return number


def _first(record: dict, names: tuple[str, ...]):
    return next((record[n] for n in names if n in record and record[n] not in (None, "")), None)


def _from_record(record: dict, where: str, window: float) -> Narration | None:
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected an object")
    vid = _first(record, ("video", "vid", "video_uid", "video_id"))
    text = _first(record, ("text", "narration", "narration_text", "caption"))
    if vid is None:
        raise InputError(f"{where}: field 'video': missing")
    if text is None:
        raise InputError(f"{where}: field 'text': missing")
    if "start" in record or "end" in record:
        start = _number(record.get("start"), f"{where}: field 'start'")
        end = _number(record.get("end"), f"{where}: field 'end'")
        if end < start:
            raise InputError(f"{where}: field 'end': {end} is before start {start}")
    else:
        t = _number(_first(record, ("timestamp", "timestamp_sec", "time")), f"{where}: field 'timestamp'")
        start, end = max(0.0, t - window / 2), t + window / 2
    text = clean_text(text)
    return Narration(str(vid), start, end, text) if text else None


def load_ego4d_narrations(path: Path, window: float = 4.0) -> list[Narration]:
    """Ego4D ``narration.json`` or flat JSON / JSONL / CSV narration records."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: narration file not found")
    raw = path.read_text(encoding="utf-8")
    records: list[tuple[str, dict]] = []
    if path.suffix == ".csv":
        for i, row in enumerate(csv.DictReader(raw.splitlines()), start=2):
            records.append((f"{path}:{i}", row))
    elif path.suffix == ".jsonl":
        for i, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                records.append((f"{path}:{i}", _json(line, f"{path}:{i}")))
    else:
        data = _json(raw, str(path))
        if isinstance(data, dict):
            records = list(_ego4d_records(data, path))
        elif isinstance(data, list):
            records = [(f"{path}: item {i}", r) for i, r in enumerate(data)]
        else:
            raise InputError(f"{path}: expected Ego4D narration.json or a list of records")
    out = [n for where, r in records if (n := _from_record(r, where, window)) is not None]
    if not out:
        raise InputError(f"{path}: no narrations")
    return out


def _json(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc})") from exc


def _ego4d_records(data: dict, path: Path):
    for vid, passes in data.items():
        if not isinstance(passes, dict):
            raise InputError(f"{path}: field '{vid}': expected an object of narration passes")
        for name, block in passes.items():
            if not name.startswith("narration_pass") or not isinstance(block, dict):
                continue
            for i, item in enumerate(block.get("narrations") or []):
                if isinstance(item, dict):
                    yield f"{path}: field '{vid}.{name}.narrations[{i}]'", {"video": vid, **item}


def parse_hhmmss(value: str, where: str) -> float:
    parts = str(value).strip().split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        return int(parts[0]) * 3600 + int(parts[1]) * 60 + float(parts[2])
    except ValueError:
        raise InputError(f"{where}: expected HH:MM:SS.ff, got {value!r}") from None


def load_ek100_narrations(path: Path) -> list[Narration]:
    """EPIC-KITCHENS-100 retrieval CSV rows as narrations."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: EPIC-KITCHENS-100 CSV not found")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        needed = {"video_id", "start_timestamp", "stop_timestamp", "narration"}
        missing = sorted(needed - set(reader.fieldnames or []))
        if missing:
            raise InputError(f"{path}: field '{missing[0]}': missing column")
        out = []
        for i, row in enumerate(reader, start=2):
            where = f"{path}:{i}"
            start = parse_hhmmss(row["start_timestamp"], f"{where}: field 'start_timestamp'")
            end = parse_hhmmss(row["stop_timestamp"], f"{where}: field 'stop_timestamp'")
            if end < start:
                raise InputError(f"{where}: field 'stop_timestamp': before start_timestamp")
            if row["narration"].strip():
                out.append(Narration(row["video_id"], start, end, row["narration"].strip()))
    if not out:
        raise InputError(f"{path}: no narrations")
    return out


# -- weak narrations from recaps -------------------------------------------------------------------


def recap_directories(folder: Path) -> list[Path]:
    """``folder`` itself when it is a recap, else its sub-directories holding one (sorted)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: recap folder not found")
    if (folder / "recap.json").exists():
        return [folder]
    found = sorted(p for p in folder.iterdir() if (p / "recap.json").exists())
    if not found:
        raise InputError(f"{folder}: no `vidrecap run` output directories (recap.json) inside")
    return found


def window_text(cells) -> str:
    """The weak narration of some cells: their speech, then on-screen text not already said."""
    speech = " ".join(c.speech.strip() for c in cells if c.speech.strip())
    screen: list[str] = []
    for c in cells:
        text = " ".join(c.on_screen.split())
        if text and text not in screen and text.lower() not in speech.lower():
            screen.append(text)
    return " ".join([speech, *screen]).strip()


def load_recap_windows(directory: Path, feature_key: str, window_cells: int) -> RecapWindows:
    from ...outputs.store import load_recap

    recap = load_recap(directory)
    if feature_key not in recap.embeddings:
        have = ", ".join(sorted(recap.embeddings)) or "none"
        raise InputError(f"{directory}: field 'embeddings.{feature_key}': missing (the recap has {have})")
    features = np.asarray(recap.embeddings[feature_key], np.float32)
    vid = Path(directory).name
    labelled, unlabelled = [], []
    cells = recap.cells
    for lo in range(0, len(cells), window_cells):
        chunk = cells[lo : lo + window_cells]
        start, end = chunk[0].start, chunk[-1].end
        text = window_text(chunk)
        if text:
            labelled.append(Narration(vid, start, end, text, "weak"))
        else:
            unlabelled.append((start, end, [c.index for c in chunk]))
    return RecapWindows(vid, Path(directory), features, labelled, unlabelled)
