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

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "found": self.found,
                "confidence": round(self.confidence, 4),
                "citations": [c.as_list() for c in self.citations],
                "evidence": [e.to_dict() for e in self.evidence],
                "backend": self.backend, "dropped_citations": list(self.dropped_citations)}


@dataclass
class Choice:
    """A multiple-choice pick: the chosen option's index and every option's score."""

    index: int
    scores: list[float]
    evidence: list[Evidence] = field(default_factory=list)
