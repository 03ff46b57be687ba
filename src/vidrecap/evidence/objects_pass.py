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

from ..experts.detection import Detection
from ..results import Cell, SeenObject
from .frame_expert import ReusingExpert

COUNT_SCORE = 0.4  # a detection this sure counts towards "3 people"
SURE = 0.7  # a class seen this surely is kept even without a neighbour
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


class ObjectExpert(ReusingExpert):
    """COCO objects in the key frame (``{"seen": [SeenObject fields]}`` or ``{}``), reused while the
    picture does not change."""

    name = "objects"

    def __init__(self, detector: ObjectDetector):
        super().__init__()
        self.detector = detector

    def examine(self, image: np.ndarray) -> dict[str, Any]:
        objects = count_objects(self.detector.detect(image))
        return {"seen": [o.__dict__ for o in objects]} if objects else {}


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
