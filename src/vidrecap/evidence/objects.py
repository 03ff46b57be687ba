"""COCO objects in a cell's key frame: which classes, how many of each, kept when they recur.

A detector on one frame flickers (a cell phone at 0.59 on a brick, gone in the next key frame).
An object class is kept for a cell when it is also seen in a neighbouring cell's key frame, or
when the detector is sure of it (``SURE``); counts are the detections scoring ``COUNT_SCORE`` or
more (at least one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ..backends.objects import Detection
from ..results import Cell, SeenObject

COUNT_SCORE = 0.4  # a detection this sure counts towards "3 people"
SURE = 0.7  # a class seen this surely is kept even without a neighbour
STILL = 0.02  # mean grey difference (0..1) below which the key frame shows the same picture
MAX_LABELS = 4
MANY = 8  # from this count on: "many people"
IRREGULAR = {"person": "people", "mouse": "mice", "sheep": "sheep", "knife": "knives", "skis": "skis",
             "scissors": "scissors"}


class ObjectDetector(Protocol):
    spec: str

    def detect(self, image: np.ndarray) -> list[Detection]: ...


def count_objects(found: Sequence[Detection]) -> list[SeenObject]:
    """One entry per class, best score first."""
    best: dict[str, SeenObject] = {}
    for d in found:
        seen = best.get(d.label)
        if seen is None:
            best[d.label] = SeenObject(d.label, 1, round(d.score, 4))
        elif d.score >= COUNT_SCORE:
            seen.count += 1
    return sorted(best.values(), key=lambda o: -o.score)


class ObjectExpert:
    """A visual-pass expert: ``look(frame)`` → ``{"seen": [SeenObject fields]}`` or ``{}``."""

    name = "objects"

    def __init__(self, detector: ObjectDetector):
        self.detector = detector
        self._last_sig: np.ndarray | None = None
        self._last: dict[str, Any] = {}

    def look(self, image: np.ndarray) -> dict[str, Any]:
        """What the detector sees; a picture that did not change (a slide, a still shot) reuses it."""
        sig = _signature(image)
        if self._last_sig is not None and self._last_sig.shape == sig.shape \
                and float(np.abs(sig - self._last_sig).mean()) < STILL:
            return self._last
        objects = count_objects(self.detector.detect(image))
        self._last_sig, self._last = sig, ({"seen": [o.__dict__ for o in objects]} if objects else {})
        return self._last

    def state(self) -> dict[str, Any]:
        """The reuse state carried between batches (JSON-friendly, ~600 numbers), for a resume journal."""
        sig = None if self._last_sig is None else np.round(self._last_sig, 3).tolist()
        return {"sig": sig, "last": self._last}

    def restore(self, state: dict[str, Any] | None) -> None:
        """Continue from ``state()``: after a resume the first unchanged key frame is not detected again."""
        state = state or {}
        sig = state.get("sig")
        self._last_sig = None if sig is None else np.asarray(sig, np.float32)
        self._last = state.get("last") or {}


def _signature(image: np.ndarray) -> np.ndarray:
    return image[::max(1, image.shape[0] // 18), ::max(1, image.shape[1] // 32)].mean(axis=2) / 255.0


def steady_objects(raw: Sequence[list[SeenObject]]) -> list[list[SeenObject]]:
    """Per cell, the classes also seen in a neighbouring cell's key frame, or seen surely.

    Neighbours count across a cut: the shots of a montage are often shorter than a cell, and a
    class seen in two key frames 2 s apart is no one-frame flicker.
    """
    out = []
    for i, seen in enumerate(raw):
        near = {o.label for j in (i - 1, i + 1) if 0 <= j < len(raw) for o in raw[j]}
        out.append([o for o in seen if o.label in near or o.score >= SURE])
    return out


def merge_objects(cells: Sequence[Cell]) -> list[SeenObject]:
    """The objects of several cells: classes in most cells first, the largest count of each."""
    merged: dict[str, SeenObject] = {}
    cells_with: dict[str, int] = {}
    for c in cells:
        for o in c.objects:
            cells_with[o.label] = cells_with.get(o.label, 0) + 1
            m = merged.setdefault(o.label, SeenObject(o.label, o.count, o.score))
            m.count, m.score = max(m.count, o.count), max(m.score, o.score)
    return sorted(merged.values(), key=lambda o: (-cells_with[o.label], -o.score))


def plural(label: str) -> str:
    if label in IRREGULAR:
        return IRREGULAR[label]
    if label.endswith(("s", "sh", "ch", "x")):
        return label + "es"
    return label + "s"


def describe_objects(objects: Sequence[SeenObject], limit: int = MAX_LABELS) -> str:
    """Plain words for captions and the text space, e.g. "3 people, a bicycle"."""
    words = []
    for o in list(objects)[:limit]:
        if o.label in ("skis", "scissors"):
            words.append(o.label)
        elif o.count >= MANY:
            words.append(f"many {plural(o.label)}")
        elif o.count > 1:
            words.append(f"{o.count} {plural(o.label)}")
        else:
            words.append(("an " if o.label[0] in "aeiou" else "a ") + o.label)
    return ", ".join(words)
