"""Embedded captioner and writer: readable text composed from evidence, no generative model.

The captioner says what was said, shown and seen in a clip. The writer is extractive: the most
central sentences of the span in time order, a title from on-screen text, and the dominant visual
content. Stronger writers (LLMs, VLMs) implement the same ``Writer`` protocol.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..registry import register
from ..results import Tag
from ..text.salience import content_tokens, rank_by_centrality
from .base import ClipEvidence, TimedText, WriteRequest, Written

MIN_TAG_SCORE = 0.12
MIN_SOUND_SCORE = 0.3


def describe_tags(tags: Sequence[Tag], limit: int = 2) -> str:
    names = [t.label for t in tags if t.score >= MIN_TAG_SCORE][:limit]
    return " and ".join(names)


def describe_sounds(sounds: Sequence[Tag], limit: int = 2) -> str:
    """The strongest non-speech sounds, lower case (speech is quoted from the transcript instead)."""
    from ..evidence.sounds import SPEECH_LABELS

    names = [t.label.lower() for t in sounds if t.score >= MIN_SOUND_SCORE and t.label not in SPEECH_LABELS]
    return " and ".join(names[:limit])


def first_line(text: str, limit: int = 80) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


@register("captioner", "embedded", summary="clip caption composed from speech, on-screen text and visual tags")
class EvidenceCaptioner:
    spec = "embedded:evidence"

    def __init__(self, **_):
        pass

    def caption(self, clips: Sequence[ClipEvidence]) -> list[str]:
        return [self._one(c) for c in clips]

    @staticmethod
    def _one(clip: ClipEvidence) -> str:
        parts = []
        if clip.speech.strip():
            parts.append(f"Speech: \u201c{clip.speech.strip()}\u201d")
        if clip.on_screen.strip():
            parts.append(f"On screen: \u201c{first_line(clip.on_screen)}\u201d")
        if clip.faces:
            parts.append(clip.faces[0].upper() + clip.faces[1:])
        seen = "; ".join(p for p in (clip.objects, describe_tags(clip.tags)) if p)
        if seen:
            parts.append(f"Seen: {seen}")
        heard = describe_sounds(clip.sounds)
        if heard:
            parts.append(f"Heard: {heard}")
        return " ".join(_as_sentence(p) for p in parts) if parts else "No speech or recognisable content."


@register("writer", "embedded", summary="extractive: central sentences in time order, titles from on-screen text")
class ExtractiveWriter:
    spec = "embedded:extractive"

    def __init__(self, sentences_per_segment: int = 3, **_):
        self.k = sentences_per_segment

    def write(self, request: WriteRequest) -> Written:
        if request.level == "summary":
            return self._summary(request)
        return self._segment(request)

    def _segment(self, req: WriteRequest) -> Written:
        title = _title(req)
        chosen = _salient(req.speech, self.k)
        parts = [_as_sentence(s.text) for s in chosen]
        seen = describe_tags(req.tags, limit=3)
        if seen:
            parts.append(f"Visually: {seen}.")
        if not chosen and req.on_screen:
            shown = "; ".join(dict.fromkeys(first_line(t.text) for t in req.on_screen))
            parts.insert(0, f"On screen: {shown}.")
        text = " ".join(parts) if parts else "A stretch with no speech, text or recognisable content."
        return Written(text=text, title=title)

    def _summary(self, req: WriteRequest) -> Written:
        minutes = (req.end - req.start) / 60.0
        length = f"{minutes:.0f}-minute" if minutes >= 1.5 else f"{req.end - req.start:.0f}-second"
        lines = []
        per_child = 3 if len(req.children) == 1 else 1
        for i, child in enumerate(req.children):
            title = req.child_titles[i] if i < len(req.child_titles) else ""
            lead = _key_sentences(child.text, per_child)
            stamp = _clock(child.start)
            lines.append(f"[{stamp}] {title}: {lead}" if title else f"[{stamp}] {lead}")
        n = len(req.children)
        head = f"A {length} video in {n} part{'s' if n != 1 else ''}."
        title = req.child_titles[0] if len(req.child_titles) == 1 else _common_title(req)
        return Written(text=" ".join([head, *lines]), title=title)


def _salient(sentences: Sequence[TimedText], k: int) -> list[TimedText]:
    if not sentences:
        return []
    order = rank_by_centrality([s.text for s in sentences])[:k]
    return [sentences[i] for i in sorted(order)]


def _title(req: WriteRequest) -> str:
    """The on-screen line shown longest in the span, else the span's most frequent content words."""
    shown: Counter = Counter()
    for t in req.on_screen:
        line = first_line(t.text, limit=60)
        if len(content_tokens(line)) >= 1:
            shown[line] += t.end - t.start
    if shown:
        line, seconds = shown.most_common(1)[0]
        if seconds >= min(4.0, 0.2 * (req.end - req.start)) or not req.speech:
            return line
    words = Counter(w for s in req.speech for w in content_tokens(s.text) if len(w) > 3)
    top = [w for w, _ in words.most_common(3)]
    if top:
        return ", ".join(top).capitalize()
    return describe_tags(req.tags).capitalize()


def _as_sentence(text: str) -> str:
    text = text.strip()
    if not text or text[-1] in ".!?…":
        return text
    if text[-1] in "\"'”" and text[-2:-1] in (".", "!", "?", "…"):
        return text  # a quotation that already ends its sentence
    return text + "."


def _common_title(req: WriteRequest) -> str:
    titles = [t for t in req.child_titles if t]
    return titles[0] if titles else ""


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _key_sentences(text: str, k: int, limit: int = 240) -> str:
    """The ``k`` most central sentences of ``text`` (of at least 4 words when possible), in order."""
    sentences = [x.strip() for x in _SENTENCE_END.split(text.strip()) if x.strip()]
    long_enough = [x for x in sentences if len(x.split()) >= 4 and not x.startswith("Visually:")] or sentences
    if not long_enough:
        return ""
    best = sorted(rank_by_centrality(long_enough)[:k])
    out = " ".join(long_enough[i] for i in best)
    return out if len(out) <= limit * k else out[: limit * k - 1].rsplit(" ", 1)[0] + "…"


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
