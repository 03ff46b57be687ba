"""The language the speech is in, for the word checks of titles, key phrases and the summary.

The segments stage runs inside ``spoken(transcript.language)``; the word checks then add that
language's stop words (package ``stop-words``) and its Debian word list (``wngerman``, ``wfrench``,
``wspanish``, ...) to the English ones, so German speech gets titles of German words and never
"Ber das meta" (a word cut at its umlaut, then two function words).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SPOKEN: contextvars.ContextVar[str] = contextvars.ContextVar("spoken", default="en")

# ISO 639-1 code -> the ``stop-words`` package's name and the Debian word lists (/usr/share/dict)
LANGUAGES = {
    "de": ("german", ("ngerman", "ogerman", "swiss")), "fr": ("french", ("french",)),
    "es": ("spanish", ("spanish",)), "it": ("italian", ("italian",)),
    "pt": ("portuguese", ("portuguese", "brazilian")), "nl": ("dutch", ("dutch",)),
    "sv": ("swedish", ("swedish",)), "da": ("danish", ("danish",)), "nb": ("norwegian", ("bokmaal",)),
    "no": ("norwegian", ("bokmaal",)), "fi": ("finnish", ()), "pl": ("polish", ("polish",)),
    "ca": ("catalan", ("catalan",)), "ru": ("russian", ()), "uk": ("ukrainian", ("ukrainian",)),
    "cs": ("czech", ()), "hu": ("hungarian", ()), "ro": ("romanian", ()), "tr": ("turkish", ()),
}
DICT = Path("/usr/share/dict")


@contextmanager
def spoken(language: str | None) -> Iterator[None]:
    """Within this block the word checks follow ``language`` (an ISO code; "" or None: English)."""
    token = _SPOKEN.set(normal(language))
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def normal(language: str | None) -> str:
    return (language or "en").split("-")[0].split("_")[0].lower() or "en"


def current() -> str:
    return _SPOKEN.get()


@functools.lru_cache(maxsize=8)
def stop_words(language: str) -> frozenset[str]:
    """Function words of ``language`` beyond the English list ("der", "und", "les"); empty for English
    or a language the ``stop-words`` package lacks."""
    name = LANGUAGES.get(language, ("", ()))[0]
    if not name:
        return frozenset()
    try:
        from stop_words import get_stop_words
    except ImportError:
        return frozenset()
    return frozenset(w.lower() for w in get_stop_words(name))


def word_lists(language: str) -> tuple[Path, ...]:
    """The Debian word lists of ``language`` that are installed."""
    return tuple(p for n in LANGUAGES.get(language, ("", ()))[1] if (p := DICT / n).is_file())


def signature() -> str:
    """What the language-specific checks read, for cache keys (installing a list changes titles)."""
    lists = sorted(p.name for code in LANGUAGES for p in word_lists(code))
    return ",".join(lists) + f";stop={bool(stop_words('de'))}"
