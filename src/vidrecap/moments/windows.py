"""Windows that end where their evidence ends: at shot cuts and slide changes, not where a curve fades.

The cells are split into *units* by hard boundaries: a scene cut, or on-screen text that changes
(a new slide, a title appearing or going). A window grows from its peak only inside the peak's unit
while the relevance stays at least ``FRACTION`` of the peak; it takes in a neighbouring unit only
when that whole unit matches almost as well (mean ≥ ``CROSS`` of the peak), so a long matching
stretch over several shots can still be one window. Windows are capped at ``MAX_CELLS`` (150 s,
the longest QVHighlights moment); QVHighlights moments are 16 s at the median and Charades-STA 7 s.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..results import Cell
from .lexical import terms
from .scoring import Window

FRACTION = 0.5
CROSS = 0.75
MAX_CELLS = 75
SAME_TEXT = 0.5  # word-set overlap (Jaccard) at or above which on-screen text counts as unchanged


def evidence_bounds(cells: Sequence[Cell]) -> np.ndarray:
    """``bounds[i]`` is True where a unit starts at cell ``i`` (length ``n + 1``; both ends True)."""
    n = len(cells)
    bounds = np.zeros(n + 1, bool)
    bounds[0] = bounds[n] = True
    words = [set(terms(c.on_screen)) for c in cells]
    for i in range(1, n):
        bounds[i] = cells[i].scene_cut or _overlap(words[i - 1], words[i]) < SAME_TEXT
    return bounds


def pooled_by_unit(matrix: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each non-zero row plus the mean of its unit's non-zero rows, re-normalised: a frame's noisy
    labels are steadied by the rest of its shot (what the whole shot shows counts twice)."""
    out = np.asarray(matrix, np.float32).copy()
    starts = np.flatnonzero(bounds)
    for lo, hi in zip(starts[:-1], starts[1:], strict=True):
        rows = out[lo:hi]
        present = np.abs(rows).sum(1) > 0
        if present.any():
            rows[present] += rows[present].mean(0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.where(norms > 0, out / np.maximum(norms, 1e-12), 0.0).astype(np.float32)


def _overlap(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def bounded_windows(curve: np.ndarray, scores: np.ndarray, bounds: np.ndarray, limit: int,
                    cell: float = 2.0, duration: float | None = None, fraction: float = FRACTION,
                    cross: float = CROSS, max_cells: int = MAX_CELLS) -> list[Window]:
    """The ``limit`` best windows grown from the highest uncovered peaks of ``curve`` inside their
    evidence units; each scored by the max and mean of ``scores`` inside it."""
    n = len(curve)
    duration = n * cell if duration is None else duration
    starts = np.flatnonzero(bounds[:n])
    unit_of = np.searchsorted(starts, np.arange(n), side="right") - 1
    edges = [*starts.tolist(), n]
    covered = np.zeros(n, bool)
    windows: list[Window] = []
    for peak in np.argsort(-curve, kind="stable"):
        if len(windows) >= limit:
            break
        if covered[peak]:
            continue
        lo, hi = _grow(curve, covered, int(peak), unit_of, edges, fraction, cross, max_cells)
        covered[lo:hi] = True
        inside = scores[lo:hi]
        score = 0.5 * float(inside.max()) + 0.5 * float(inside.mean())
        windows.append(Window(round(lo * cell, 3), round(min(hi * cell, duration), 3), round(score, 4)))
    return sorted(windows, key=lambda w: (-w.score, w.start))


def _grow(curve, covered, peak, unit_of, edges, fraction, cross, max_cells) -> tuple[int, int]:
    top = float(curve[peak])
    threshold = fraction * top
    lo, hi = peak, peak + 1
    allowed_lo, allowed_hi = edges[unit_of[peak]], edges[unit_of[peak] + 1]
    while hi - lo < max_cells:
        left = curve[lo - 1] if lo > allowed_lo and not covered[lo - 1] else -np.inf
        right = curve[hi] if hi < allowed_hi and not covered[hi] else -np.inf
        if max(left, right) >= threshold:
            if left >= right:
                lo -= 1
            else:
                hi += 1
            continue
        # the unit is exhausted: take in a whole neighbouring unit only if it matches as a whole
        grew = False
        if hi == allowed_hi and hi < len(curve) and not covered[hi]:
            nxt = unit_of[hi]
            if float(curve[edges[nxt]:edges[nxt + 1]].mean()) >= cross * top:
                stop = min(edges[nxt + 1], lo + max_cells)
                free = np.flatnonzero(covered[hi:stop])
                allowed_hi = hi = hi + (int(free[0]) if len(free) else stop - hi)
                grew = True
        if lo == allowed_lo and lo > 0 and not covered[lo - 1] and hi - lo < max_cells:
            prev = unit_of[lo - 1]
            if float(curve[edges[prev]:edges[prev + 1]].mean()) >= cross * top:
                start = max(edges[prev], hi - max_cells)
                taken = np.flatnonzero(covered[start:lo])
                allowed_lo = lo = start + (int(taken[-1]) + 1 if len(taken) else 0)
                grew = True
        if not grew:
            break
    return lo, hi
