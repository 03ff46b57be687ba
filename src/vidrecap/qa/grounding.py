"""Holding a chat model's answer to its evidence.

An answer is published only when it cites at least one piece of the evidence it was shown (checked
stamps, ``citations.py``) and every number and name in it occurs in the evidence it cites (or in the
question). ``problems`` lists what is wrong, to ask the model once more; ``confidence`` comes from the
cited evidence's calibrated scores and the share of stamps that checked out, never from the model's
wording.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..text.numbers import normalize_numbers, quantities
from .citations import CheckedAnswer
from .evidence import Evidence

_NAME = re.compile(r"\b[A-Z][a-z]+\b")
COMMON_CAPITALS = {"I", "The", "A", "An", "It", "This", "That", "These", "Those", "In", "At", "On", "Said",
                   "Shown", "Seen", "Heard", "Yes", "No", "Not", "Found", "Video", "Answer"}


def cited_evidence(checked: CheckedAnswer, evidence: Sequence[Evidence]) -> list[Evidence]:
    """The evidence pieces the answer's kept citations point to."""
    spans = {(c.start, c.end, c.text) for c in checked.citations}
    return [e for e in evidence if (e.start, e.end, e.text) in spans]


def problems(checked: CheckedAnswer, evidence: Sequence[Evidence], question: str) -> list[str]:
    """Why ``checked`` may not be published: no valid citation, numbers or names the cited evidence
    does not contain."""
    out: list[str] = []
    if not checked.citations:
        out.append("it cites no [m:ss] time from the evidence" if not checked.dropped else
                   f"its times {', '.join(checked.dropped)} are not in the evidence")
        return out
    source = " ".join(e.text for e in cited_evidence(checked, evidence))
    numbers = unsupported_numbers(checked.text, source, question)
    if numbers:
        out.append(f"the numbers {', '.join(numbers)} are not in the evidence it cites")
    names = unsupported_names(checked.text, source, question)
    if names:
        out.append(f"the names {', '.join(names)} are not in the evidence it cites")
    return out


def unsupported_numbers(answer: str, source: str, question: str = "") -> list[str]:
    """Values in ``answer`` (stamps left out) that neither ``source`` nor ``question`` states."""
    text = re.sub(r"\[[^\]]*\]", " ", answer)
    known = {q.value for q in quantities(source)} | {q.value for q in quantities(question)}
    return sorted({q.value for q in quantities(text)} - known)


def unsupported_names(answer: str, source: str, question: str = "") -> list[str]:
    """Capitalised names in ``answer`` (not opening a sentence) that ``source`` and ``question`` lack."""
    text = re.sub(r"\[[^\]]*\]", " ", answer)
    known = normalize_numbers(f"{source} {question}").lower()
    out = []
    for m in _NAME.finditer(text):
        before = text[: m.start()].rstrip(" \"'\u201c(")
        if not before or before.endswith((".", "!", "?", ":")) or m.group(0) in COMMON_CAPITALS:
            continue  # opens a sentence: not necessarily a name
        if not re.search(rf"\b{re.escape(m.group(0).lower())}\b", known):
            out.append(m.group(0))
    return sorted(set(out))


def confidence(checked: CheckedAnswer, evidence: Sequence[Evidence]) -> float:
    """The best cited evidence's calibrated score times the share of stamps that checked out."""
    cited = cited_evidence(checked, evidence)
    if not cited:
        return 0.0
    kept = len(checked.citations)
    return round(max(e.score for e in cited) * kept / (kept + len(checked.dropped)), 4)
