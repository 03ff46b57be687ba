"""Speaker names beside a recap (``speakers.json``) and the timed-text files that show them.

The recap keeps the labels the speakers pass gave (``S1``, ``S2``, ...); a person may name them
(``{"S1": "Maria"}``, from the page or ``vidrecap speakers OUT S1=Maria``). Names are an overlay:
``transcript.srt``, ``clips.vtt`` and ``segments.vtt`` are rewritten with them, and the page,
``vidrecap search`` and ``vidrecap ask`` show them; ``recap.json`` is never changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..util.fs import atomic_write_json, atomic_write_text
from .captions import to_srt, to_webvtt

NAMES_FILE = "speakers.json"
LABEL = re.compile(r"\bS([1-9]\d?)\b")
MAX_NAME = 60


def load_names(directory: Path) -> dict[str, str]:
    """``{label: name}`` from ``speakers.json``; ``{}`` when there is none or it is unreadable."""
    try:
        data = json.loads((Path(directory) / NAMES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and LABEL.fullmatch(k) and isinstance(v, str) and v}


def checked_names(names: Mapping[str, object]) -> dict[str, str]:
    """Names cleaned and checked: labels like ``S1``, names of 1–60 characters without ``<>&``
    or line breaks (they go into WebVTT voice tags). An empty name removes the label's name."""
    out = {}
    for label, name in names.items():
        if not isinstance(label, str) or not LABEL.fullmatch(label):
            raise InputError(f"{label!r} is not a speaker label (S1, S2, ...)")
        if not isinstance(name, str):
            raise InputError(f"the name for {label} must be text")
        name = " ".join(re.sub(r"[<>&]", "", name).split())
        if len(name) > MAX_NAME:
            raise InputError(f"the name for {label} is longer than {MAX_NAME} characters")
        if name:
            out[label] = name
    return out


def save_names(directory: Path, names: Mapping[str, object], recap=None) -> dict[str, str]:
    """Merge ``names`` into ``speakers.json`` (atomically) and rewrite the timed-text files."""
    merged = {**load_names(directory), **checked_names(names)}
    for label, name in names.items():
        if isinstance(name, str) and not name.strip():
            merged.pop(label, None)
    atomic_write_json(Path(directory) / NAMES_FILE, merged)
    if recap is not None:
        write_timed_text(recap, Path(directory), merged)
    return merged


def renamed(text: str, names: Mapping[str, str]) -> str:
    """``text`` with every speaker label that has a name replaced by it."""
    if not names:
        return text
    return LABEL.sub(lambda m: names.get(m.group(0), m.group(0)), text)


def voiced(text: str, speakers: list[str], names: Mapping[str, str]) -> str:
    """A cue payload with a WebVTT voice tag (``<v S1>``, or ``<v Maria, S2>`` for several)."""
    if not speakers:
        return text
    return f"<v {', '.join(names.get(s, s) for s in speakers)}>{renamed(text, names)}"


def write_timed_text(recap, directory: Path, names: Mapping[str, str] | None = None) -> None:
    """``clips.vtt``, ``segments.vtt`` and ``transcript.srt``, with voice tags and names."""
    names = load_names(directory) if names is None else names
    clip_speakers = [list(dict.fromkeys(s for i in c.children if i < len(recap.cells)
                                        for s in recap.cells[i].speakers)) for c in recap.clips]
    atomic_write_text(directory / "clips.vtt", to_webvtt(
        (c.start, c.end, voiced(c.text, who, names)) for c, who in zip(recap.clips, clip_speakers, strict=True)))
    atomic_write_text(directory / "segments.vtt", to_webvtt(
        (s.start, s.end, renamed(f"{s.title}\n{s.text}" if s.title else s.text, names)) for s in recap.segments))
    several = recap.transcript.turns_shown  # one voice: no voice tags
    atomic_write_text(directory / "transcript.srt", to_srt(
        (s.start, s.end, voiced(s.text, [s.speaker] if s.speaker and several else [], names))
        for s in recap.transcript.segments))
