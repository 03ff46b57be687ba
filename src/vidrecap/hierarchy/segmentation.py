"""Split the clip sequence into segments of about ``target`` seconds.

Boundaries fall on clip boundaries and are chosen by dynamic programming: segment lengths stay
near the target, and a boundary costs more inside an utterance (never cut a sentence in half)
and less at a speech pause or a scene cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..results import Cell, Transcript

INSIDE_SENTENCE = 10.0
PAUSE_BONUS = 0.6
CUT_BONUS = 0.4


def boundary_costs(times: Sequence[float], transcript: Transcript, cells: Sequence[Cell]) -> list[float]:
    """Cost of a boundary at each time (lower is better)."""
    spans = sorted((s.start, s.end) for s in transcript.segments)
    cut_times = [c.start for c in cells if c.scene_cut]
    costs = []
    for t in times:
        inside = any(s + 0.05 < t < e - 0.05 for s, e in spans)
        before = max((e for s, e in spans if e <= t + 0.05), default=t - 2.0)
        after = min((s for s, e in spans if s >= t - 0.05), default=t + 2.0)
        pause = min(2.0, max(0.0, t - before) + max(0.0, after - t))
        near_cut = any(abs(t - c) <= 2.0 for c in cut_times)
        costs.append((INSIDE_SENTENCE if inside else 0.0) - PAUSE_BONUS * pause / 2.0 - (CUT_BONUS if near_cut else 0))
    return costs


def segment_clips(clip_bounds: Sequence[tuple[float, float]], transcript: Transcript, cells: Sequence[Cell],
                  target: float = 180.0) -> list[tuple[int, int]]:
    """Segments as ``(first_clip, last_clip_exclusive)`` ranges."""
    n = len(clip_bounds)
    if n == 0:
        return []
    total = clip_bounds[-1][1] - clip_bounds[0][0]
    if total <= target * 1.5:
        return [(0, n)]
    starts = [b[0] for b in clip_bounds] + [clip_bounds[-1][1]]
    cost_at = boundary_costs(starts, transcript, cells)
    lo_len, hi_len = target * 0.5, target * 1.5
    best = [float("inf")] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            length = starts[j] - starts[i]
            if length > hi_len:
                break
            if length < lo_len and j != n:  # only the last segment may be short
                continue
            c = best[i] + ((length - target) / target) ** 2 * 4.0 + (cost_at[j] if j < n else 0.0)
            if c < best[j]:
                best[j], back[j] = c, i
    if best[n] == float("inf"):  # no feasible split (can't happen with hi_len ≥ 2 clips), fall back
        return [(i, min(n, i + max(1, int(target // 4)))) for i in range(0, n, max(1, int(target // 4)))]
    out, j = [], n
    while j > 0:
        out.append((back[j], j))
        j = back[j]
    return out[::-1]
