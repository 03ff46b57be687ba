"""Diarization error rate and word-level speaker accuracy.

DER is ``pyannote.metrics``' ``DiarizationErrorRate`` (the NIST RT / ``md-eval`` definition):
(missed speech + false alarm + speaker confusion) / total reference speech, with a no-score
collar of ``collar`` seconds on each side of every reference turn boundary (0.25 s, the usual
setting), the one-to-one hypothesis-to-reference speaker mapping that maximises their overlap,
overlapping reference speech counted once per speaker, scored from 0 s to the last turn's end.

Word accuracy: each hypothesis word's reference speaker is the one speaking at its midpoint;
after the same kind of optimal one-to-one mapping (on word counts), the share of those words whose
speaker maps to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NEAR = 0.5  # a word this close to a reference turn (ASR times drift into pauses) belongs to it

Turn = tuple[str, float, float]  # (speaker, start, end)


@dataclass
class DERResult:
    der: float
    missed: float  # seconds
    false_alarm: float
    confusion: float
    total: float  # scored reference speech, seconds


def _best_mapping(overlap: np.ndarray) -> dict[int, int]:
    """hypothesis index -> reference index maximising the summed overlap (one-to-one)."""
    from scipy.optimize import linear_sum_assignment

    if overlap.size == 0:
        return {}
    rows, cols = linear_sum_assignment(-overlap)
    return {int(c): int(r) for r, c in zip(rows, cols, strict=True) if overlap[r, c] > 0}


def _annotation(turns: Sequence[Turn]):
    from pyannote.core import Annotation, Segment

    out = Annotation()
    for i, (who, s, e) in enumerate(turns):
        if e > s:
            out[Segment(s, e), i] = who
    return out


def der(reference: Sequence[Turn], hypothesis: Sequence[Turn], collar: float = 0.25) -> DERResult:
    """DER of ``hypothesis`` turns against ``reference`` turns (pyannote.metrics, test extra)."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    end = max([e for _, _, e in [*reference, *hypothesis]], default=0.0)
    metric = DiarizationErrorRate(collar=2 * collar, skip_overlap=False)  # pyannote's collar is both sides
    d = metric(_annotation(reference), _annotation(hypothesis), uem=Timeline([Segment(0.0, max(end, 1e-3))]),
               detailed=True)
    return DERResult(float(d["diarization error rate"]), float(d["missed detection"]), float(d["false alarm"]),
                     float(d["confusion"]), float(d["total"]))


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
