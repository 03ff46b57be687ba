"""Diarization error rate and word-level speaker accuracy.

DER follows the NIST RT / ``md-eval`` definition: (missed speech + false alarm + speaker confusion)
/ total reference speech, scored on a 10 ms grid, with a no-score collar of ``collar`` seconds on
each side of every reference turn boundary (0.25 s, the usual setting) and the one-to-one mapping
of hypothesis to reference speakers that maximises their overlap (Hungarian). Overlapping
reference speech counts once per speaker, as in md-eval.

Word accuracy: each hypothesis word's reference speaker is the one speaking at its midpoint;
after the same kind of optimal one-to-one mapping (on word counts), the share of those words whose
speaker maps to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

STEP = 0.01
NEAR = 0.5  # a word this close to a reference turn (ASR times drift into pauses) belongs to it

Turn = tuple[str, float, float]  # (speaker, start, end)


@dataclass
class DERResult:
    der: float
    missed: float  # seconds
    false_alarm: float
    confusion: float
    total: float  # scored reference speech, seconds


def _grid(turns: Sequence[Turn], speakers: list[str], n: int) -> np.ndarray:
    g = np.zeros((n, len(speakers)), bool)
    for who, s, e in turns:
        g[int(round(s / STEP)):int(round(e / STEP)), speakers.index(who)] = True
    return g


def _best_mapping(overlap: np.ndarray) -> dict[int, int]:
    """hypothesis index -> reference index maximising the summed overlap (one-to-one)."""
    from scipy.optimize import linear_sum_assignment

    if overlap.size == 0:
        return {}
    rows, cols = linear_sum_assignment(-overlap)
    return {int(c): int(r) for r, c in zip(rows, cols, strict=True) if overlap[r, c] > 0}


def der(reference: Sequence[Turn], hypothesis: Sequence[Turn], collar: float = 0.25) -> DERResult:
    end = max([e for _, _, e in [*reference, *hypothesis]], default=0.0)
    n = int(round(end / STEP)) + 1
    refs, hyps = sorted({t[0] for t in reference}), sorted({t[0] for t in hypothesis})
    r, h = _grid(reference, refs, n), _grid(hypothesis, hyps, n)
    scored = np.ones(n, bool)
    c = int(round(collar / STEP))
    for _, s, e in reference:
        for t in (s, e):
            i = int(round(t / STEP))
            scored[max(0, i - c):i + c] = False
    r, h = r[scored], h[scored]
    mapping = _best_mapping(r.T.astype(float) @ h.astype(float))
    n_ref, n_hyp = r.sum(1), h.sum(1)
    mapped = np.zeros(len(r), int)
    for hi, ri in mapping.items():
        mapped += (h[:, hi] & r[:, ri])
    missed = np.maximum(n_ref - n_hyp, 0).sum() * STEP
    false_alarm = np.maximum(n_hyp - n_ref, 0).sum() * STEP
    confusion = (np.minimum(n_ref, n_hyp) - mapped).sum() * STEP
    total = n_ref.sum() * STEP
    return DERResult(float((missed + false_alarm + confusion) / total) if total else 0.0,
                     float(missed), float(false_alarm), float(confusion), float(total))


def word_accuracy(reference: Sequence[Turn], words: Sequence[tuple[str, float, float]]) -> float:
    """Share of ``words`` (speaker, start, end) given the reference speaker at their midpoint, after
    the best one-to-one speaker mapping; words more than ``NEAR`` s from every turn are not counted."""
    pairs = []
    for who, s, e in words:
        mid = (s + e) / 2
        gap, ref = min(((max(t[1] - mid, mid - t[2], 0.0), t[0]) for t in reference), default=(1.0, None))
        if gap <= NEAR:
            pairs.append((ref, who))
    if not pairs:
        return 0.0
    refs, hyps = sorted({p[0] for p in pairs}), sorted({p[1] for p in pairs})
    counts = np.zeros((len(refs), len(hyps)))
    for ref, hyp in pairs:
        counts[refs.index(ref), hyps.index(hyp)] += 1
    mapping = _best_mapping(counts)
    return float(sum(counts[ri, hi] for hi, ri in mapping.items()) / len(pairs))
