"""``[m:ss]`` citations in a generated answer, checked against the evidence the model was shown.

A cited time is kept when it falls inside (or within ``TOLERANCE`` s of) a piece of evidence; the
stamp then becomes a citation of that evidence. Any other stamp was invented and is removed from the
text. Ranges (``[1:02-1:10]``) are checked by their start.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .evidence import Evidence

TOLERANCE = 1.0  # seconds: a stamp shows whole seconds, rounded down
_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}"
STAMP = re.compile(rf"\[\s*({_TIME})(?:\s*[-–]\s*({_TIME}))?\s*\]")


@dataclass(frozen=True)
class Citation:
    """A cited moment ``[start, end]`` (seconds) and the evidence text there."""

    start: float
    end: float
    text: str

    def as_list(self) -> list[Any]:
        return [round(self.start, 3), round(self.end, 3), self.text]


@dataclass
class CheckedAnswer:
    """A generated answer with its invented stamps removed."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # the invented stamps, as written


def seconds(stamp: str) -> float:
    """``m:ss`` / ``h:mm:ss`` as seconds."""
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return float(total)


def stamp(t: float) -> str:
    """``[m:ss]`` (or ``[h:mm:ss]``) for a time in seconds."""
    s = int(max(0.0, t))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"[{h}:{m:02d}:{sec:02d}]" if h else f"[{m}:{sec:02d}]"


def supporting(t: float, evidence: Sequence[Evidence]) -> Evidence | None:
    """The best-scoring evidence around time ``t``, or ``None``."""
    around = [e for e in evidence if e.start - TOLERANCE <= t <= e.end + TOLERANCE]
    return max(around, key=lambda e: (e.score, -abs(e.start - t)), default=None)


def check_citations(text: str, evidence: Sequence[Evidence]) -> CheckedAnswer:
    """Keep stamps backed by ``evidence`` (as citations, in order, no repeats), drop the others."""
    citations: list[Citation] = []
    dropped: list[str] = []

    def keep_or_drop(match: re.Match) -> str:
        found = supporting(seconds(match.group(1)), evidence)
        if found is None:
            dropped.append(match.group(0))
            return ""
        cite = Citation(found.start, found.end, found.text)
        if cite not in citations:
            citations.append(cite)
        return match.group(0)

    cleaned = STAMP.sub(keep_or_drop, text)
    cleaned = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip()
    cleaned = re.sub(r"\(\s*\)", "", cleaned).strip()
    return CheckedAnswer(cleaned, citations, dropped)
