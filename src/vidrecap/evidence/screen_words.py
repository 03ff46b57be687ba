"""Words read on screen, handed to the recogniser so that names are spelled as shown.

The visual and speech passes run in two threads. The visual pass reports every cell's on-screen
text (OCR) here as it finishes it (cells restored from its journal first); the speech pass asks
for the words near a window and waits until the visual pass has read that far (it is usually
ahead: recognition is the slower pass) or has ended. So the words a window gets depend only on
the file, never on how far the other thread happened to be: a resumed run equals an
uninterrupted one. The speech pass journals them with the window.
"""

from __future__ import annotations

import re
import threading

from ..media.audio import SAMPLE_RATE
from ..results import CELL_SECONDS

BEHIND = 20.0  # s of on-screen text before a window that may name what is said in it
AHEAD = 10.0  # s after it (a slide often follows its first mention)
MAX_WORDS = 40  # Whisper's prompt holds about 220 tokens; keep most of it for the window's own text


class ScreenWords:
    """Thread-safe on-screen text per cell, with a wait for the visual pass to reach a time."""

    def __init__(self, duration: float):
        self.duration = duration
        self._texts: dict[int, str] = {}
        self._until = 0.0
        self._closed = False
        self._cond = threading.Condition()

    def add(self, cell: int, text: str) -> None:
        """The visual pass finished ``cell`` (cells arrive in order)."""
        with self._cond:
            if text:
                self._texts[cell] = text
            self._until = max(self._until, (cell + 1) * CELL_SECONDS)
            self._cond.notify_all()

    def close(self) -> None:
        """The visual pass ended (done, or failed): waiting for more is pointless."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def near(self, start: float, end: float) -> str:
        """The on-screen words around ``start..end``, once the visual pass has read that far."""
        need = min(end + AHEAD, self.duration)
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._until >= need - 1e-6)
            first, last = int((start - BEHIND) // CELL_SECONDS), int((end + AHEAD) // CELL_SECONDS)
            texts = [self._texts[c] for c in sorted(self._texts) if first <= c <= last]
        return hotwords(texts)


def hotwords(texts: list[str], limit: int = MAX_WORDS) -> str:
    """Distinct on-screen lines, in order of appearance, as one space-separated prompt of at most
    ``limit`` words (separators such as "·" or commas make Whisper echo the list)."""
    seen: set[str] = set()
    words: list[str] = []
    for text in texts:
        for line in text.splitlines():
            line = " ".join(re.findall(r"[\w'’&.-]+", line)).strip(" .-")
            key = line.lower()
            if len(line) < 2 or key in seen:
                continue
            seen.add(key)
            words += line.split()
    return " ".join(words[:limit])


MIN_WORD_RATE = 0.6  # words per second of window audio below which a prompted window lost its speech


def recognise(asr, audio, shown: str = ""):
    """``asr.transcribe`` with ``shown`` as hotwords when the recogniser takes them. A prompted
    result that loops or keeps too few words (Whisper can copy the prompt instead of listening) is
    replaced by the plain result."""
    if not shown or not getattr(asr, "takes_hotwords", False):
        return asr.transcribe(audio, 0.0)
    segs, lang = asr.transcribe(audio, 0.0, hotwords=shown)
    from ..writing.validation import cut_repetition

    text = " ".join(s.text for s in segs)
    seconds = audio.size / SAMPLE_RATE
    if cut_repetition(text, 4)[1] or len(text.split()) < MIN_WORD_RATE * seconds:
        return asr.transcribe(audio, 0.0)
    return segs, lang
