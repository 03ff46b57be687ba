"""Chapters from the segmenter's parts: what a person would call one topic is one chapter.

``segmentation.py`` cuts wherever the content shifts, and a new slide of the same talk is such a
shift. Here adjacent parts whose speech is about the same topic (cosine of their mean speech
embeddings) become one chapter, the parts its sections; a chapter shorter than ``FLOOR`` joins its
closer neighbour unless the speech really changes on both sides. No chapter grows past the
segmenter's ceiling, so a long lecture on one topic still gets chapters of a few minutes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

SAME_TOPIC = 0.5  # mean speech embeddings at least this close: the same topic
CHANGED = 0.35  # a short chapter this far from both neighbours is a real change and stays
FLOOR = 45.0  # seconds: a shorter chapter needs a real change of content to stand alone

Part = tuple[int, int]  # clips [first, stop)


class _Speech:
    """Sums of the non-zero speech embedding rows per part, so a group's mean is cheap."""

    def __init__(self, parts: Sequence[Part], cells_of: Sequence[Sequence[int]],
                 embeddings: Mapping[str, np.ndarray], n_cells: int):
        x = embeddings.get("speech")
        self.ok = x is not None and len(x) == n_cells
        self.sums, self.counts = [], []
        for a, b in parts:
            rows = np.asarray(x, np.float32)[[i for k in range(a, b) for i in cells_of[k]]] if self.ok else None
            rows = rows[np.linalg.norm(rows, axis=1) > 0] if rows is not None and len(rows) else None
            self.sums.append(rows.sum(0) if rows is not None and len(rows) else None)
            self.counts.append(len(rows) if rows is not None else 0)

    def total(self, group: Sequence[int]) -> np.ndarray | None:
        vecs = [self.sums[k] for k in group if self.sums[k] is not None]
        return np.sum(vecs, axis=0) if vecs else None

    def similarity(self, g: Sequence[int], h: Sequence[int]) -> float | None:
        a, b = self.total(g), self.total(h)
        if a is None or b is None:
            return None
        return float(a @ b / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))


def group_parts(parts: Sequence[Part], starts: Sequence[float], ends: Sequence[float],
                cells_of: Sequence[Sequence[int]], embeddings: Mapping[str, np.ndarray], n_cells: int,
                ceiling: float) -> list[list[int]]:
    """Chapters as lists of part indices (consecutive), from parts ``[first_clip, stop_clip)``;
    ``starts`` / ``ends`` are the clips' times, ``cells_of`` each clip's cells."""
    speech = _Speech(parts, cells_of, embeddings, n_cells)
    groups = [[k] for k in range(len(parts))]

    def length(g: Sequence[int]) -> float:
        return ends[parts[g[-1]][1] - 1] - starts[parts[g[0]][0]]

    def fits(i: int) -> bool:
        return length(groups[i] + groups[i + 1]) <= ceiling + 1e-6

    while len(groups) > 1:  # the closest adjacent pair about the same topic, first
        sims = [(speech.similarity(groups[i], groups[i + 1]), i) for i in range(len(groups) - 1) if fits(i)]
        sims = [(s, i) for s, i in sims if s is not None and s >= SAME_TOPIC]
        if not sims:
            break
        _, i = max(sims)
        groups[i:i + 2] = [groups[i] + groups[i + 1]]
    total = length(list(range(len(parts)))) if parts else 0.0
    changed = True
    while changed and len(groups) > 1 and total > 2 * FLOOR:
        changed = False
        for i, g in enumerate(groups):
            if length(g) >= FLOOR:
                continue
            near = [(j, speech.similarity(g, groups[j])) for j in (i - 1, i + 1) if 0 <= j < len(groups)]
            near = [(j, s) for j, s in near if length(g + groups[j]) <= ceiling + 1e-6]
            if not near or all(s is not None and s < CHANGED for _, s in near):
                continue  # the content really changes on both sides (or nothing may grow)
            j = max(near, key=lambda js: (js[1] if js[1] is not None else -1.0, -length(groups[js[0]])))[0]
            lo, hi = min(i, j), max(i, j)
            groups[lo:hi + 1] = [groups[lo] + groups[hi]]
            changed = True
            break
    return groups
