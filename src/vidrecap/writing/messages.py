"""The instructions the generative writers are given: the system prompt, the notes of a request as
timed lines, the ask for a title + description, and the JSON schema of the answer.

Apart from ``prompting`` (chunking, captions, parsing) so that the checks on generated text
(``claims``) can read the instructions to catch echoes of them without an import circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..backends.base import TimedText, WriteRequest

Message = dict[str, object]

SYSTEM = ("You write concise, factual recaps of videos from time-stamped notes. "
          "Only state what the notes support.")
TITLE_WORDS = 8
TITLE_CHARS = 60
LEVEL_NOUNS = {"segment": "description of this video segment", "summary": "summary of the whole video"}


WRITTEN_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": TITLE_CHARS},
        "text": {"type": "string"},
    },
    "required": ["title", "text"],
    "additionalProperties": False,
}


def clock(seconds: float) -> str:
    """``m:ss`` (or ``h:mm:ss``) for a time in seconds."""
    total = int(max(0.0, seconds))
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass
class Part:
    """A chunk of a request written on its own (map step)."""

    index: int
    count: int
    whole_start: float
    whole_end: float


def _timed_lines(items: Sequence[TimedText], titles: Sequence[str] = ()) -> list[str]:
    lines = []
    for i, item in enumerate(items):
        title = titles[i].strip() if i < len(titles) and titles[i] else ""
        prefix = f"{title}: " if title else f"{item.speaker}: " if item.speaker else ""
        lines.append(f"[{clock(item.start)}-{clock(item.end)}] {prefix}{' '.join(item.text.split())}")
    return lines


def request_text(request: WriteRequest, combining: bool = False) -> str:
    """The notes of a request as text: the level below, then the sparse evidence."""
    below = "Clip captions" if request.level == "segment" else "Segment descriptions"
    below = "Summaries of consecutive parts" if combining else below
    sections = [(below, _timed_lines(request.children, request.child_titles)),
                ("Speech", _timed_lines(request.speech)),
                ("On-screen text", _timed_lines(request.on_screen))]
    out = [f"{name}:\n" + "\n".join(lines) for name, lines in sections if lines]
    tags = ", ".join(t.label for t in request.tags)
    if tags:
        out.append(f"Visual content: {tags}")
    if request.seen:
        out.append(f"Seen by the detectors: {'; '.join(request.seen)}")
    if request.heard:
        out.append(f"Heard: {'; '.join(request.heard)}")
    return "\n\n".join(out)


def write_messages(request: WriteRequest, part: Part | None = None, combining: bool = False,
                   structured: bool = True) -> list[Message]:
    """Chat messages asking for a title + description (or, for a part, a plain partial summary).

    ``combining``: the children are partial summaries written by an earlier map step.
    ``structured``: ask for a JSON object ``{"title", "text"}`` (else a title line, then the text)."""
    span = f"{clock(request.start)}-{clock(request.end)}"
    noun = LEVEL_NOUNS.get(request.level, "description of this part of the video")
    if part is None and structured:
        ask = (f"Write a {noun} ({span}) using only the notes above; any time you mention must lie "
               f"within {span}. Answer with one JSON object and nothing else: "
               f'{{"title": "a short title, at most {TITLE_WORDS} words", '
               f'"text": "the {noun.split(" of ")[0]} in 2-4 sentences"}}')
    elif part is None:
        ask = (f"Write a {noun} ({span}). On the first line write a short title "
               f"(at most {TITLE_WORDS} words); then the {noun.split(' of ')[0]} in 2-4 sentences.")
    else:
        whole = f"{clock(part.whole_start)}-{clock(part.whole_end)}"
        ask = (f"These notes ({span}) are part {part.index + 1} of {part.count} of the span {whole}. "
               "Summarize this part in 2-3 factual sentences, keeping times of key events.")
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"{request_text(request, combining)}\n\n{ask}"}]
