"""Query-free highlights: a saliency score per 2 s clip, the top windows and an optional reel.

Saliency is a weighted sum of four per-cell signals, each in ``[0, 1]``, then smoothed over time:

- ``centrality`` (0.45): cosine between the cell's fused embedding and the closest sentence of the
  summary or a segment description, mapped to its rank among the video's cells. What the recap
  found important is what we show.
- ``speech`` (0.25): words spoken in the cell, relative to the 90th percentile of speaking cells (dense
  speech carries content; silence rarely does).
- ``change`` (0.15): visual change from the previous frame (``Cell.change``), scene cuts count 0.5.
- ``novelty`` (0.15): new on-screen text (a new slide or caption), decaying over the next cells.
- ``reaction`` (on top, noisy-or): an audience reacting (applause, laughter,
  cheering heard by the sound pass), the strongest such class's probability. Where nothing of the
  kind is heard it is zero and the saliency is the weighted sum above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..results import CELL_SECONDS, Recap
from . import scoring
from .index import default_vid
from .lexical import dilate, terms
from .loading import channel_matrices, query_encoder, resolve_recap
from .scoring import Window

WEIGHTS = {"centrality": 0.45, "speech": 0.25, "change": 0.15, "novelty": 0.15}
REACTION_WEIGHT = 1.0  # the detector's probability of an audience reacting, or-ed in as it is
MAX_WINDOW_SECONDS = 30.0
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass
class Highlights:
    """Saliency per 2 s clip, the best windows (best first) and, if made, the reel."""

    vid: str
    duration: float
    saliency: list[float]
    windows: list[Window]
    signals: dict[str, list[float]] = field(default_factory=dict, repr=False)
    reel: Any = None  # ReelInfo when a reel was written
    windows_all: list[Window] = field(default_factory=list, repr=False)  # every window, for reels

    def to_dict(self) -> dict[str, Any]:
        return {
            "vid": self.vid,
            "duration": self.duration,
            "windows": [w.as_list() for w in self.windows],
            "saliency": self.saliency,
            "signals": self.signals,
            "reel": self.reel.to_dict() if self.reel is not None else None,
        }

    def spans(self, seconds: float) -> list[tuple[float, float]]:
        """Chronological spans totalling ``seconds`` (or the whole video): best windows first, the
        last one trimmed to fit."""
        return select_spans(self.windows_all or self.windows, seconds, self.duration)


def summary_sentences(recap: Recap) -> list[str]:
    """The summary split into sentences, plus every segment description."""
    out = [s.strip() for s in _SENTENCE.split(recap.summary.text or "") if s.strip()]
    out += [s.text.strip() for s in recap.segments if s.text.strip()]
    return out


def fused_matrix(recap: Recap, dim: int | None = None) -> np.ndarray | None:
    """The recap's ``fused`` channel, else the normalised sum of the channels present."""
    n = len(recap.cells)
    fused = recap.embeddings.get("fused")
    if fused is not None and np.asarray(fused).shape[0] == n:
        return np.asarray(fused, np.float32)
    channels = channel_matrices(recap, dim)
    if not channels:
        return None
    total = sum(channels.values())
    norm = np.linalg.norm(total, axis=1, keepdims=True)
    return np.where(norm > 0, total / np.maximum(norm, 1e-12), 0).astype(np.float32)


def centrality(recap: Recap, encoder: Any) -> np.ndarray:
    """Rank-normalised cosine of each cell to its closest summary sentence (0 where no evidence)."""
    n = len(recap.cells)
    sentences = summary_sentences(recap)
    fused = fused_matrix(recap, getattr(encoder, "dim", None))
    if fused is None or not sentences:
        return np.zeros(n, np.float32)
    cos = (fused @ encoder.embed_text(sentences).T).max(1)
    present = np.abs(fused).sum(1) > 0
    return (rank01(cos) * present).astype(np.float32)


def rank01(x: np.ndarray) -> np.ndarray:
    """Ranks mapped to ``[0, 1]`` (ties share the mean rank)."""
    if len(x) < 2:
        return np.ones_like(x, dtype=np.float32)
    from scipy.stats import rankdata

    return ((rankdata(x) - 1) / (len(x) - 1)).astype(np.float32)


def speech_density(recap: Recap) -> np.ndarray:
    """Words per cell relative to the 90th percentile of the cells that have speech, in [0, 1]
    (over all cells the percentile is 0 when under a tenth of the video is speech)."""
    words = np.array([len(c.speech.split()) for c in recap.cells], np.float32)
    if not words.any():
        return words
    return np.clip(words / float(np.percentile(words[words > 0], 90)), 0, 1)


def visual_change(recap: Recap) -> np.ndarray:
    return np.array([max(min(max(c.change, 0.0), 1.0), 0.5 * c.scene_cut) for c in recap.cells], np.float32)


def text_novelty(recap: Recap, memory: int = 5) -> np.ndarray:
    """1 where on-screen text appears that the previous ``memory`` cells did not show, decaying after."""
    out = np.zeros(len(recap.cells), np.float32)
    recent: list[set[str]] = []
    for i, cell in enumerate(recap.cells):
        words = set(terms(cell.on_screen))
        seen = set().union(*recent) if recent else set()
        if words and len(words - seen) / len(words) >= 0.5:
            out[i] = 1.0
        recent = (recent + [words])[-memory:]
    forward = out.copy()
    for d in (1, 2, 3):
        forward[d:] = np.maximum(forward[d:], 0.7**d * out[:-d])
    return forward


def audience_reaction(recap: Recap) -> np.ndarray:
    """Per cell, the probability of the strongest audience-reaction sound (applause, laughter, ...)."""
    from ..evidence.sounds_pass import REACTION_LABELS

    return np.array([max((t.score for t in c.sounds if t.label in REACTION_LABELS), default=0.0)
                     for c in recap.cells], np.float32)


def saliency_signals(recap: Recap, encoder: Any) -> dict[str, np.ndarray]:
    return {
        "centrality": centrality(recap, encoder),
        "speech": speech_density(recap),
        "change": dilate(visual_change(recap), 0.5, 1),
        "novelty": text_novelty(recap),
        "reaction": audience_reaction(recap),
    }


def highlights(recap_or_dir: Recap | str | Path, top_k: int = 10, encoder: Any = None) -> Highlights:
    """Query-free saliency per 2 s clip and the ``top_k`` best windows (each at most 30 s)."""
    recap = resolve_recap(recap_or_dir)
    encoder = encoder if encoder is not None else query_encoder(recap)
    signals = saliency_signals(recap, encoder)
    raw = sum(WEIGHTS[k] * signals[k] for k in WEIGHTS)
    raw = (raw + REACTION_WEIGHT * signals["reaction"] * (1.0 - raw)).astype(np.float32)
    curve = scoring.smooth(raw)
    duration = recap.video.duration or len(raw) * CELL_SECONDS
    every = scoring.grow_windows(curve, curve, len(curve), fraction=0.7, cell=CELL_SECONDS,
                                 duration=duration, max_cells=int(MAX_WINDOW_SECONDS / CELL_SECONDS))
    rounded = {k: [round(float(x), 4) for x in v] for k, v in signals.items()}
    return Highlights(default_vid(recap), duration, [round(float(x), 4) for x in curve],
                      every[: max(1, top_k)], rounded, windows_all=every)


def select_spans(windows: list[Window], seconds: float, duration: float,
                 min_piece: float = 1.0) -> list[tuple[float, float]]:
    """Best windows first until ``seconds`` are filled (the last trimmed around its start); merged
    and in chronological order."""
    budget = min(float(seconds), duration)
    spans: list[tuple[float, float]] = []
    for w in windows:
        left = budget - sum(e - s for s, e in spans)
        if left < min_piece:
            break
        spans.append((w.start, min(w.end, w.start + left)))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1] + 1e-6:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
