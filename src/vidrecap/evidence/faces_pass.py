"""Faces in a cell's key frame: how many, how large (shot scale), and the largest face's expression.

Shot scale follows the usual framing rule on the largest face's height as a share of the frame's:
a face of at least ``CLOSE_UP`` of the height is a close-up, at least ``MEDIUM`` a medium shot, a
smaller one a wide shot. Without a face no scale is claimed (a landscape is not a "wide shot of
a person").
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..experts.faces import EMOTIONS, Face
from ..results import Cell, FaceEvidence, Tag
from .frame_expert import ReusingExpert

CLOSE_UP, MEDIUM = 0.25, 0.08
MIN_EXPRESSION = 0.4  # an expression is named only when the model gives it at least this probability
SURE_EXPRESSION = 0.6  # ... and, seen in one key frame only, at least this one (see confirm_expressions)


class FaceDetector(Protocol):
    spec: str

    def detect(self, image: np.ndarray) -> list[Face]: ...


def shot_scale(height_share: float) -> str:
    if height_share >= CLOSE_UP:
        return "close-up"
    return "medium" if height_share >= MEDIUM else "wide"


class FaceExpert(ReusingExpert):
    """Faces in the key frame (``FaceEvidence`` fields), reused while the picture does not change."""

    name = "faces"

    def __init__(self, detector: FaceDetector):
        super().__init__()
        self.detector = detector

    def examine(self, image: np.ndarray) -> dict[str, Any]:
        faces = self.detector.detect(image)
        if not faces:
            return {}
        share = max(f.h for f in faces) / image.shape[0]
        evidence = FaceEvidence(count=len(faces), largest=round(share, 4), shot=shot_scale(share))
        if faces[0].expression:
            order = np.argsort(faces[0].expression)[::-1][:2]
            evidence.expression = [Tag(EMOTIONS[i], faces[0].expression[i]) for i in order]
        return evidence.to_dict()


def confirm_expressions(cells: list[Cell]) -> None:
    """Keep a cell's expression only when it is confirmed: the same confident expression in a
    neighbouring key frame of the same shot, or a sure one (``SURE_EXPRESSION``). The 93 KB model
    flickers between frames of one face and misreads drawn faces; one frame's guess is not a claim."""
    moods = [mood(c.faces) for c in cells]
    for i, cell in enumerate(cells):
        if not moods[i]:
            continue
        same_shot = [j for j in (i - 1, i + 1) if 0 <= j < len(cells) and not cells[max(i, j)].scene_cut]
        agreed = any(moods[j] == moods[i] for j in same_shot)
        if not agreed and cell.faces.expression[0].score < SURE_EXPRESSION:
            cell.faces.expression = []


ADJECTIVES = {"happy": "smiling", "sad": "sad", "surprised": "surprised", "angry": "angry",
              "fearful": "frightened", "disgusted": "disgusted", "neutral": "calm"}


def mood(faces: FaceEvidence | None) -> str:
    """The largest face's expression when the model is confident about it, else ``""``."""
    if faces is None:
        return ""
    return next((t.label for t in faces.expression[:1] if t.score >= MIN_EXPRESSION), "")


def expression_change(seq: list[FaceEvidence | None]) -> str:
    """"turning from calm to smiling" when a single face's confident expression changes within
    ``seq`` (cells of one shot, in time order), else ``""``."""
    moods = [mood(f) for f in seq if f is not None and f.count == 1]
    moods = [m for i, m in enumerate(moods) if m and (i == 0 or m != moods[i - 1])]
    if len(moods) < 2 or moods[0] == moods[-1]:
        return ""
    return f"turning from {ADJECTIVES[moods[0]]} to {ADJECTIVES[moods[-1]]}"


def describe_faces(faces: FaceEvidence | None) -> str:
    """Plain words for captions and the text space, e.g. "a close-up of a smiling face"."""
    if faces is None or not faces.count:
        return ""
    adjective = ADJECTIVES.get(mood(faces), "") if mood(faces) != "neutral" else ""
    if faces.count == 1:
        article = "an" if adjective and adjective[0] in "aeiou" else "a"
        face = f"{article} {adjective} face" if adjective else "a face"
        if faces.shot == "close-up":
            return f"a close-up of {face}"
        return f"a person in a {faces.shot} shot" + (f", {adjective}" if adjective else "")
    people = f"{faces.count} people" if faces.count < 6 else "a group of people"
    return f"{people} in a {faces.shot} shot"
