"""Result types of ``vidrecap.ask``: an answer with cited times, and a multiple-choice pick."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .citations import Citation
from .evidence import Evidence

NOT_FOUND = "Not found in this video."


@dataclass
class Answer:
    """The answer to one question about a video (schema: docs/ask.md).

    ``found`` is false when nothing in the video is clearly relevant (``answer`` is then
    ``NOT_FOUND``); ``confidence`` is the best evidence's calibrated relevance in ``[0, 1]``.
    """

    question: str
    answer: str
    found: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    backend: str = "embedded"
    dropped_citations: list[str] = field(default_factory=list)  # invented stamps removed from the text
    missing: list[str] = field(default_factory=list)  # parts of the question not found in the video

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "found": self.found,
                "confidence": round(self.confidence, 4),
                "citations": [c.as_list() for c in self.citations],
                "evidence": [e.to_dict() for e in self.evidence],
                "backend": self.backend, "dropped_citations": list(self.dropped_citations),
                "missing": list(self.missing)}


@dataclass
class Choice:
    """A multiple-choice pick: the chosen option's index, every option's score, the evidence that
    decided each option (``None`` when nothing supports it) and why (``notes``: "number confirmed",
    "warned against", ...). ``citations`` back the pick: the deciding evidence, or the stamps a chat
    model cited and the check kept."""

    index: int
    scores: list[float]
    evidence: list[Evidence] = field(default_factory=list)
    decided_by: list[Evidence | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    backend: str = "embedded"

    def __post_init__(self) -> None:
        if not self.citations and self.decided_by and 0 <= self.index < len(self.decided_by):
            e = self.decided_by[self.index]
            self.citations = [Citation(e.start, e.end, e.text)] if e is not None else []

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "scores": list(self.scores),
                "decided_by": [e.to_dict() if e is not None else None for e in self.decided_by],
                "notes": list(self.notes), "citations": [c.as_list() for c in self.citations],
                "backend": self.backend}
