"""Split the clip sequence into segments (chapters); boundaries fall on clip boundaries.

Two modes, recorded in ``recap.json`` as ``options.segmentation``:

- ``content`` (default): a boundary where the content changes — what is said shifts (speech
  embeddings of the windows before and after), a new slide or on-screen title appears, the scene
  cuts to something that looks different, the speaker pauses. Dynamic programming keeps every
  boundary whose evidence pays its price; the target length is only a soft preference for long
  stretches and ``CEILING × target`` a hard ceiling, so twelve 90-second topics give twelve
  chapters and one long lecture still gets chapters of a few minutes.
- ``fixed``: the published Video ReCap setting, segments of about ``target`` seconds, boundaries
  nudged to pauses and scene cuts.

Either way a boundary never cuts an utterance in half.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..results import CELL_SECONDS, Cell, Transcript
from ..text.salience import content_tokens

MODES = ("content", "fixed")

INSIDE_SENTENCE = 10.0
PAUSE_BONUS = 0.6
CUT_BONUS = 0.4

# content mode
WINDOW = 12.0  # seconds of evidence on each side of a candidate boundary
PRICE = 0.55  # evidence a boundary must bring to be worth a chapter
SPEECH_SAME, SPEECH_NEW = 0.55, 0.85  # speech shift (1 - cosine) read as "same topic" .. "new topic"
VISUAL_SAME, VISUAL_NEW = 0.1, 0.35  # visual shift (1 - cosine) across a scene cut: same .. different
PEAK_REACH = 8.0  # seconds within which only the largest speech shift counts
CUT_COST, CUT_CAP = 0.5, 2.0  # per second of an utterance cut off (the 4 s grid often must), up to 2 s
SHORTEST = 12.0  # no chapter shorter than this, unless the video is
CEILING = 1.5  # × target: no chapter longer
LONG_PULL = 1.2  # weight of the pull towards the target for chapters longer than it
SOFT_SHORTEST, SHORT_PUSH = 60.0, 0.3  # chapters shorter than min(60 s, target / 3) need stronger evidence


@dataclass
class BoundaryEvidence:
    """Why a boundary at ``time`` would be a content change; each signal is 0..1."""

    time: float
    speech: float = 0.0  # 1 - cosine of the speech before and after
    on_screen: float = 0.0  # a new slide / title appears
    visual: float = 0.0  # a scene cut to something that looks different
    pause: float = 0.0  # the longest silence near the boundary, as 0..1
    cut: float = 0.0  # seconds of an utterance the boundary would cut off (the shorter side)
    peak: bool = True  # ``speech`` is the largest shift nearby (one change of topic counts once)

    @property
    def score(self) -> float:
        visual = self.visual * (0.5 if 0.0 < self.speech < SPEECH_SAME else 1.0)
        said = _ramp(self.speech, SPEECH_SAME, SPEECH_NEW) if self.peak else 0.0
        return (1.6 * said + 0.8 * self.on_screen + 0.5 * visual + 0.3 * self.pause
                - CUT_COST * min(CUT_CAP, self.cut))


def _ramp(x: float, lo: float, hi: float) -> float:
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


def utterance_spans(transcript: Transcript) -> list[tuple[float, float]]:
    return sorted((s.start, s.end) for s in transcript.segments)


def pause_at(t: float, spans: Sequence[tuple[float, float]]) -> tuple[bool, float]:
    """Whether ``t`` falls inside an utterance, and the silence around it (seconds, ≤ 2)."""
    inside = any(s + 0.05 < t < e - 0.05 for s, e in spans)
    before = max((e for s, e in spans if e <= t + 0.05), default=t - 2.0)
    after = min((s for s, e in spans if s >= t - 0.05), default=t + 2.0)
    return inside, min(2.0, max(0.0, t - before) + max(0.0, after - t))


def longest_gap_near(t: float, words: Sequence[tuple[float, float]], reach: float = 2.5,
                     starts: Sequence[float] | None = None) -> float:
    """The longest silence between consecutive words (sorted) that overlaps ``[t - reach, t + reach]``."""
    starts = starts if starts is not None else [w[0] for w in words]
    best = 0.0
    for i in range(max(1, bisect_left(starts, t - reach)), len(words)):
        a_end, b_start = words[i - 1][1], words[i][0]
        if a_end > t + reach:
            break
        best = max(best, b_start - a_end)
    return best


def cut_seconds(t: float, spans: Sequence[tuple[float, float]], longest: float = 60.0) -> float:
    """How much of an utterance (``spans`` sorted, none longer than ``longest``) a boundary at ``t``
    separates from the rest of it."""
    best = 0.0
    for s, e in spans[bisect_left(spans, (t - longest,)):bisect_left(spans, (t,))]:
        if s < t < e:
            best = max(best, min(t - s, e - t))
    return best


def boundary_costs(times: Sequence[float], transcript: Transcript, cells: Sequence[Cell]) -> list[float]:
    """Fixed mode: cost of a boundary at each time (lower is better)."""
    spans = utterance_spans(transcript)
    cut_times = [c.start for c in cells if c.scene_cut]
    costs = []
    for t in times:
        inside, pause = pause_at(t, spans)
        near_cut = any(abs(t - c) <= 2.0 for c in cut_times)
        costs.append((INSIDE_SENTENCE if inside else 0.0) - PAUSE_BONUS * pause / 2.0 - (CUT_BONUS if near_cut else 0))
    return costs


def segment_clips(clip_bounds: Sequence[tuple[float, float]], transcript: Transcript, cells: Sequence[Cell],
                  target: float = 180.0, mode: str = "content",
                  embeddings: Mapping[str, np.ndarray] | None = None) -> list[tuple[int, int]]:
    """Segments as ``(first_clip, last_clip_exclusive)`` ranges."""
    if mode not in MODES:
        raise ValueError(f"unknown segmentation mode {mode!r} (known: {', '.join(MODES)})")
    if not clip_bounds:
        return []
    if mode == "fixed":
        return _fixed(clip_bounds, transcript, cells, target)
    evidence = boundary_evidence([b[0] for b in clip_bounds[1:]], transcript, cells, embeddings or {})
    return _by_content(clip_bounds, evidence, target)


def _fixed(clip_bounds, transcript, cells, target) -> list[tuple[int, int]]:
    n = len(clip_bounds)
    total = clip_bounds[-1][1] - clip_bounds[0][0]
    if total <= target * 1.5:
        return [(0, n)]
    starts = [b[0] for b in clip_bounds] + [clip_bounds[-1][1]]
    cost_at = boundary_costs(starts, transcript, cells)

    def segment_cost(i: int, j: int) -> float:
        length = starts[j] - starts[i]
        if length > target * 1.5 or (length < target * 0.5 and j != n):  # only the last may be short
            return float("inf")
        return ((length - target) / target) ** 2 * 4.0 + (cost_at[j] if j < n else 0.0)

    return _best_split(starts, segment_cost, target * 1.5)


def _by_content(clip_bounds, evidence: Sequence[BoundaryEvidence], target: float) -> list[tuple[int, int]]:
    n = len(clip_bounds)
    starts = [b[0] for b in clip_bounds] + [clip_bounds[-1][1]]
    total = starts[-1] - starts[0]
    ceiling = max(target * CEILING, 2 * SHORTEST)
    shortest = min(SHORTEST, total / 2)
    soft_shortest = min(SOFT_SHORTEST, target / 3)
    # a boundary's cost: its price minus its evidence (which counts cutting an utterance against it)
    cost_at = [0.0] + [PRICE - e.score for e in evidence]

    def segment_cost(i: int, j: int) -> float:
        length = starts[j] - starts[i]
        if length < shortest - 1e-6 and not (i == 0 and j == n):
            return float("inf")
        over = max(0.0, length - target) / target
        under = max(0.0, 1.0 - length / soft_shortest) if not (i == 0 and j == n) else 0.0
        return LONG_PULL * over * over + SHORT_PUSH * under * under + (cost_at[j] if j < n else 0.0)

    return _best_split(starts, segment_cost, ceiling)


def _best_split(starts: Sequence[float], segment_cost, longest: float) -> list[tuple[int, int]]:
    """Dynamic programming over clip boundaries; ``segment_cost(i, j)`` for clips ``[i, j)``."""
    n = len(starts) - 1
    best = [float("inf")] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if starts[j] - starts[i] > longest and i < j - 1:
                break
            c = best[i] + segment_cost(i, j)
            if c < best[j]:
                best[j], back[j] = c, i
    if best[n] == float("inf"):  # nothing feasible (a video shorter than the shortest chapter)
        return [(0, n)]
    out, j = [], n
    while j > 0:
        out.append((back[j], j))
        j = back[j]
    return out[::-1]


def boundary_evidence(times: Sequence[float], transcript: Transcript, cells: Sequence[Cell],
                      embeddings: Mapping[str, np.ndarray]) -> list[BoundaryEvidence]:
    """The evidence for a chapter boundary at each of ``times``."""
    spans = utterance_spans(transcript)
    words = sorted((w.start, w.end) for w in transcript.words())
    word_starts = [w[0] for w in words]
    speech = _channel(embeddings, "speech", cells)
    visual = _channel(embeddings, "visual", cells)
    texts = [frozenset(content_tokens(c.on_screen)) for c in cells]
    out = []
    for t in times:
        k = int(round(t / CELL_SECONDS))  # first cell after the boundary
        w = max(1, int(round(WINDOW / CELL_SECONDS)))
        gap = longest_gap_near(t, words, starts=word_starts)
        ev = BoundaryEvidence(time=t, pause=_ramp(gap, 0.6, 1.5), cut=cut_seconds(t, spans))
        if speech is not None:
            ev.speech = _shift(speech[max(0, k - w):k], speech[k:k + w])
        ev.on_screen = _new_text(texts, k)
        if visual is not None:
            cut = any(c.scene_cut for c in cells[max(0, k - 1):k + 1])
            vw = max(1, w // 2)
            shift = _shift(visual[max(0, k - vw):k], visual[k:k + vw])
            ev.visual = _ramp(shift, VISUAL_SAME, VISUAL_NEW) if cut else 0.0
        out.append(ev)
    _mark_peaks(out)
    return out


def _mark_peaks(evidence: Sequence[BoundaryEvidence]) -> None:
    """Keep the speech evidence only where the shift is the largest within ±PEAK_REACH seconds.

    Across a silence every candidate compares the same speech before and after; without this,
    one change of topic would pay for several boundaries (and leave a chapter with no speech).
    """
    for k, e in enumerate(evidence):
        for j in range(k - 1, -1, -1):
            if e.time - evidence[j].time > PEAK_REACH:
                break
            if evidence[j].speech >= e.speech:
                e.peak = False
        for j in range(k + 1, len(evidence)):
            if evidence[j].time - e.time > PEAK_REACH or not e.peak:
                break
            if evidence[j].speech > e.speech:
                e.peak = False


def _channel(embeddings: Mapping[str, np.ndarray], name: str, cells: Sequence[Cell]) -> np.ndarray | None:
    x = embeddings.get(name)
    if x is None or len(x) != len(cells):
        return None
    return np.asarray(x, np.float32)


def _shift(before: np.ndarray, after: np.ndarray) -> float:
    """1 - cosine of the mean non-zero rows on each side; 0 when a side has nothing."""
    a = before[np.linalg.norm(before, axis=1) > 0] if len(before) else before
    b = after[np.linalg.norm(after, axis=1) > 0] if len(after) else after
    if len(a) == 0 or len(b) == 0:
        return 0.0
    ma, mb = a.mean(0), b.mean(0)
    denom = float(np.linalg.norm(ma) * np.linalg.norm(mb)) or 1.0
    return float(1.0 - float(ma @ mb) / denom)


def _new_text(texts: Sequence[frozenset[str]], k: int, look: int = 2) -> float:
    """1 when on-screen text not shown in the few cells before it appears within a cell or two of ``k``."""
    for m in range(max(0, k - 1), min(len(texts), k + look)):
        if not texts[m]:
            continue
        before = [t for t in texts[max(0, m - 6):m] if t]
        previous = before[-1] if before else frozenset()
        if not previous or len(texts[m] & previous) / len(texts[m] | previous) < 0.5:
            return 1.0
    return 0.0
