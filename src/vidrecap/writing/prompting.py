"""Prompts and output parsing shared by the generative backends (hf, openai, gguf).

The writer prompts themselves live in ``messages`` (re-exported here). A writer sees the level
below as timed lines (clip captions or segment descriptions) plus sparse evidence (speech,
on-screen text, visual tags). When those lines do not fit the model's context,
``write_in_chunks`` splits the span in time, writes a partial summary per chunk and then combines
the partials (map-reduce, repeated until one prompt fits). Nothing is cut off silently: a single
line longer than the budget is split into pieces that each fit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..backends.base import ClipEvidence, TimedText, WriteRequest, Written
from ..errors import BackendError
from .extractive import describe_sounds
from .messages import (  # noqa: F401  (re-exported: the writers build their messages through prompting)
    LEVEL_NOUNS,
    SYSTEM,
    TITLE_WORDS,
    Message,
    Part,
    clock,
    request_text,
    write_messages,
)
from .validation import cut_repetition, parse_reply, within_budget

Generate = Callable[[list[Message]], str]
CountTokens = Callable[[str], int]
CountPrompt = Callable[[list[Message]], int]

CONTEXT_CHARS = 300  # speech / on-screen text quoted in a caption prompt
CAPTION_WORDS = 40


def _quote(text: str, limit: int = CONTEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def caption_prompt(clip: ClipEvidence, n_frames: int) -> str:
    """Instruction for a VLM: describe the clip, with its speech and on-screen text as context."""
    seconds = max(0.0, clip.end - clip.start)
    if n_frames > 1:
        lines = [f"These are {n_frames} frames, in order, from a {seconds:.0f}-second video clip."]
    else:
        lines = [f"This is a frame from a {seconds:.0f}-second video clip."]
    if clip.speech.strip():
        who = f" ({', '.join(clip.speakers)} speaking)" if clip.speakers else ""
        lines.append(f'Speech in the clip{who}: "{_quote(clip.speech)}"')
    if clip.on_screen.strip():
        lines.append(f'Text on screen: "{_quote(clip.on_screen)}"')
    heard = describe_sounds(clip.sounds, spoken=bool(clip.speech.strip()))
    if heard:  # a VLM sees frames only: what the sound expert heard is context it cannot get itself
        lines.append(f"Sounds heard: {heard}")
    moves = [p for p in clip.picture if "camera" in p]
    if moves:  # nor can it see motion between frames 2 s apart: what the picture expert measured
        lines.append(f"Camera: {moves[0]}")
    lines.append("Describe in one sentence what happens in the clip.")
    return "\n".join(lines)


def spread(frames: Sequence[np.ndarray], n: int) -> list[np.ndarray]:
    """Up to ``n`` frames evenly spread over a clip (the middle one when ``n == 1``)."""
    if len(frames) <= n:
        return list(frames)
    step = len(frames) / n
    return [frames[int(step * i + step / 2)] for i in range(n)]


def caption_without_frames(clip: ClipEvidence) -> str:
    """A clip with no frames (audio only) is described from its evidence, as the embedded captioner does."""
    from .extractive import EvidenceCaptioner

    return EvidenceCaptioner().caption([clip])[0]


def clean_caption(text: str) -> str:
    """The first non-empty line of a generated caption, whitespace collapsed, a loop cut to one copy,
    at most ``CAPTION_WORDS`` words."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return within_budget(cut_repetition(line)[0], CAPTION_WORDS)[0]
    return ""


# --- map-reduce over the token budget -------------------------------------------------------


@dataclass
class Budget:
    """How many prompt tokens a model can take, and how to count them.

    ``count`` counts plain text; ``count_prompt`` a whole chat prompt (template included), by default
    the sum over messages plus a few tokens each."""

    tokens: int
    count: CountTokens
    count_prompt: CountPrompt | None = None

    def prompt_tokens(self, messages: list[Message]) -> int:
        if self.count_prompt is not None:
            return self.count_prompt(messages)
        return sum(self.count(str(m["content"])) + 4 for m in messages)

    def fits(self, messages: list[Message]) -> bool:
        return self.prompt_tokens(messages) <= self.tokens


@dataclass
class _Line:
    kind: str  # "child" | "speech" | "screen"
    item: TimedText
    title: str = ""


def _lines_of(request: WriteRequest) -> list[_Line]:
    lines = [_Line("child", c, request.child_titles[i] if i < len(request.child_titles) else "")
             for i, c in enumerate(request.children)]
    lines += [_Line("speech", s) for s in request.speech]
    lines += [_Line("screen", s) for s in request.on_screen]
    return sorted(lines, key=lambda ln: (ln.item.start, ln.kind != "child"))


def _sub_request(request: WriteRequest, lines: Sequence[_Line]) -> WriteRequest:
    children = [ln for ln in lines if ln.kind == "child"]
    return replace(
        request, start=min(ln.item.start for ln in lines), end=max(ln.item.end for ln in lines),
        children=[ln.item for ln in children], child_titles=[ln.title for ln in children],
        speech=[ln.item for ln in lines if ln.kind == "speech"],
        on_screen=[ln.item for ln in lines if ln.kind == "screen"], frames=[])


def _split_line(line: _Line, max_tokens: int, count: CountTokens) -> list[_Line]:
    """Cut one over-long line into word runs of at most about ``max_tokens`` tokens each."""
    pieces: list[list[str]] = [[]]
    used = 0
    for word in line.item.text.split():
        n = count(" " + word)
        if pieces[-1] and used + n > max_tokens:
            pieces.append([])
            used = 0
        pieces[-1].append(word)
        used += n
    return [_Line(line.kind, TimedText(line.item.start, line.item.end, " ".join(p)), line.title)
            for p in pieces if p]


def _overhead(request: WriteRequest, budget: Budget) -> int:
    empty = replace(request, children=[], speech=[], on_screen=[], child_titles=[])
    return budget.prompt_tokens(write_messages(empty, Part(0, 1, request.start, request.end))) + 16


def _line_tokens(line: _Line, count: CountTokens) -> int:
    return count(f"{line.title} {line.item.text}") + 12  # + time stamps and separators


def plan_chunks(request: WriteRequest, budget: Budget) -> list[WriteRequest]:
    """Split ``request`` in time into sub-requests whose prompts each fit ``budget``."""
    room = budget.tokens - _overhead(request, budget)
    if room < 32:
        raise BackendError(f"a prompt budget of {budget.tokens} tokens is too small to write a recap")
    lines: list[_Line] = []
    for line in _lines_of(request):
        too_long = _line_tokens(line, budget.count) > room // 2
        lines += _split_line(line, room // 2, budget.count) if too_long else [line]
    chunks: list[list[_Line]] = [[]]
    used = 0
    for line in lines:
        n = _line_tokens(line, budget.count)
        if chunks[-1] and used + n > room:
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += n
    return [sub for chunk in chunks if chunk for sub in _fitting(request, chunk, budget)]


def _fitting(request: WriteRequest, lines: list[_Line], budget: Budget) -> list[WriteRequest]:
    """``lines`` as one sub-request, halved until each rendered prompt fits (estimates can be off)."""
    sub = _sub_request(request, lines)
    probe = Part(0, 1, request.start, request.end)
    if len(lines) == 1 or budget.fits(write_messages(sub, probe, combining=True)):
        return [sub]
    mid = len(lines) // 2
    return _fitting(request, lines[:mid], budget) + _fitting(request, lines[mid:], budget)


def write_in_chunks(request: WriteRequest, generate: Generate, budget: Budget,
                    max_rounds: int = 8, final: Generate | None = None, json_prompt: bool = True) -> Written:
    """Write ``request`` in one call when it fits, else map-reduce over time chunks.

    The final call asks for JSON (through ``final`` when given: a generator with the server's
    structured-output support) and is parsed tolerantly; partial summaries are plain text."""
    combining = False
    for _ in range(max_rounds):
        messages = write_messages(request, combining=combining, structured=json_prompt)
        if budget.fits(messages):
            return parse_reply((final or generate)(messages))[0]
        chunks = plan_chunks(request, budget)
        partials = []
        for i, chunk in enumerate(chunks):
            part = Part(i, len(chunks), request.start, request.end)
            text = " ".join(generate(write_messages(chunk, part, combining)).split())
            partials.append(TimedText(chunk.start, chunk.end, text or "(nothing notable)"))
        request = replace(request, children=partials, child_titles=[], speech=[], on_screen=[], frames=[])
        combining = True
    raise BackendError("the notes do not fit the model's context even after summarising them in parts; "
                       "use a model with a longer context or a larger max_new_tokens budget")
