"""Other languages: the recogniser's language is fixed by a vote over several windows, titles and key
phrases of German, French and Spanish speech are real words of that language, and ``translate``
writes English at the times of the speech. Real Whisper base on espeak-ng narration; assertions are
on properties (a language, real words of the video, times inside the speech), never exact words."""

from __future__ import annotations

import re

import numpy as np
import pytest

import vidrecap
from tests.media import SR, Part, build_video, speech
from vidrecap.evidence.speech import LIKELY_LANGUAGES, SpeechPass
from vidrecap.text.keyphrases import candidate_phrases, real_candidates
from vidrecap.text.language import spoken
from vidrecap.text.salience import content_tokens
from vidrecap.text.vocabulary import is_word

NARRATION = {
    "de": ["Guten Morgen. Heute sprechen wir über das Wetter in Berlin und über den Winter.",
           "Im Winter ist es in Berlin oft kalt, und das Wetter ist grau. Im Sommer gehen die Menschen "
           "gern in den Park, denn das Wetter ist warm."],
    "fr": ["Bonjour à tous. Aujourd'hui nous parlons du pain et de la boulangerie.",
           "Le boulanger cuit le pain chaque matin. Les enfants aiment le pain chaud de la boulangerie, "
           "et le boulanger vend aussi des croissants."],
    "es": ["Buenos días. Hoy hablamos del mercado de Madrid y de la fruta fresca.",
           "Cada mañana el mercado abre temprano. La gente compra fruta, pan y queso en el mercado, "
           "y la fruta es muy fresca."],
}
LIGHT = dict(ocr="none", faces="none", objects="none", picture="none", sounds="none", hotwords=False)


def test_function_words_of_the_speech_language_never_make_a_title():
    text = "Heute sprechen wir über das Wetter in Berlin. Das Wetter in Berlin ist über den Winter kalt."
    with spoken("de"):
        assert is_word("über") and is_word("sprechen")
        assert "das" not in content_tokens(text) and "wetter" in content_tokens(text)
        phrases = real_candidates(text)
        every = {w for p in candidate_phrases(text) for w in p.split()}
    assert phrases and all(not {"das", "ber", "in", "den"} & set(p.split()) for p in phrases), phrases
    assert "ber" not in every and "wetter" in every  # a word is never cut at its umlaut
    assert not is_word("sprechen")  # outside the block: English only


class Voter:
    """A recogniser whose windows sound like Welsh, then English, then German (Whisper base on espeak)."""

    language = None
    votes = [{"cy": 0.6, "de": 0.3, "en": 0.1}, {"en": 0.45, "de": 0.4, "cy": 0.15}, {"de": 0.4, "en": 0.3}]

    def language_probabilities(self, audio):
        return self.votes[int(audio[0])]


class Window:
    def __init__(self, k):
        self.k = k

    def audio(self):
        return np.full(10, float(self.k), np.float32)


def test_language_is_voted_over_windows_among_likely_languages(tmp_path):
    asr = Voter()
    windows = [(Window(k % 3), None) for k in range(5)]
    out = list(SpeechPass(asr, tmp_path / "journal.jsonl")._voted(iter(windows)))
    assert out == windows  # every window still recognised, in order
    assert "cy" not in LIKELY_LANGUAGES and asr.language == "de"  # no window's own first choice
    asr.language, asr.votes = "fr", None  # given (--language) or restored: no vote
    assert list(SpeechPass(asr, tmp_path / "j2.jsonl")._voted(iter(windows))) == windows and asr.language == "fr"


@pytest.fixture(scope="module", params=sorted(NARRATION))
def narrated(request, tmp_path_factory):
    """A 2-part video narrated in one language, and where its speech lies."""
    lang = request.param
    path = tmp_path_factory.mktemp(f"lang-{lang}") / f"{lang}.mp4"
    parts, spans, t = [], [], 0.0
    for say, clip in zip(NARRATION[lang], ("city", "tree"), strict=True):
        seconds = len(speech(say, 150, lang)) / SR
        parts.append(Part(round(seconds + 2.0, 1), footage=clip, say=say, voice=lang, speed=150))
        spans.append((t + 0.5, t + 0.5 + seconds))
        t += parts[-1].seconds
    build_video(path, parts)
    return lang, path, spans


def _inside(segment, spans, slack=1.5):
    return any(a - slack <= segment.start and segment.end <= b + slack for a, b in spans)


def test_speech_in_another_language_gets_titles_of_its_own_words(narrated):
    lang, path, spans = narrated
    recap = vidrecap.recap(path, **LIGHT)
    assert recap.transcript.language == lang
    said = " ".join(s.text for s in recap.transcript.segments).lower()
    assert recap.transcript.segments and all(_inside(s, spans) for s in recap.transcript.segments)
    words = set(re.findall(r"[^\W\d_]+", said))
    with spoken(lang):
        for title in [s.title for s in recap.segments]:
            parts = re.findall(r"[^\W\d_]+", title.lower())
            assert parts and all(w in words and is_word(w) for w in parts), (title, said)
    assert recap.summary.text.strip() and re.search(r"[.!?]\W*$", recap.summary.text.strip())


def test_translate_writes_english_at_the_times_of_the_speech(narrated):
    lang, path, spans = narrated
    recap = vidrecap.recap(path, translate=True, **LIGHT)
    segs = recap.transcript.segments
    assert segs, "translating left no text"
    assert all(_inside(s, spans) for s in segs), [(s.start, s.end) for s in segs]
    native = vidrecap.recap(path, **LIGHT).transcript.segments  # cached by the test above
    share = _english_share(segs)
    said, written = _words(native), _words(segs)
    assert share >= 0.5, (share, [s.text for s in segs])  # English words, mostly
    assert len(said & written) <= 0.5 * len(written), (said & written)  # not the speech's own words


def _words(segments) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{2,}", " ".join(s.text for s in segments))}


def _english_share(segments) -> float:
    """The share of a text's words (two letters or more) that are English words."""
    words = re.findall(r"[^\W\d_]{2,}", " ".join(s.text for s in segments))
    return sum(is_word(w) for w in words) / max(1, len(words))  # outside ``spoken``: English lists only
