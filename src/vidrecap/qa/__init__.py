"""Questions about a recapped video, answered with cited times (docs/ask.md).

``ask(recap, question)`` one-shot, or ``Asker.build(recap)`` then ``ask``/``choose`` many times.
Results: ``Answer`` (answer, citations, confidence, evidence) and ``Choice`` (multiple choice).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "ask": ".asker", "Asker": ".asker",
    "Answer": ".answer", "Choice": ".answer", "NOT_FOUND": ".answer",
    "Citation": ".citations", "check_citations": ".citations",
    "Evidence": ".evidence", "EvidenceFinder": ".evidence",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module, __name__), name)
