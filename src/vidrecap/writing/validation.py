"""Checks on what a generative model wrote, reusable by every writer and by cited answers.

A model's reply is parsed tolerantly (JSON object, JSON inside prose or code fences, a truncated
JSON string, else plain "title line + body"), then made safe to show:

- repetition loops are cut at the first long word n-gram that repeats, and an unfinished last
  sentence (a reply cut by the token limit) is dropped;
- time references (``m:ss``, ``h:mm:ss``, ranges) outside the span being described are removed;
- the text is held to a per-level word budget, at a sentence boundary;
- the title is made title-like: short, no time stamps, no "This video segment, titled ..." framing;
- sentences that echo the instructions, carry no claim, or claim what only a weak visual tag
  suggests are dropped; a title that echoes the instructions or names a weak-tag guess, or a summary
  that leaves a chapter unnamed, fails the check (``claims.py``);
- ``support`` measures faithfulness: the share of the text's claims (names, numbers, nouns) that the
  evidence supports. Text sharing nothing with the evidence fails the check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..backends.base import TimedText, WriteRequest, Written
from .claims import (
    chapters_named,
    content_free,
    echoes_instructions,
    faithfulness,
    grounds_of,
    sentences,
    weak_claims,
)
from .messages import TITLE_CHARS, TITLE_WORDS, WRITTEN_SCHEMA  # noqa: F401  (WRITTEN_SCHEMA: re-exported)

REPEAT_NGRAM = 8  # words; a repeated run this long is a loop, not style
WORD_BUDGET = {"segment": 120, "summary": 250}
MIN_FAITHFULNESS = 0.3
TIME_TOLERANCE = 1.0  # s: rounding of the clock in prompts

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[0-9][0-9.,:]*")
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}"
_TIME_REF = re.compile(
    rf"(?:\b(?i:at|from|to|until|around|between|by|after|before)\s+)?\(?\[?({_CLOCK})"
    rf"(?:\s*(?:-|–|—|to|and)\s*({_CLOCK}))?\]?\)?"
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")


@dataclass
class Support:
    """How much of a text the evidence supports."""

    faithfulness: float  # supported content words / content words (1.0 when there are none)
    content_words: int
    unsupported: list[str] = field(default_factory=list)


@dataclass
class Checked:
    """A reply after validation: the repaired text, what was wrong, and whether it is usable."""

    written: Written
    problems: list[str]
    support: Support
    ok: bool


# --- parsing ---------------------------------------------------------------------------------


def parse_reply(raw: str) -> tuple[Written, bool]:
    """(title + text, whether it came as JSON) from a model reply, whatever shape it has."""
    found = _json_object(raw)
    if found is not None:
        text = _first_string(found, ("text", "description", "summary", "body", "answer"))
        title = _first_string(found, ("title", "headline", "name"))
        if text or title:
            return Written(text=" ".join(text.split()), title=" ".join(title.split())), True
    partial = _truncated_json(raw)
    if partial is not None:
        return partial, True
    raw = raw.strip()
    labelled = _TITLE_LABEL.search(raw.split("\n", 1)[0])  # "Sure! Title: X": drop the chatter
    return parse_written(raw[labelled.start() :] if labelled else raw), False


_TITLE_LABEL = re.compile(r"\btitle\s*:", re.IGNORECASE)


_TITLE_PREFIX = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?\s*title\s*[:\-]\s*", re.IGNORECASE)
_BODY_PREFIX = re.compile(r"^\s*(?:\*\*)?\s*(?:description|summary)\s*[:\-]\s*(?:\*\*)?\s*", re.IGNORECASE)


def _strip_markup(line: str) -> str:
    line = _TITLE_PREFIX.sub("", line)
    return line.strip().strip("#*_\"' ").strip()


def _short_title(text: str) -> str:
    words = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].split()
    title = " ".join(words[:TITLE_WORDS])
    return title.rstrip(".,;:") + ("…" if len(words) > TITLE_WORDS else "")


def parse_written(raw: str) -> Written:
    """Split generated text into a title (first short line) and the body."""
    text = re.sub(r"```\w*", "", raw)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return Written(text="", title="")
    first = lines[0]
    explicit = bool(_TITLE_PREFIX.match(first)) or first.startswith(("#", "**"))
    if len(lines) > 1 and (explicit or len(first.split()) <= 2 * TITLE_WORDS):
        title, body = _strip_markup(first), " ".join(lines[1:])
    else:
        title, body = "", " ".join(lines)
    body = _BODY_PREFIX.sub("", body).strip()
    if not body:
        body = title
    return Written(text=body, title=title or _short_title(body))


def _json_object(raw: str) -> dict | None:
    text = re.sub(r"```(?:json)?", "", raw, flags=re.IGNORECASE)
    start = text.find("{")
    while start != -1:
        depth_end = text.rfind("}")
        while depth_end > start:
            try:
                value = json.loads(text[start : depth_end + 1])
            except ValueError:
                depth_end = text.rfind("}", start, depth_end)
                continue
            if isinstance(value, dict):
                return value
            break
        start = text.find("{", start + 1)
    return None


def _first_string(obj: dict, keys: Iterable[str]) -> str:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


_JSON_FIELD = re.compile(r'"(title|text|description|summary)"\s*:\s*"((?:[^"\\]|\\.)*)("?)', re.DOTALL)


def _truncated_json(raw: str) -> Written | None:
    """Fields of a JSON object the token limit cut off (``{"title": "A", "text": "B c d``)."""
    fields = {}
    for key, value, _closed in _JSON_FIELD.findall(raw):
        try:
            fields.setdefault(key, json.loads(f'"{value.rstrip(chr(92))}"'))
        except ValueError:
            fields.setdefault(key, value)
    text = fields.get("text") or fields.get("description") or fields.get("summary") or ""
    if not text and not fields.get("title"):
        return None
    return Written(text=" ".join(text.split()), title=" ".join(fields.get("title", "").split()))


# --- repairs ---------------------------------------------------------------------------------


def cut_repetition(text: str, n: int = REPEAT_NGRAM) -> tuple[str, bool]:
    """``text`` up to where a run of ``n`` words starts repeating (a loop), and whether it was cut."""
    spans = [(m.start(), m.group().lower()) for m in re.finditer(r"\S+", text)]
    words = [re.sub(r"\W+", "", w) for _, w in spans]
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        if gram in seen:
            return _to_sentence_end(text[: spans[i][0]].rstrip()), True
        seen.add(gram)
    return text, False


def _to_sentence_end(text: str) -> str:
    """``text`` without a last sentence that does not end (kept when it is the only one)."""
    text = text.rstrip()
    if not text or text[-1] in ".!?…\"')]":
        return text
    cut = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    return text[: cut + 1] if cut > 0 else text


def parse_clock(value: str) -> float:
    parts = [int(p) for p in value.split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    return float(seconds)


def drop_times_outside(text: str, start: float, end: float, tolerance: float = TIME_TOLERANCE) -> tuple[str, int]:
    """Remove time references outside ``[start, end]`` (with the preposition before them)."""
    dropped = 0

    def replace(match: re.Match) -> str:
        nonlocal dropped
        times = [parse_clock(t) for t in match.groups() if t]
        if all(start - tolerance <= t <= end + tolerance for t in times):
            return match.group()
        dropped += 1
        return ""

    cleaned = _TIME_REF.sub(replace, text)
    if dropped:
        cleaned = re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned))
        cleaned = re.sub(r"^[\s,;:\-–—]+", "", cleaned).strip()
        cleaned = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), cleaned)
    return cleaned, dropped


def within_budget(text: str, words: int) -> tuple[str, bool]:
    """``text`` cut to at most ``words`` words, at the last sentence end inside the budget."""
    tokens = text.split()
    if len(tokens) <= words:
        return text, False
    head = " ".join(tokens[:words])
    ends = [m.start() for m in _SENTENCE_END.finditer(head + " ")]
    return (head[: ends[-1]].rstrip() if ends else head.rstrip(",;: ") + "…"), True


_FRAMING = re.compile(
    r"^(?:(?:this|the)\s+(?:video|clip|segment|part|scene)(?:\s+segment)?\s*,?\s*(?:is\s+)?"
    r"(?:titled|called|named|entitled)\s*[:,]?\s*|title\s*[:\-]\s*)",
    re.IGNORECASE,
)


def clean_title(title: str, text: str) -> tuple[str, list[str]]:
    """A short, title-like title (from ``title``, else from the text) and what had to be fixed."""
    problems = []
    quoted = re.search(r"(?:titled|called|named|entitled)\s*[:,]?\s*[\"“']([^\"”']{2,80})[\"”']", title)
    candidate = quoted.group(1) if quoted else title
    if quoted:
        problems.append("title was a sentence about the title")
    candidate = _FRAMING.sub("", candidate)
    candidate, times = _TIME_REF.subn("", candidate)
    if times:
        problems.append("title held time stamps")
    candidate = re.sub(r"[*_#`\[\]]", "", candidate).strip(" \"'“”‘’.,;:-–—")
    words = candidate.split()
    if len(words) > TITLE_WORDS or len(candidate) > TITLE_CHARS or re.search(r"[.!?]\s+\w", candidate):
        problems.append("title was too long")
        first = re.split(r"(?<=[.!?])\s", candidate, maxsplit=1)[0].split()
        candidate = " ".join(first[:TITLE_WORDS]).rstrip(".,;:!?")
        while len(candidate) > TITLE_CHARS and " " in candidate:
            candidate = candidate.rsplit(" ", 1)[0]
    if not candidate:
        candidate = _short_title(text)
        if title.strip():
            problems.append("title was empty after cleaning")
    return candidate, problems


# --- faithfulness ----------------------------------------------------------------------------


def support(text: str, evidence: str | WriteRequest) -> Support:
    """Share of ``text``'s claims (names, numbers, nouns) that ``evidence`` supports; for a request,
    words only a weak visual tag gives do not count as support (``claims.grounds_of``)."""
    if isinstance(evidence, WriteRequest):
        grounds = grounds_of(evidence)
    else:
        grounds = grounds_of(WriteRequest("segment", 0.0, 0.0, [], speech=[TimedText(0.0, 0.0, evidence)]))
    share, count, missing = faithfulness(text, grounds)
    return Support(share, count, missing)


def evidence_of(request: WriteRequest) -> str:
    """Everything the model was shown about the span, as one text."""
    parts = [c.text for c in request.children] + list(request.child_titles)
    parts += [s.text for s in request.speech] + [s.text for s in request.on_screen]
    parts += [f"{s.speaker} says asks" for s in request.speech if s.speaker]  # turns may be named
    parts += [t.label for t in request.tags] + list(request.seen) + list(request.heard)
    return "\n".join(p for p in parts if p)


# --- the whole check -------------------------------------------------------------------------


def check_written(
    written: Written,
    request: WriteRequest,
    word_budget: int | None = None,
    min_faithfulness: float = MIN_FAITHFULNESS,
) -> Checked:
    """Repair what can be repaired; ``ok`` is False when the text is empty, unsupported, echoes the
    instructions, or (a summary) leaves a chapter unnamed."""
    problems: list[str] = []
    text, looped = cut_repetition(written.text)
    if looped:
        problems.append("repetition loop cut")
    ended = _to_sentence_end(text)
    if ended != text:
        problems.append("unfinished last sentence dropped")
        text = ended
    text, dropped = drop_times_outside(text, request.start, request.end)
    if dropped:
        problems.append(f"{dropped} time reference(s) outside the span dropped")
    grounds = grounds_of(request)
    text, held = hold_to_standard(text, grounds)
    problems += held
    budget = word_budget or WORD_BUDGET.get(request.level, 200)
    text, cut = within_budget(text, budget)
    if cut:
        problems.append(f"cut to the {budget}-word budget")
    title, title_problems = clean_title(written.title, text)
    problems += title_problems
    rejected = _title_rejected(title, grounds)
    share, count, missing = faithfulness(f"{title}. {text}", grounds)
    measured = Support(share, count, missing)
    if not text.strip():
        problems.append("empty text")
    elif measured.content_words and measured.faithfulness < min_faithfulness:
        rejected.append(f"text barely supported by the evidence (faithfulness {measured.faithfulness:.2f})")
    if request.level == "summary" and request.child_titles and text.strip():
        named = chapters_named(f"{title}. {text}", request.child_titles)
        if not all(named):
            rejected.append(f"summary names {sum(named)} of {len(named)} chapters")
    problems += rejected
    ok = bool(text.strip()) and not rejected
    return Checked(Written(text=text, title=title), problems, measured, ok)


def hold_to_standard(text: str, grounds) -> tuple[str, list[str]]:
    """``text`` without sentences that echo the instructions, carry no claim, or claim things only a
    weak visual tag suggests; and what was dropped."""
    kept, echo, empty, weak = [], 0, 0, []
    for sentence in sentences(text):
        if content_free(sentence):
            empty += 1
        elif echoes_instructions(sentence, grounds):
            echo += 1
        elif found := weak_claims(sentence, grounds):
            weak += found
        else:
            kept.append(sentence)
    problems = []
    if echo:
        problems.append(f"{echo} sentence(s) echoing the instructions dropped")
    if empty:
        problems.append(f"{empty} content-free sentence(s) dropped")
    if weak:
        problems.append(f"sentence(s) claiming what only a weak visual tag suggests dropped "
                        f"({', '.join(dict.fromkeys(weak))})")
    return " ".join(kept), problems


def _title_rejected(title: str, grounds) -> list[str]:
    if echoes_instructions(title, grounds):
        return [f"title echoes the instructions ({title!r})"]
    weak = weak_claims(title, grounds)
    if weak:
        return [f"title names what only a weak visual tag suggests ({', '.join(weak)})"]
    return []
