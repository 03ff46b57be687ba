"""Embedded captioner and writer: readable text composed from evidence, no generative model.

The captioner says what was said, shown and seen in a clip. The writer is extractive: the most
central sentences of the span in time order, a title from on-screen text, and the dominant visual
content. Stronger writers (LLMs, VLMs) implement the same ``Writer`` protocol.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from ..backends.base import ClipEvidence, TimedText, WriteRequest, Written
from ..registry import register
from ..results import Tag
from ..text.keyphrases import as_title, candidate_phrases
from ..text.salience import content_tokens, rank_by_centrality

MIN_TAG_SCORE = 0.12
SLIDES_SHARE = 0.5  # a span showing on-screen text this much of the time is "slides"
GROUP_ABOVE = 8  # a summary of more chapters than this groups them
# ImageNet labels that a classifier gives to slides, screens and text: noise to a reader
SCREEN_LABELS = frozenset({
    "website", "web site", "monitor", "CRT monitor", "screen", "television", "menu", "crossword",
    "comic book", "envelope", "scoreboard", "book jacket", "digital clock", "notebook computer",
    "laptop computer", "desktop computer", "traffic or street sign", "product packet / packaging",
})
MIN_SOUND_SCORE = 0.3


def describe_tags(tags: Sequence[Tag], limit: int = 2, slides: bool = False) -> str:
    """What is seen, in words: confident tags that are not screen noise; "slides" when text is shown."""
    if slides:
        return "slides"
    names = [t.label for t in tags if t.score >= MIN_TAG_SCORE and t.label not in SCREEN_LABELS]
    return " and ".join(names[:limit])


def heard_labels(sounds: Sequence[Tag], spoken: bool = False) -> list[str]:
    """The confident non-speech sound labels, strongest first (speech is quoted from the transcript
    instead). ``spoken``: the span has speech, so "Silence" (the pauses between sentences) is left out."""
    from ..evidence.sounds_pass import SPEECH_LABELS

    skip = SPEECH_LABELS | {"Silence"} if spoken else SPEECH_LABELS
    return [t.label for t in sounds if t.score >= MIN_SOUND_SCORE and t.label not in skip]


def describe_sounds(sounds: Sequence[Tag], limit: int = 2, spoken: bool = False) -> str:
    """The strongest non-speech sounds in words, lower case, e.g. "music and applause"."""
    return " and ".join(label.lower() for label in heard_labels(sounds, spoken)[:limit])


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
            who = " and ".join(clip.speakers) if clip.speakers else "Speech"
            parts.append(f"{who}: \u201c{clip.speech.strip()}\u201d")
        if clip.on_screen.strip():
            parts.append(f"On screen: \u201c{first_line(clip.on_screen)}\u201d")
        if clip.faces:
            parts.append(clip.faces[0].upper() + clip.faces[1:])
        parts.extend(p[0].upper() + p[1:] for p in clip.picture)
        tags = describe_tags(clip.tags, slides=bool(clip.on_screen.strip()))
        seen = "; ".join(p for p in (clip.objects, tags) if p)
        if seen:
            parts.append(f"Seen: {seen}")
        heard = describe_sounds(clip.sounds, spoken=bool(clip.speech.strip()))
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
        several = len({s.speaker for s in req.speech if s.speaker}) > 1  # name turns only in a conversation
        parts = [attributed(s.speaker if several else "", _as_sentence(s.text)) for s in chosen]
        seen = [*req.seen, describe_tags(req.tags, limit=3, slides=req.slides >= SLIDES_SHARE)]
        if any(seen):
            parts.append(f"Visually: {'; '.join(p for p in seen if p)}.")
        if req.heard:
            parts.append(f"Heard: {' and '.join(req.heard)}.")
        if not chosen and req.on_screen:
            shown = "; ".join(dict.fromkeys(first_line(t.text) for t in req.on_screen))
            parts.insert(0, f"On screen: {shown}.")
        text = " ".join(parts) if parts else "A stretch with no speech, text or recognisable content."
        return Written(text=text, title=title)

    def _summary(self, req: WriteRequest) -> Written:
        minutes = (req.end - req.start) / 60.0
        length = f"{minutes:.0f}-minute" if minutes >= 1.5 else f"{req.end - req.start:.0f}-second"
        n = len(req.children)
        head = f"A {length} video in {n} part{'s' if n != 1 else ''}."
        if n > GROUP_ABOVE:
            lines = [_group_line(req, group) for group in _groups(n)]
        else:
            per_child = 3 if n == 1 else 1
            lines = [_chapter_line(req, i, _key_sentences(req.children[i].text, per_child)) for i in range(n)]
        return Written(text=" ".join([head, *lines]), title=video_title(req))


def _title_of(req: WriteRequest, i: int) -> str:
    return req.child_titles[i] if i < len(req.child_titles) else ""


def _chapter_line(req: WriteRequest, i: int, lead: str) -> str:
    title, stamp = _title_of(req, i), _clock(req.children[i].start)
    lead = _as_sentence(lead) if lead else ""
    if title and lead:
        return f"[{stamp}] {title}: {lead}"
    return f"[{stamp}] {_as_sentence(title or lead)}"


def _groups(n: int, most: int = 6) -> list[range]:
    """``n`` chapters in at most ``most`` consecutive groups of near-equal size."""
    size = -(-n // most)
    return [range(i, min(n, i + size)) for i in range(0, n, size)]


def _group_line(req: WriteRequest, group: range) -> str:
    """One line for consecutive chapters: each one's title and a short clause of what it says."""
    clauses = []
    for i in group:
        lead = _key_sentences(req.children[i].text, 1, limit=90).rstrip(".…")
        title = _title_of(req, i)
        clauses.append(f"{title} ({lead})" if title and lead else title or lead)
    return f"[{_clock(req.children[group[0]].start)}] " + _as_sentence("; ".join(c for c in clauses if c))


def video_title(req: WriteRequest) -> str:
    """A title for the whole video, not its first part.

    A key phrase of the whole speech that most chapters mention (as the first chapter title that
    contains it, e.g. the opening title card); else the title of chapters filling most of the
    video; else the first chapter titles and how many more follow.
    """
    titles = [_title_of(req, i) for i in range(len(req.children))]
    n = len(req.children)
    common = [p for p in req.key_phrases
              if n and sum(1 for c in req.children if set(content_tokens(p)) & set(content_tokens(c.text)))
              >= max(2, 0.6 * n)]
    for phrase in common:
        titled = next((t for t in titles if set(content_tokens(phrase)) <= set(content_tokens(t))), None)
        if titled:
            return titled
    if common:
        return as_title(common[0])
    total = max(1e-6, req.end - req.start)
    share: Counter = Counter()
    for title, child in zip(titles, req.children, strict=False):
        if title:
            share[title] += (child.end - child.start) / total
    if share and share.most_common(1)[0][1] >= 0.6:
        return share.most_common(1)[0][0]
    named = list(dict.fromkeys(t for t in titles if t))
    if len(named) <= 3:
        return ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1] if named else ""
    return f"{', '.join(named[:3])} and {len(named) - 3} more"


def _salient(sentences: Sequence[TimedText], k: int) -> list[TimedText]:
    if not sentences:
        return []
    order = rank_by_centrality([s.text for s in sentences])[:k]
    return [sentences[i] for i in sorted(order)]


def _title(req: WriteRequest) -> str:
    """The on-screen line shown longest in the span, else its best key phrase, else its most said phrase."""
    shown: Counter = Counter()
    for t in req.on_screen:
        line = first_line(t.text, limit=60)
        if len(content_tokens(line)) >= 1:
            shown[line] += t.end - t.start
    if shown:
        line, seconds = shown.most_common(1)[0]
        if seconds >= min(4.0, 0.2 * (req.end - req.start)) or not req.speech:
            return line
    if req.key_phrases:
        return as_title(req.key_phrases[0])
    said = candidate_phrases(" ".join(s.text for s in req.speech))
    if said:
        return as_title(max(said, key=lambda p: (said[p], -p.count(" "))))
    return describe_tags(req.tags).capitalize()


def _as_sentence(text: str) -> str:
    text = text.strip().rstrip(",;:").rstrip()  # an utterance cut at a comma still ends as a sentence
    if not text or text[-1] in ".!?…":
        return text
    if text[-1] in "\"'”" and text[-2:-1] in (".", "!", "?", "…"):
        return text  # a quotation that already ends its sentence
    return text + "."


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _key_sentences(text: str, k: int, limit: int = 240) -> str:
    """The ``k`` most central sentences of ``text`` (of at least 4 words when possible), in order."""
    sentences = [x.strip() for x in _SENTENCE_END.split(text.strip()) if x.strip()]
    evidence_lines = ("Visually:", "Heard:")  # the segment writer's own notes, not sentences to quote
    long_enough = [x for x in sentences if len(x.split()) >= 4 and not x.startswith(evidence_lines)] or sentences
    if not long_enough:
        return ""
    best = sorted(rank_by_centrality(long_enough)[:k])
    out = " ".join(long_enough[i] for i in best)
    return out if len(out) <= limit * k else out[: limit * k - 1].rsplit(" ", 1)[0] + "…"


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def attributed(speaker: str, sentence: str) -> str:
    """``S2 asks: …?`` / ``S1 says: ….`` when the speaker is known, else the sentence (no quotation
    marks: the summary splits descriptions into sentences at ``.?!`` followed by a space)."""
    if not speaker or not sentence:
        return sentence
    verb = "asks" if sentence.rstrip("\"'”").endswith("?") else "says"
    return f"{speaker} {verb}: {sentence}"
