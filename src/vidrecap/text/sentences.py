"""Whole sentences for people to read: a recogniser's segments break anywhere ("…add a splash on
the"), so text is re-joined and cut only where a sentence ends; slide lines become sentences; a
word budget is met by leaving sentences out, never by cutting one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .salience import STOPWORDS

_END = re.compile(r"(?<=[.!?])[\"'\u201d)]?\s+")
_WORDS = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*", re.UNICODE)
_LINK = re.compile(r"\[(?:\d+:)?\d+:\d\d\]")


def word_count(text: str) -> int:
    """Words a reader reads: ``[m:ss]`` links do not count."""
    return len(_WORDS.findall(_LINK.sub("", text)))


def summary_budget(seconds: float) -> int:
    """Words a summary may use: grows slowly with length (80 + 7 a minute)."""
    return int(round(80 + 7 * seconds / 60.0))


def description_budget(seconds: float) -> int:
    """Words a chapter's description may use (30 + 7 a minute)."""
    return int(round(30 + 7 * seconds / 60.0))


def whole_sentences(pieces: Iterable[tuple[float, float, str]], shortest: int = 3) -> list[tuple[float, float, str]]:
    """The whole sentences of consecutive timed ``pieces`` as ``(start, end, sentence)``.

    Pieces are joined and split where a sentence ends (. ! ?). A sentence is timed from the piece
    it starts in to the piece it ends in. Dropped: the unfinished tail (the span cut it), a
    sentence that does not start like one (lower case: its start was cut), and ones under
    ``shortest`` words.
    """
    out: list[tuple[float, float, str]] = []
    buf, start = "", None
    for a, b, text in pieces:
        text = " ".join(text.split())
        if not text:
            continue
        parts = _END.split(text)
        for k, part in enumerate(parts):
            if start is None:
                start = a
            buf = f"{buf} {part}".strip()
            closed = k < len(parts) - 1 or part.rstrip("\"')\u201d").endswith((".", "!", "?"))
            if closed:
                if _starts_like_sentence(buf) and word_count(buf) >= shortest:
                    out.append((start, b, buf))
                buf, start = "", None
    return out


def _starts_like_sentence(text: str) -> bool:
    first = text.lstrip("\"'\u201c(")[:1]
    return first.isupper() or first.isdigit()


def is_whole(sentence: str) -> bool:
    """Starts like a sentence, ends with . ! or ?, holds no ellipsis and balanced brackets."""
    s = sentence.strip()
    return (bool(s) and _starts_like_sentence(s) and bool(re.search(r"[.!?][\"')\u201d]?$", s))
            and "…" not in s and "..." not in s and s.count("(") == s.count(")"))


def slide_sentence(lines: Sequence[str]) -> str:
    """Slide bullet lines as one sentence: ``Flour, water and salt; a recipe by Elsa Berg.``"""
    kept = [" ".join(x.split()).rstrip(" .;:,") for x in lines if x.strip()]
    kept = [x for x in kept if len(_WORDS.findall(x)) >= 2]
    if not kept:
        return ""
    text = "; ".join([kept[0], *(_lower_first(x) for x in kept[1:])])
    return text if text[-1] in ".!?" else text + "."


def _lower_first(line: str) -> str:
    """A line's first word in lower case when it is a function word ("A recipe" -> "a recipe")."""
    first, _, rest = line.partition(" ")
    return f"{first.lower()} {rest}".strip() if first.lower() in STOPWORDS else line


def within(sentences: Sequence[str], budget: int) -> list[str]:
    """The first sentences, in order, whose words fit ``budget`` (a sentence that does not fit is
    skipped, and a shorter one after it may still fit)."""
    out, used = [], 0
    for s in sentences:
        n = word_count(s)
        if used + n <= budget:
            out.append(s)
            used += n
    return out
