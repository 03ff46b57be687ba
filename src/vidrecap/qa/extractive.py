"""The embedded answerer: the best evidence itself, quoted with its time; options scored by support."""

from __future__ import annotations

from collections.abc import Sequence

from . import choices
from .answer import NOT_FOUND, Answer, Choice
from .citations import Citation, stamp
from .evidence import Evidence, EvidenceFinder, Retrieval

FOUND = 0.5  # best evidence score needed to answer (calibrated: ≈0 at chance)
COMPANION = 0.85  # a second piece joins the answer when it scores this share of the best ...
NEAR = 8.0  # ... and lies within this many seconds of it
SOURCE_WORDS = {"speech": "Said", "on_screen": "Shown on screen", "caption": "Seen", "sounds": "Heard",
                "faces": "Seen", "objects": "Seen", "picture": "Seen"}


def extractive_answer(question: str, retrieval: Retrieval, found: float = FOUND) -> Answer:
    """Quote the best evidence (plus a close companion from another source) with ``[m:ss]`` times."""
    evidence = retrieval.evidence
    if not evidence or retrieval.best < found:
        return Answer(question, NOT_FOUND, False, retrieval.best, [], evidence)
    used = [evidence[0], *companions(evidence)]
    parts = [f"{SOURCE_WORDS[e.source]} at {stamp(e.start)}: \u201c{e.text.strip()}\u201d" for e in used]
    citations = [Citation(e.start, e.end, e.text) for e in used]
    return Answer(question, " ".join(_sentence(p) for p in parts), True, retrieval.best, citations, evidence)


def companions(evidence: Sequence[Evidence]) -> list[Evidence]:
    """At most one more piece: another source, nearly as relevant, close in time to the best."""
    best = evidence[0]
    for e in evidence[1:]:
        close = e.start <= best.end + NEAR and e.end >= best.start - NEAR
        if e.source != best.source and close and e.score >= COMPANION * best.score:
            return [e]
    return []


def _sentence(text: str) -> str:
    """End with a full stop unless the text (or the quotation it ends with) already does."""
    return text if text.rstrip("\u201d").endswith((".", "!", "?")) else text + "."


def choose_option(finder: EvidenceFinder, question: str, options: Sequence[str]) -> Choice:
    """Each option scored as a statement against its best evidence (``qa.choices``)."""
    return choices.choose_option(finder, question, options)
