"""Search, highlights and key frames for one recap, computed once and shaped for the JSON API."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any

from ..results import Recap

MAX_CURVE_POINTS = 600
MAX_KEY_FRAMES = 40
MAX_TOP_K = 50


@dataclass(frozen=True)
class KeyFrame:
    """One image of the visual summary strip: a chosen 2 s clip and its key frame."""

    start: float
    end: float
    relevance: float
    frame: str | None  # relative to the recap directory


def curve_points(saliency: list[float], duration: float, max_points: int = MAX_CURVE_POINTS
                 ) -> list[tuple[float, float]]:
    """``(time, value)`` points of a per-2 s curve, max-pooled down to at most ``max_points``."""
    n = len(saliency)
    if n == 0:
        return []
    step = max(1, -(-n // max_points))
    cell = duration / n if duration > 0 else 2.0
    points = []
    for i in range(0, n, step):
        chunk = saliency[i:i + step]
        mid = (i + len(chunk) / 2) * cell
        points.append((round(mid, 2), round(float(max(chunk)), 4)))
    return points


def pick_key_frames(clips: list[Any], recap: Recap, limit: int = MAX_KEY_FRAMES) -> list[KeyFrame]:
    """The best clip of each run of consecutive chosen clips, at most ``limit``, chronological."""
    runs: list[list[Any]] = []
    for clip in clips:
        if runs and clip.index == runs[-1][-1].index + 1:
            runs[-1].append(clip)
        else:
            runs.append([clip])
    best = [max(run, key=lambda c: c.relevance) for run in runs]
    best = sorted(sorted(best, key=lambda c: -c.relevance)[:limit], key=lambda c: c.start)
    cells = recap.cells
    return [KeyFrame(c.start, c.end, c.relevance, cells[c.index].frame if c.index < len(cells) else None)
            for c in best]


class RecapAnalysis:
    """Lazily built moment index, highlights and visual summary of one recap (thread-safe)."""

    def __init__(self, recap: Recap):
        self.recap = recap
        self._lock = threading.Lock()
        self._index: Any = None
        self._highlights: dict[str, Any] | None = None
        self._key_frames: list[KeyFrame] | None = None
        self._asker: Any = None

    def index(self) -> Any:
        """The ``MomentIndex`` (loads the recap's encoder the first time)."""
        with self._lock:
            if self._index is None:
                from ..moments import MomentIndex

                self._index = MomentIndex.build(self.recap)
            return self._index

    def search(self, query: str, top_k: int = 10) -> dict[str, Any]:
        """Ranked moments for ``query`` as ``{query, windows: [{start, end, score}]}``."""
        result = self.index().predict(query, top_k=max(1, min(int(top_k), MAX_TOP_K)))
        windows = [{"start": w.start, "end": w.end, "score": round(float(w.score), 4)} for w in result.windows]
        return {"query": result.query, "windows": windows}

    def highlights(self) -> dict[str, Any]:
        """The saliency curve (downsampled) and the best windows."""
        encoder = self.index().encoder
        with self._lock:
            if self._highlights is None:
                from ..moments import highlights

                h = highlights(self.recap, top_k=10, encoder=encoder)
                self._highlights = {
                    "duration": h.duration,
                    "points": curve_points(h.saliency, h.duration),
                    "windows": [{"start": w.start, "end": w.end, "score": round(float(w.score), 4)}
                                for w in h.windows],
                }
            return self._highlights

    def key_frames(self) -> list[KeyFrame]:
        """Key frames of the cross-modal summary (computed in memory: nothing is written)."""
        encoder = self.index().encoder
        with self._lock:
            if self._key_frames is None:
                from ..moments import xsum

                detached = dataclasses.replace(self.recap, directory=None)  # keep xsum from writing
                self._key_frames = pick_key_frames(xsum(detached, encoder=encoder).clips, self.recap)
            return self._key_frames

    def ask(self, question: str) -> dict[str, Any]:
        """The embedded (extractive) answer to ``question``, with cited times (docs/ask.md)."""
        index = self.index()
        with self._lock:
            if self._asker is None:
                from ..qa import Asker

                self._asker = Asker(index)
            asker = self._asker
        return asker.ask(question).to_dict()
