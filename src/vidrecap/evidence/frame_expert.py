"""The reuse rule the key-frame experts share: a key frame that shows the same picture as the last
one examined (a slide, a still shot) gets the last result instead of another model call.

The rule's state (the last signature, exact bytes, and the last result) rides in the visual pass's
resume journal, so a resumed run makes the same reuse decisions as an uninterrupted one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..util.arrays import pack_array, unpack_array

STILL = 0.02  # mean grey difference (0..1) below which the key frame shows the same picture


def frame_signature(image: np.ndarray) -> np.ndarray:
    """A ~18×32 grey thumbnail in 0..1 (strided, no resampling: cheap on every key frame)."""
    return image[::max(1, image.shape[0] // 18), ::max(1, image.shape[1] // 32)].mean(axis=2) / 255.0


class ReusingExpert:
    """A visual-pass expert: ``look(frame)`` → a journal-friendly dict; subclasses set ``name`` and
    implement ``examine(frame)``, the model call the reuse rule saves."""

    name = ""

    def __init__(self):
        self._last: tuple[np.ndarray | None, dict[str, Any]] = (None, {})

    def examine(self, image: np.ndarray) -> dict[str, Any]:
        raise NotImplementedError

    def look(self, image: np.ndarray) -> dict[str, Any]:
        sig = frame_signature(image)
        last_sig, last = self._last
        if last_sig is not None and last_sig.shape == sig.shape and float(np.abs(sig - last_sig).mean()) < STILL:
            return last
        seen = self.examine(image)
        self._last = (sig, seen)
        return seen

    def state(self) -> dict[str, Any]:
        """The reuse decision's state, for the visual pass's resume journal."""
        sig, seen = self._last
        return {"sig": pack_array(sig), "seen": seen}

    def restore(self, state: dict[str, Any] | None) -> None:
        self._last = (unpack_array(state["sig"]), state["seen"]) if state else (None, {})
