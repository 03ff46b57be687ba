"""Which language is spoken, when Whisper's own detection is unsure.

Whisper base detects the language from the first 30 s of a window. On accented, synthetic or
noisy speech it is often unsure and wrong (espeak-ng German comes out as Welsh at 32 %, French as
Thai or Khmer), and everything after is garbage: a transcript in the wrong script, or a
"translation" that is one invented English sentence repeated. When the detection is unsure, each
likely candidate transcribes the window once and the one whose words are most often real words of
its language wins (word lists from Debian: ``wamerican``, ``wngerman``, ``wfrench``, ``wspanish``,
... whichever are installed). A decisive choice is kept for the rest of the file.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

SURE = 0.9  # Whisper's own probability above which its detection is taken as it is
CANDIDATES = 3  # likeliest languages tried when it is unsure
MIN_PROBABILITY = 0.03  # a language less likely than this is not tried
DECISIVE = 0.6  # share of real words that settles the language for the whole file
DICT_DIR = Path("/usr/share/dict")
WORD_LISTS = {"en": ("american-english", "british-english"), "de": ("ngerman", "ogerman"), "fr": ("french",),
              "es": ("spanish",), "it": ("italian",), "pt": ("portuguese",), "nl": ("dutch",),
              "sv": ("swedish",), "da": ("danish",), "nb": ("bokmaal",), "pl": ("polish",)}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


@functools.cache
def word_list(language: str) -> frozenset[str]:
    """Lower-cased words of ``language`` from the installed Debian lists (empty when none)."""
    words: set[str] = set()
    for name in WORD_LISTS.get(language, ()):
        path = DICT_DIR / name
        if path.is_file():
            words.update(w.strip().lower() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines())
    return frozenset(w for w in words if w)


def real_word_share(text: str, language: str) -> float:
    """Share of ``text``'s words (2+ letters, split at apostrophes) found in ``language``'s list;
    0.0 when the language has no list or the text no words."""
    vocab = word_list(language)
    tokens = [t.lower() for t in _TOKEN.findall(text) if len(t) > 1]
    if not vocab or not tokens:
        return 0.0
    return sum(t in vocab for t in tokens) / len(tokens)


def choose_language(model, audio: np.ndarray, decode) -> tuple[str | None, bool]:
    """(language to decode ``audio`` with, whether the choice is decisive for the whole file).

    ``model``: a faster-whisper ``WhisperModel``; ``decode(language) -> text`` transcribes the audio
    in that language. ``None`` leaves detection to Whisper (it was sure, or nothing could be checked).
    """
    language, probability, ranked = model.detect_language(audio)
    if probability >= SURE:
        return language, True
    tried = [code for code, p in ranked[:CANDIDATES] if p >= MIN_PROBABILITY or code == language]
    if not any(word_list(code) for code in tried):
        return None, False
    shares = {code: real_word_share(decode(code), code) for code in tried}
    best = max(tried, key=lambda code: (shares[code], -tried.index(code)))
    if shares[best] == 0.0:
        return None, False
    return best, shares[best] >= DECISIVE
