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
from ..text.keyphrases import as_title, real_candidates
from ..text.salience import content_tokens, rank_by_centrality
from ..text.sentences import description_budget, slide_sentence, summary_budget, whole_sentences, within, word_count
from ..text.titles import slide_lines, slide_title
from .claims import CONFIDENT_TAG

MIN_TAG_SCORE = 0.12
SLIDES_SHARE = 0.5  # a span showing on-screen text this much of the time is "slides"
# ImageNet labels that a classifier gives to slides, screens and text: noise to a reader
SCREEN_LABELS = frozenset({
    "website", "web site", "monitor", "CRT monitor", "screen", "television", "menu", "crossword",
    "comic book", "envelope", "scoreboard", "book jacket", "digital clock", "notebook computer",
    "laptop computer", "desktop computer", "traffic or street sign", "product packet / packaging",
})
MIN_SOUND_SCORE = 0.3


def describe_tags(tags: Sequence[Tag], limit: int = 2, slides: bool = False, floor: float = MIN_TAG_SCORE) -> str:
    """What is seen, in words: tags scoring ``floor`` or more that are not screen noise; "slides" when
    text is shown. A clip caption (evidence) takes guesses from ``MIN_TAG_SCORE``; what a writer
    publishes takes ``CONFIDENT_TAG`` (a weak tag is no evidence that a sea lion was there)."""
    if slides:
        return "slides"
    names = [t.label for t in tags if t.score >= floor and t.label not in SCREEN_LABELS]
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
    uses_frames = False  # composed from the evidence only: no key frame is decoded for it

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
        """Whole sentences within the chapter's word budget, the cleanest source first: what its
        slides list, then its most central spoken sentences in time order; then what is seen and heard."""
        title = _title(req)
        budget = description_budget(req.end - req.start)
        shown = _slide_points(req)
        several = len({s.speaker for s in req.speech if s.speaker}) > 1  # name turns only in a conversation
        said = [attributed(_speaker_of(req.speech, a, b) if several else "", text)
                for a, b, text in _salient_sentences(req.speech, self.k)]
        points = within([*shown, *said], budget)
        parts = list(points)
        seen = [*req.seen, describe_tags(req.tags, limit=3, slides=req.slides >= SLIDES_SHARE, floor=CONFIDENT_TAG)]
        if any(seen):
            parts.append(f"Visually: {'; '.join(p for p in seen if p)}.")
        if req.heard:
            parts.append(f"Heard: {' and '.join(req.heard)}.")
        text = " ".join(parts) if parts else "A stretch with no speech, text or recognisable content."
        return Written(text=text, title=title)

    def _summary(self, req: WriteRequest) -> Written:
        """What the video is in one sentence, then a line per chapter: its title and, where the
        word budget allows, its first point (a whole sentence); every chapter is named."""
        title = video_title(req)
        n = len(req.children)
        head = _opening(req, title)
        budget = summary_budget(req.end - req.start) - word_count(head)
        if n == 1:
            said = _points(req.children[0].text, _title_of(req, 0))
            return Written(text="\n".join([head, *within(said, budget)]), title=title)
        names = [f"[{_clock(c.start)}] {_chapter_name(req, i)}" for i, c in enumerate(req.children)]
        points = [_points(c.text, _title_of(req, i)) for i, c in enumerate(req.children)]
        chosen = [""] * n
        left = budget - sum(word_count(x) for x in names)
        share = max(0.0, left) / n
        for i in range(n):  # an even share first, so that every chapter may say something
            chosen[i] = next((p for p in points[i] if word_count(p) <= share), "")
        left -= sum(word_count(x) for x in chosen)
        longest_first = sorted(range(n), key=lambda i: req.children[i].start - req.children[i].end)
        for i in longest_first:  # what is left goes to the longest chapters still without a point
            if not chosen[i]:
                chosen[i] = next((p for p in points[i] if word_count(p) <= left), "")
                left -= word_count(chosen[i])
        lines = [f"{name}: {point}" if point else f"{name}." for name, point in zip(names, chosen, strict=True)]
        return Written(text="\n".join([head, *lines]), title=title)


def _opening(req: WriteRequest, title: str) -> str:
    """One sentence saying what the video is: its length, its subject and how many chapters."""
    minutes = (req.end - req.start) / 60.0
    length = f"{minutes:.0f}-minute" if minutes >= 1.5 else f"{req.end - req.start:.0f}-second"
    n = len(req.children)
    titles = [_title_of(req, i) for i in range(n)]
    if title and not title[:1].isdigit():
        parts = f", in {n} chapters" if n > 1 else ""
        return f"A {length} video about {title}{parts}."
    if n > 1 and titles[0] and titles[-1]:
        return f"A {length} video on {n} topics, from {titles[0]} to {titles[-1]}."
    return f"A {length} video in {n} part{'s' if n != 1 else ''}."


def _chapter_name(req: WriteRequest, i: int) -> str:
    return _title_of(req, i) or f"Part {i + 1}"


def _points(text: str, name: str) -> list[str]:
    """The whole sentences of a chapter's description in its order (the cleanest source first),
    without its evidence notes ("Visually:") and without a bare repeat of its title."""
    sentences = [x.strip() for x in _SENTENCE_END.split(text.strip()) if x.strip()]
    return [x for x in sentences if not x.startswith(("Visually:", "Heard:", "A stretch with no"))
            and x[-1] in ".!?" and x.strip(" .").lower() != name.lower()]


def _slide_points(req: WriteRequest) -> list[str]:
    """The span's slides as sentences: each slide's lines after its title, in order shown; only
    slides shown long enough to belong to the span (not the previous chapter's last seconds)."""
    out = []
    shown: Counter = Counter()
    for run in req.on_screen:
        shown[run.text] += run.end - run.start
    enough = min(4.0, 0.2 * (req.end - req.start))
    for run in req.on_screen:
        points = slide_lines(run.text)[1] if shown[run.text] >= enough - 1e-6 else []
        point = slide_sentence(points) if points else ""
        if point and point not in out:
            out.append(point)
    return out


def _salient_sentences(speech: Sequence[TimedText], k: int) -> list[tuple[float, float, str]]:
    """The ``k`` most central whole sentences of the speech as ``(start, end, text)``, in time order;
    with none whole (a span of fragments only), its longest utterance as a sentence rather than nothing."""
    sentences = whole_sentences((s.start, s.end, s.text) for s in speech)
    if not sentences:
        longest = max(speech, key=lambda s: len(s.text.strip()), default=None)
        text = longest.text.strip() if longest is not None else ""
        if len(text.split()) < 3:
            return []
        return [(longest.start, longest.end, _as_sentence(text[:1].upper() + text[1:]))]
    order = rank_by_centrality([x[2] for x in sentences])[:k]
    return [tuple(sentences[i]) for i in sorted(order)]


def _speaker_of(speech: Sequence[TimedText], start: float, end: float) -> str:
    """The speaker of the utterance overlapping ``[start, end]`` the most ("" when none is known)."""
    overlap: Counter = Counter()
    for s in speech:
        if s.speaker:
            overlap[s.speaker] += max(0.0, min(end, s.end) - max(start, s.start))
    best = overlap.most_common(1)
    return best[0][0] if best and best[0][1] > 0 else ""


def _title_of(req: WriteRequest, i: int) -> str:
    return req.child_titles[i] if i < len(req.child_titles) else ""


def video_title(req: WriteRequest) -> str:
    """A title for the whole video, not its first part.

    A key phrase of the whole speech that most chapters mention (as the first chapter title that
    contains it, e.g. the opening title card); else the title of chapters filling most of the
    video; else ``N topics: A, B and C``, the titles of the three longest chapters in time order.
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
    if len(named) <= 1:
        return named[0] if named else ""
    longest = sorted(dict.fromkeys(t for t, _ in share.most_common(3)), key=titles.index)
    listed = ", ".join(longest[:-1]) + " and " + longest[-1] if len(longest) > 1 else longest[0]
    return f"{n} topics: {listed}"


def _title(req: WriteRequest) -> str:
    """The first slide or title card shown in the span, else its best key phrase, else its most
    said phrase of real words, else what is seen."""
    shown = slide_title(((t.start, t.end, t.text) for t in req.on_screen), req.end - req.start)
    if shown or (req.on_screen and not req.speech):
        return shown or first_line(slide_lines(req.on_screen[0].text)[0], limit=60)
    if req.key_phrases:
        return as_title(req.key_phrases[0])
    text = " ".join(s.text for s in req.speech)
    said = real_candidates(text)
    if said:
        return as_title(max(said, key=lambda p: (said[p], -p.count(" "))))
    return describe_tags(req.tags, floor=CONFIDENT_TAG).capitalize()


def _as_sentence(text: str) -> str:
    text = text.strip().rstrip(",;:").rstrip()  # an utterance cut at a comma still ends as a sentence
    if not text or text[-1] in ".!?…":
        return text
    if text[-1] in "\"'”" and text[-2:-1] in (".", "!", "?", "…"):
        return text  # a quotation that already ends its sentence
    return text + "."


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


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
