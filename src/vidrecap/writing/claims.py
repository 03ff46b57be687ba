"""What a model writer claims, and whether the evidence stands behind it.

A *claim* is a name, a number or a noun-like content word: the things a reader takes as facts.
Verbs, adjectives and words about the video itself ("filmed", "footage", "specific") are not
claims. The checks here hold generated text to what a person would accept:

- ``echoes_instructions``: a title or sentence made of the prompt's own words ("A Short Title, at
  most 8 words", "a short summary of a video that has") is an echo, not a description;
- ``content_free``: a sentence with no claim ("The video is filmed on a specific type of filming
  equipment.") says nothing;
- ``Grounds``: the words that support a claim. Speech, on-screen text, titles, the detectors'
  confident findings and confident visual tags count; a word known only from a weak tag (an
  ImageNet guess below ``CONFIDENT_TAG``) does not, even when a caption repeated it;
- ``chapters_named``: which chapter titles a summary names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..backends.base import WriteRequest
from .messages import SYSTEM, WRITTEN_SCHEMA, write_messages

CONFIDENT_TAG = 0.5  # a visual tag below this mean probability is a guess, not evidence
ECHO_NGRAM = 4  # words in a row shared with the instructions (and not with the evidence)

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|[0-9][0-9.,:]*[0-9]|[0-9]")
_SENTENCE = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")

_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our ours out over own same she should so some
    such than that the their theirs them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your there's it's""".split()
)
# words about the video, the recording or the writing itself: never a claim about the content
_META = frozenset(
    """video videos clip clips segment segments part parts scene scenes footage film films filmed filming
    camera cameras equipment recording recorded record shot shots frame frames image images picture
    pictures visual visuals viewer viewers audience screen content contents moment moments overall whole
    specific type types kind kinds sort various variety certain different particular several many much
    lot lots thing things something someone somebody anything everything way ways aspect aspects
    element elements feature features featured featuring focus focuses focused main mainly topic topics
    subject subjects information detail details example examples style overview summary summaries
    description descriptions title titles text texts note notes sentence sentences word words short
    long brief briefly general generally seems seem appears appear shown show shows showing seen see
    sees present presents presented presenting showcase showcases showcasing depicts depict depicting
    display displays displayed displaying include includes including included provide provides
    providing begins begin begin starts start continues continue ends end describes describe
    discusses discuss discussed talks talk explains explain highlights highlight captures capture
    captured interesting important beautiful nice good great new old first next last finally later
    then also simply just really quite rather perhaps likely possibly clearly""".split()
)
# common verbs and adjectives: content words, but not things a claim is about
_NOT_NOUNS = frozenset(
    """add adds added adding make makes made making take takes took taken taking use uses used using
    get gets got getting put puts go goes went going come comes came coming give gives gave given
    look looks looked looking keep keeps kept turn turns turned turning move moves moved moving
    hold holds held holding walk walks walked walking stand stands stood standing sit sits sat sitting
    run runs ran running open opens opened close closes closed fill fills filled cut cuts help helps
    helped tell tells told say says said speak speaks spoke talked explained learn learns learned
    know knows knew think thinks thought want wants need needs needed try tries tried work works
    worked call calls called find finds found leave leaves left bring brings brought become becomes
    became big small large little high low hot cold warm fresh young clean clear full empty easy hard
    simple quick quickly slow slowly well best better more less most least other another same own
    right left good bad real true whole together around away back along near far inside outside""".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text.strip()) if s.strip()]


def stem(word: str) -> str:
    word = word.lower().strip("'-").replace("'s", "")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def claims(text: str) -> list[str]:
    """Names, numbers and noun-like content words of ``text``, in order."""
    out = []
    for word in words(text):
        lower = word.lower()
        if word[0].isdigit():
            out.append(word)
        elif len(lower) >= 3 and lower not in _STOP and lower not in _META and lower not in _NOT_NOUNS:
            out.append(word)
    return out


@dataclass(frozen=True)
class Grounds:
    """The vocabulary that supports claims: strong evidence, and words only a weak tag gives."""

    strong: frozenset[str]
    weak_only: frozenset[str]

    def supports(self, word: str) -> bool:
        return stem(word) in self.strong or word.lower() in self.strong

    def only_weak(self, word: str) -> bool:
        return not self.supports(word) and (stem(word) in self.weak_only or word.lower() in self.weak_only)


def _vocab(texts: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        for w in words(text):
            out.add(w.lower())
            out.add(stem(w))
    return out


def grounds_of(request: WriteRequest) -> Grounds:
    """What supports a claim about ``request``'s span (weak-tag words removed from the captions)."""
    weak_tags = {t.label for t in request.tags if t.score < CONFIDENT_TAG}
    direct = [s.text for s in request.speech] + [s.text for s in request.on_screen] + list(request.child_titles)
    direct += list(request.seen) + list(request.heard) + list(request.key_phrases)
    direct += [t.label for t in request.tags if t.score >= CONFIDENT_TAG]
    strong = _vocab(direct)
    weak = _vocab(weak_tags) - strong
    strong |= _vocab(c.text for c in request.children) - weak  # captions, less what only a weak tag says
    return Grounds(frozenset(strong), frozenset(weak))


@functools.lru_cache(maxsize=1)
def instruction_words() -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """Words and ``ECHO_NGRAM``-grams of every instruction the writers are given (prompts, schema)."""
    texts = [SYSTEM, str(WRITTEN_SCHEMA)]
    for level in ("segment", "summary"):
        for structured in (True, False):
            texts.append(str(write_messages(WriteRequest(level, 0.0, 1.0, []), structured=structured)[-1]["content"]))
    vocab = {w.lower() for t in texts for w in words(t)}
    grams = set()
    for text in texts:
        ws = [w.lower() for w in words(text)]
        grams |= {tuple(ws[i:i + ECHO_NGRAM]) for i in range(len(ws) - ECHO_NGRAM + 1)}
    return frozenset(vocab), frozenset(grams)


def echoes_instructions(text: str, grounds: Grounds) -> bool:
    """``text`` repeats the instructions: it shares a run of words with them, or every word it has
    beyond stop words is an instruction word (and none is a claim the evidence supports)."""
    vocab, grams = instruction_words()
    ws = [w.lower() for w in words(text)]
    if not ws:
        return False
    if any(tuple(ws[i:i + ECHO_NGRAM]) in grams for i in range(len(ws) - ECHO_NGRAM + 1)):
        return not any(grounds.supports(c) for c in claims(text))
    content = [w for w in ws if w not in _STOP]
    return bool(content) and all(w in vocab or w in _META for w in content) and \
        not any(grounds.supports(c) for c in claims(text))


def content_free(sentence: str) -> bool:
    """A sentence with no claim at all (only words about the video, stop words and common verbs)."""
    return not claims(sentence)


def weak_claims(sentence: str, grounds: Grounds) -> list[str]:
    """Claims of ``sentence`` that only a weak visual tag supports."""
    return [c for c in claims(sentence) if grounds.only_weak(c)]


def faithfulness(text: str, grounds: Grounds) -> tuple[float, int, list[str]]:
    """(supported claims / claims, claims, the unsupported ones); 1.0 when there is no claim."""
    found = claims(text)
    if not found:
        return 1.0, 0, []
    missing = [c for c in found if not grounds.supports(c)]
    return 1.0 - len(missing) / len(found), len(found), list(dict.fromkeys(missing))


def chapters_named(text: str, titles: Sequence[str]) -> list[bool]:
    """For each chapter title, whether ``text`` names it: one of its claims (stemmed) occurs."""
    said = _vocab([text])
    out = []
    for title in titles:
        keys = claims(title) or [w for w in words(title) if w.lower() not in _STOP]
        out.append(not keys or any(stem(k) in said or k.lower() in said for k in keys))
    return out
