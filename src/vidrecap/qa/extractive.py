"""The embedded answerer: the best evidence itself, quoted with its time; options scored by support."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..moments import scoring
from .answer import NOT_FOUND, Answer, Choice
from .citations import Citation, stamp
from .evidence import Evidence, EvidenceFinder, Retrieval, word_coverage

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
    """Score each option by how well it is supported where the question is relevant; pick the best.

    Two views, averaged: the best agreement of the option with one piece of the question's evidence
    (calibrated cosine or-ed with the option's word coverage, weighted by that evidence's relevance),
    and the best cell where both the option and the question are relevant (moment index scores).
    """
    retrieval = finder.find(question, limit=10)
    evidence = retrieval.evidence
    where = retrieval.relevance / max(float(retrieval.relevance.max()), 1e-6)
    weights = np.array([e.score for e in evidence], np.float64)
    weights = weights / max(float(weights.max()), 1e-6) if len(weights) else weights
    vectors = finder.embed([e.text for e in evidence]) if evidence else None
    queries = finder.embed(list(options))  # one batch; the index's scoring below reuses them
    scores = []
    for k, option in enumerate(options):
        support = 0.0
        if evidence:
            cos = vectors @ queries[k]
            for j, e in enumerate(evidence):
                dense = float(finder.calibrated(e.source, np.array([cos[j]]))[0])
                words = word_coverage(finder.index.lexical, option, e.text)
                match = 1.0 - (1.0 - dense) * (1.0 - scoring.LEXICAL_WEIGHT * words)
                support = max(support, weights[j] * match)
        together = float((finder.index.score(option).relevance * where).max())
        scores.append(round(float(0.5 * support + 0.5 * together), 4))
    return Choice(int(np.argmax(scores)), scores, evidence)
