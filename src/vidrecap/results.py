"""Typed results shared by every capability. Times are seconds from the start of the video.

The 2-second grid is the backbone: cell ``i`` covers ``[2i, 2i + 2)`` (QVHighlights' clip unit).
Clip captions cover ``CLIP_CELLS`` cells; segments are runs of clips; the summary covers all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

SCHEMA_VERSION = "1.1"  # 1.1: segments may hold ``sections``; 1.0 recaps load with none
CELL_SECONDS = 2.0


@dataclass
class VideoInfo:
    path: str
    fingerprint: str
    duration: float
    size_bytes: int
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    rotation: int = 0
    video_codec: str = ""
    audio_codec: str = ""

    @property
    def n_cells(self) -> int:
        return max(1, int(np.ceil(self.duration / CELL_SECONDS - 1e-6)))


@dataclass
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str = ""  # "S1", "S2", ... when the speakers pass ran; "" otherwise


@dataclass
class SpeechSegment:
    """One recognised utterance (about a sentence), with word timings."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: str = ""  # who says it ("S1", ...); "" without the speakers pass or in older recaps

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpeechSegment:
        return cls(d["start"], d["end"], d["text"], [Word(**w) for w in d.get("words", [])], d.get("speaker", ""))


@dataclass
class Transcript:
    language: str = ""
    segments: list[SpeechSegment] = field(default_factory=list)

    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def speakers(self) -> list[str]:
        """The speaker labels, in order of first appearance (``[]`` without the speakers pass)."""
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    @property
    def turns_shown(self) -> bool:
        """Whether who speaks is worth showing: only when several people speak (one voice gets
        no ``S1:`` prefixes, voice tags or turn bar)."""
        return len(self.speakers()) > 1

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(d.get("language", ""), [SpeechSegment.from_dict(s) for s in d.get("segments", [])])


@dataclass
class Tag:
    label: str
    score: float


@dataclass
class FaceEvidence:
    """Faces in a cell's key frame: count, largest face height / frame height, shot scale, and the
    largest face's two likeliest expressions (fer's seven emotions)."""

    count: int = 0
    largest: float = 0.0
    shot: str = ""  # "close-up" | "medium" | "wide"
    expression: list[Tag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> FaceEvidence | None:
        if not d:
            return None
        return cls(d.get("count", 0), d.get("largest", 0.0), d.get("shot", ""),
                   [Tag(**t) for t in d.get("expression", [])])


@dataclass
class PictureEvidence:
    """Cheap statistics of a cell's key frame (``evidence/picture_pass.py``): mean luma (0..1), ``light``
    (``night``: dark with point lights, ``dark``, or ``""``), named dominant colours with their share
    of the frame (colourful, non-slide frames only), and the camera's motion since the previous key
    frame (``static``, ``pans left``/``right``, ``tilts up``/``down``, ``zooms in``/``out``, or ``""``
    when it cannot be told) with its measured shift ``[dx, dy, scale]`` (dx, dy as shares of the
    frame's width and height)."""

    brightness: float = 0.0
    light: str = ""
    colours: list[Tag] = field(default_factory=list)
    camera: str = ""
    shift: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> PictureEvidence | None:
        if not d:
            return None
        return cls(d.get("brightness", 0.0), d.get("light", ""), [Tag(**t) for t in d.get("colours", [])],
                   d.get("camera", ""), list(d.get("shift", [])))


@dataclass
class SeenObject:
    """A COCO object class in a cell's key frame: how many were found and the best detector score."""

    label: str
    count: int = 1
    score: float = 0.0


@dataclass
class Cell:
    """Evidence for one 2-second cell of the grid."""

    index: int
    start: float
    end: float
    speech: str = ""
    on_screen: str = ""
    tags: list[Tag] = field(default_factory=list)
    scene_cut: bool = False
    change: float = 0.0  # visual change from the previous sampled frame, 0..1
    frame: str | None = None  # key frame image, relative to the output directory
    sounds: list[Tag] = field(default_factory=list)  # AudioSet sound classes heard, strongest first
    faces: FaceEvidence | None = None  # faces in the key frame (None: none seen, or no face pass)
    picture: PictureEvidence | None = None  # picture statistics of the key frame (None: no picture pass)
    objects: list[SeenObject] = field(default_factory=list)  # COCO objects that recur within the shot
    speakers: list[str] = field(default_factory=list)  # who speaks in the cell ("S1", ...), in order

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cell:
        d = dict(d)
        d["tags"] = [Tag(**t) for t in d.get("tags", [])]
        d["sounds"] = [Tag(**t) for t in d.get("sounds", [])]
        d["faces"] = FaceEvidence.from_dict(d.get("faces"))
        d["picture"] = PictureEvidence.from_dict(d.get("picture"))
        d["objects"] = [SeenObject(**o) for o in d.get("objects", [])]
        return cls(**d)


@dataclass
class Section:
    """A part of a chapter (a segment): e.g. the next slide of the same topic."""

    start: float
    end: float
    title: str = ""


@dataclass
class Caption:
    """One node of the hierarchy: a clip caption, a segment description or the summary."""

    level: str  # "clip" | "segment" | "summary"
    index: int
    start: float
    end: float
    text: str
    title: str = ""
    children: list[int] = field(default_factory=list)  # indices into the level below
    writer: str = ""  # segment/summary: the writer that produced it ("" when not recorded)
    faithfulness: float | None = None  # share of its content words found in the writer's evidence
    problems: list[str] = field(default_factory=list)  # what output validation repaired or rejected
    sections: list[Section] = field(default_factory=list)  # segment: its parts, when it has several

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Caption:
        d = dict(d)
        d["sections"] = [Section(**x) for x in d.get("sections", [])]
        return cls(**d)


@dataclass
class StageTiming:
    """One stage of one run (seconds from the run's start; CPU in seconds; RSS in MiB)."""

    stage: str
    start: float
    wall: float
    cpu: float
    peak_rss_mib: float
    concurrent: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StageTiming:
        return cls(str(d["stage"]), float(d["start"]), float(d["wall"]), float(d["cpu"]),
                   float(d["peak_rss_mib"]), [str(s) for s in d.get("concurrent", [])])


@dataclass
class RunTimings:
    """The stages of a run, plus the whole run's wall, CPU and peak RSS."""

    stages: list[StageTiming] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mib: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> RunTimings | None:
        """The timings saved in ``recap.json``; ``None`` when absent (older recaps) or malformed."""
        try:
            return cls([StageTiming.from_dict(s) for s in d.get("stages", [])], float(d.get("wall", 0.0)),
                       float(d.get("cpu", 0.0)), float(d.get("peak_rss_mib", 0.0)))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def table(self) -> str:
        """A readable table (``vidrecap run --verbose``)."""
        rows = [f"{'stage':<11} {'start s':>8} {'wall s':>8} {'CPU s':>8} {'peak RSS':>9}  alongside"]
        for s in self.stages:
            rows.append(f"{s.stage:<11} {s.start:8.1f} {s.wall:8.1f} {s.cpu:8.1f} {s.peak_rss_mib:6.0f} MiB  "
                        f"{', '.join(s.concurrent) or '-'}")
        rows.append(f"{'run':<11} {0.0:8.1f} {self.wall:8.1f} {self.cpu:8.1f} {self.peak_rss_mib:6.0f} MiB")
        return "\n".join(rows)


@dataclass
class Recap:
    """Everything ``vidrecap run`` produces for one video."""

    video: VideoInfo
    options: dict[str, Any]
    clips: list[Caption]
    segments: list[Caption]
    summary: Caption
    transcript: Transcript
    cells: list[Cell]
    embeddings: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    timings: RunTimings | None = None  # where this run's time went (None: loaded from an older recap)
    schema_version: str = SCHEMA_VERSION
    directory: str | None = None  # where it was saved / loaded from (``outputs.store``, ``vidrecap.load``)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "video": asdict(self.video),
            "options": self.options,
            "summary": asdict(self.summary),
            "segments": [asdict(s) for s in self.segments],
            "clips": [asdict(c) for c in self.clips],
            "transcript": asdict(self.transcript),
            "cells": [asdict(c) for c in self.cells],
            "embeddings": {k: list(v.shape) for k, v in self.embeddings.items()},
            **({"timings": self.timings.to_dict()} if self.timings is not None else {}),
        }
