"""Chapters from the segmenter's parts: what a person would call one topic is one chapter.

``segmentation.py`` cuts wherever the content shifts, and a new slide of the same talk is such a
shift. Here adjacent parts whose speech is about the same topic become one chapter, the parts its
sections; a chapter shorter than ``FLOOR`` joins its closer neighbour unless the speech really
changes on both sides. No chapter grows past the segmenter's ceiling, so a long lecture on one
topic still gets chapters of a few minutes.

"About the same topic" is the cosine of the mean speech embeddings of the two parts that meet at
the boundary, after the video's mean speech embedding is taken out of every row: MiniLM gives all
spoken instructions a large common component (unrelated topics' means reach 0.45 raw), which says
nothing about whether two parts share a topic (centred: same-topic halves 0.37-0.65, different
topics at most 0.26 on the twelve test topics). Comparing the parts at the boundary, not the
growing chapters' means, keeps a merged chapter from drifting towards every neighbour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

SAME_TOPIC = 0.3  # centred mean speech embeddings at least this close: the same topic
CHANGED = 0.2  # a short chapter less close than this to both neighbours is a real change and stays
FLOOR = 30.0  # seconds: a shorter chapter needs a real change of content to stand alone

Part = tuple[int, int]  # clips [first, stop)


class _Speech:
    """Per part, the sum of its non-zero speech embedding rows, the video's mean taken out."""

    def __init__(self, parts: Sequence[Part], cells_of: Sequence[Sequence[int]],
                 embeddings: Mapping[str, np.ndarray], n_cells: int):
        x = embeddings.get("speech")
        self.ok = x is not None and len(x) == n_cells
        if self.ok:
            x = np.asarray(x, np.float32)
            spoken = np.linalg.norm(x, axis=1) > 0
            x = np.where(spoken[:, None], x - (x[spoken].mean(0) if spoken.any() else 0.0), 0.0)
        self.sums = []
        for a, b in parts:
            rows = x[[i for k in range(a, b) for i in cells_of[k]]] if self.ok else None
            rows = rows[np.linalg.norm(rows, axis=1) > 0] if rows is not None and len(rows) else None
            self.sums.append(rows.sum(0) if rows is not None and len(rows) else None)

    def similarity(self, g: Sequence[int], h: Sequence[int]) -> float | None:
        """Of the parts where ``g`` (before) and ``h`` (after) meet; None when one has no speech."""
        first, second = (g, h) if g[0] < h[0] else (h, g)
        a, b = self.sums[first[-1]], self.sums[second[0]]
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
