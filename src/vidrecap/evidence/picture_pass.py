"""Picture statistics of each cell's key frame (``experts/picture.py``) and their words.

Per key frame: brightness, dark/night, named colours, and the camera's motion since the previous
key frame. Slide-like frames (one flat colour over most of the frame) get only their brightness:
their "colours" and "motion" would describe a slide, not a scene. Animation vs camera footage is
not told: no cheap statistic separated them (see ``docs/experts.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ..experts.picture import Features, Motion
from ..results import Cell, PictureEvidence, Tag
from ..util.arrays import pack_array, unpack_array

MIN_CLIP_COLOUR = 0.15  # mean share over a clip's cells for a colour to be named


class PictureStats(Protocol):
    spec: str

    def light(self, image: np.ndarray) -> tuple[float, str]: ...

    def slide_like(self, image: np.ndarray) -> bool: ...

    def colours(self, image: np.ndarray) -> list[tuple[str, float]]: ...

    def features(self, image: np.ndarray) -> Features: ...

    def motion(self, before: Features, after: Features, aspect: float) -> Motion: ...


class PictureExpert:
    """A visual-pass expert: ``look(frame)`` → a journal-friendly dict (``PictureEvidence`` fields).

    The previous key frame's ORB features (≤ 300 points, ~10 KB) are its only state between cells;
    ``state()`` / ``restore()`` carry them across a resumed run."""

    name = "picture"

    def __init__(self, stats: PictureStats):
        self.stats = stats
        self._last: Features | None = None

    def look(self, image: np.ndarray) -> dict[str, Any]:
        brightness, light = self.stats.light(image)
        evidence = PictureEvidence(brightness=round(brightness, 3))
        if self.stats.slide_like(image):
            self._last = None
            return evidence.to_dict()
        evidence.light = light
        if not light:  # in the dark, colours are guesses
            evidence.colours = [Tag(n, s) for n, s in self.stats.colours(image)]
        features = self.stats.features(image)
        if self._last is not None:
            move = self.stats.motion(self._last, features, image.shape[1] / image.shape[0])
            if move.camera:
                evidence.camera, evidence.shift = move.camera, [move.dx, move.dy, move.scale]
        self._last = features
        return evidence.to_dict()

    def state(self) -> dict[str, Any]:
        """What the next ``look`` depends on, JSON-serialisable."""
        if self._last is None:
            return {"features": None}
        return {"features": {"points": pack_array(self._last.points),
                             "descriptors": pack_array(self._last.descriptors)}}

    def restore(self, state: dict[str, Any] | None) -> None:
        packed = (state or {}).get("features")
        self._last = None if not packed else Features(unpack_array(packed["points"]),
                                                      unpack_array(packed["descriptors"]))



# "night" is what is measured (dark, with small bright lights), which candlelight indoors shows too
LIGHT_WORDS = {"night": "a dark scene with small bright lights (night or candlelight)", "dark": "a dark scene"}


def colour_words(names: Sequence[str]) -> str:
    return f"mostly {' and '.join(names)}" if names else ""


def camera_words(camera: str) -> str:
    if not camera:
        return ""
    return "a static camera" if camera == "static" else f"the camera {camera}"


def describe_picture(picture: PictureEvidence | None) -> list[str]:
    """Plain phrases for one cell, e.g. ``["a dark scene", "the camera pans right"]``."""
    if picture is None:
        return []
    phrases = [LIGHT_WORDS.get(picture.light, ""), colour_words([t.label for t in picture.colours]),
               camera_words(picture.camera)]
    return [p for p in phrases if p]


def clip_picture(cells: Sequence[Cell]) -> list[str]:
    """Phrases for a clip: its light when most of its cells share it, the colours covering
    ``MIN_CLIP_COLOUR`` on average, and the camera's motion between its key frames (one shot only)."""
    seen = [c.picture for c in cells if c.picture is not None]
    if not seen:
        return []
    lights = [p.light for p in seen]
    light = max(set(lights), key=lights.count) if lights.count("") * 2 < len(lights) else ""
    if light == "dark" and "night" in lights:
        light = "night"
    share: dict[str, float] = {}
    for p in seen:
        for t in p.colours:
            share[t.label] = share.get(t.label, 0.0) + t.score / len(seen)
    colours = [n for n, s in sorted(share.items(), key=lambda kv: -kv[1]) if s >= MIN_CLIP_COLOUR][:2]
    one_shot = len(cells) > 1 and not any(c.scene_cut for c in cells)
    camera = cells[-1].picture.camera if one_shot and cells[-1].picture is not None else ""
    phrases = [LIGHT_WORDS.get(light, ""), colour_words(colours), camera_words(camera)]
    return [p for p in phrases if p]
