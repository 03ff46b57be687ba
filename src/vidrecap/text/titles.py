"""Titles in words the video shows or says: the first slide or title card of a span, else a key
phrase of its speech made of real words (``keyphrases.real_phrases``); and unique in a video."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from .salience import content_tokens
from .vocabulary import is_word

LONGEST = 60  # characters: a longer on-screen line is a sentence, not a title
BULLET = re.compile(r"^\s*(?:[-\u2013\u2014\u2022*\u00b7\u25aa\u25ba>]|\d{1,2}[.)])\s+")


def slide_lines(text: str) -> tuple[str, list[str]]:
    """A slide's title and its other lines, bullet markers ("- ", "• ", "2. ") removed. The title is
    the first line without a marker where others have one (a slide may put its title below its
    bullets), else the first line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return "", []
    marked = [bool(BULLET.match(ln)) for ln in lines]
    k = marked.index(False) if any(marked) and not all(marked) else 0
    clean = [BULLET.sub("", ln).strip() for ln in lines]
    return clean[k], clean[:k] + clean[k + 1:]


def slide_title(runs: Iterable[tuple[float, float, str]], span: float) -> str:
    """The first on-screen line shown long enough (4 s, or a fifth of a short ``span``) to be the
    span's slide or title card; "" when none is. Lines that are mostly not words (a recognised
    sign in footage, OCR noise) are skipped."""
    runs = list(runs)
    shown: Counter = Counter()
    first: dict[str, float] = {}
    for start, end, text in runs:
        line = slide_lines(text)[0]
        if not line or len(line) > LONGEST or not _mostly_words(line):
            continue
        shown[line] += end - start
        first.setdefault(line, start)
    enough = min(4.0, 0.2 * span)
    good = [line for line, seconds in shown.items() if seconds >= enough - 1e-6]
    return min(good, key=lambda line: first[line]) if good else ""


def _mostly_words(line: str) -> bool:
    words = content_tokens(line)
    return bool(words) and sum(is_word(w) for w in words) >= 0.5 * len(words)


def unique_title(title: str, alternatives: Sequence[str], used: set[str]) -> str:
    """``title`` unless the video already has it; then the first alternative it does not have."""
    for candidate in (title, *alternatives):
        if candidate and _norm(candidate) not in used:
            return candidate
    return title


def _norm(title: str) -> str:
    return " ".join(title.lower().split())


def remember(title: str, used: set[str]) -> None:
    used.add(_norm(title))
