"""Multiple choice: each option read as a statement and checked against the best evidence for it.

For every option, the evidence pool is what the question retrieves plus what "question + option"
retrieves (headings left out: "Crossing Safely" names the topic, it states nothing an option could
agree with); each piece is weighted by its relevance to the question. An option's support by one piece
is its match (calibrated cosine or-ed with its word coverage, numbers and units normalised) changed by
two rules, then the best piece decides:

- **numbers**: an option naming a quantity is confirmed by a piece stating the same value and unit
  ("fifteen" = "15", "$95" = "ninety-five dollars", "half past four" = "4:30") and contradicted by a
  piece stating another (numbers the question itself gives are context, not answers);
- **warnings**: an option that repeats what a piece warns against ("never pour boiling water onto the
  grounds") is not the thing recommended, unless the question asks what to avoid or the option itself
  advises against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..moments import scoring
from ..moments.lexical import terms
from ..text.negation import advises_against, asks_what_to_avoid, split_warning
from ..text.numbers import Quantity, asked_unit, quantities
from .answer import Choice
from .evidence import Evidence, EvidenceFinder, word_coverage

POOL_QUESTION, POOL_STATEMENT = 10, 4  # pieces taken from the question's and each statement's retrieval
CONFIRMED = 0.2  # an option's number confirmed by the piece: the match's miss is cut to this share
CONTRADICTED = 0.3  # ... contradicted: the match is kept at this share
UNSTATED = 0.6  # ... the piece states no number: kept at this share
WARNED = 0.2  # an option repeating what the piece warns against keeps this share of its match
WARNING_MARGIN = 0.05  # it must lean this much more to the warned clause than to the rest


@dataclass(frozen=True)
class Support:
    """How one piece of evidence bears on one option."""

    score: float
    evidence: Evidence | None
    note: str = ""  # "number confirmed", "number contradicted", "warned against", ...


def choose_option(finder: EvidenceFinder, question: str, options: Sequence[str]) -> Choice:
    """Score each option as a statement against its best evidence; the highest wins."""
    pool = _pool(finder, question, options)
    weights = np.array([e.score for e in pool], np.float64)
    weights = weights / max(float(weights.max()), 1e-6) if len(weights) else weights
    vectors = finder.embed([e.text for e in pool]) if pool else None
    option_vectors = finder.embed([_own_words(o, question) for o in options])
    given = quantities(question)
    avoid = asks_what_to_avoid(question)
    best: list[Support] = []
    for k, option in enumerate(options):
        top = Support(0.0, None)
        for j, piece in enumerate(pool):
            cos = float(vectors[j] @ option_vectors[k])
            match, note = _support(finder, question, option, piece, cos, option_vectors[k], given, avoid)
            if weights[j] * match > top.score:
                top = Support(round(float(weights[j] * match), 4), piece, note)
        best.append(top)
    scores = [s.score for s in best]
    index = int(np.argmax(scores)) if scores else 0
    return Choice(index, scores, pool, [s.evidence for s in best], [s.note for s in best])


def _pool(finder: EvidenceFinder, question: str, options: Sequence[str]) -> list[Evidence]:
    """The question's evidence and each "question + option" statement's, scored against the question."""
    spans = finder.find(question, limit=POOL_QUESTION).clips
    ids = set(finder.inside(spans))
    for option in options:
        ids.update(finder.inside(finder.find(f"{question} {option}", limit=POOL_STATEMENT).clips))
    ranked = finder.rank(question, list(ids))
    statements = [e for e in ranked if not e.heading]  # a heading names the topic, it states nothing
    return (statements or ranked)[: POOL_QUESTION + POOL_STATEMENT * len(options)]


def _support(finder: EvidenceFinder, question: str, option: str, piece: Evidence, cos: float,
             option_vector: np.ndarray, given: list[Quantity], avoid: bool) -> tuple[float, str]:
    dense = float(finder.calibrated(piece.source, np.array([cos]))[0])
    words = word_coverage(finder.index.lexical, _own_words(option, question), piece.text)
    match = 1.0 - (1.0 - dense) * (1.0 - scoring.LEXICAL_WEIGHT * words)
    match, note = _numbers(option, piece.text, given, match, asked_unit(question))
    if _repeats_warning(finder, option, piece.text, option_vector) and not advises_against(option):
        return (match, "the option is what the video warns against") if avoid else \
            (match * WARNED, "warned against")
    return match, note


def _own_words(option: str, question: str) -> str:
    """The option without the words the question already says (its context, not its answer):
    "dark clothes" for "what should you wear after dark?" is matched as "clothes"."""
    asked = set(terms(question))
    own = [w for w in option.split() if not (terms(w) and set(terms(w)) <= asked)]
    return " ".join(own) if own else option


def _numbers(option: str, text: str, given: list[Quantity], match: float, unit: str = "") -> tuple[float, str]:
    """The number rule: confirmed, contradicted or unstated by ``text``; a bare number takes the unit
    the question asks for ("How many grams ...")."""
    mine = [Quantity(q.value, q.unit or unit) for q in quantities(option)]
    if not mine:
        return match, ""
    stated = [q for q in quantities(text) if not any(q.agrees(g) for g in given)]
    if all(any(m.agrees(s) for s in stated) for m in mine):
        return 1.0 - (1.0 - match) * CONFIRMED, "number confirmed"
    if stated:
        return match * CONTRADICTED, "number contradicted"
    return match * UNSTATED, ""


def _repeats_warning(finder: EvidenceFinder, option: str, text: str, option_vector: np.ndarray) -> bool:
    """Whether ``option`` is closer to a clause ``text`` warns against than to the rest of ``text``."""
    split = split_warning(text)
    if not split.has_warning or not split.rest.strip(" .,;:"):
        return bool(split.has_warning) and _leans(finder, option, " ".join(split.warned), "", option_vector)
    return _leans(finder, option, " ".join(split.warned), split.rest, option_vector)


def _leans(finder: EvidenceFinder, option: str, warned: str, rest: str, option_vector: np.ndarray) -> bool:
    warned_terms, rest_terms = set(terms(warned)), set(terms(rest))
    only_w, only_r = warned_terms - rest_terms, rest_terms - warned_terms
    mine = set(terms(option))
    if not mine:
        return False
    lex_w, lex_r = len(mine & only_w) / len(mine), len(mine & only_r) / len(mine)
    texts = [t for t in (warned, rest) if t.strip()]
    cos = finder.embed(texts) @ option_vector
    cos_w, cos_r = float(cos[0]), float(cos[1]) if len(cos) > 1 else 0.0
    lean_w, lean_r = 0.5 * lex_w + 0.5 * cos_w, 0.5 * lex_r + 0.5 * cos_r
    return lean_w > lean_r + WARNING_MARGIN
