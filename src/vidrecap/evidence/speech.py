"""Speech pass: stream audio → voice activity → recognise speech windows at their true offsets.

faster-whisper's own VAD filter concatenates speech chunks and maps timestamps back afterwards;
after long silences that mapping is known to shift words. We run the VAD ourselves and
transcribe each contiguous window of speech (≤ ``WINDOW_SECONDS``, Whisper's context) separately,
with its absolute offset, so a timestamp can never drift past a silence. Audio is processed in
bounded buffers (memory is flat in video length); each window is journaled for resume.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..backends.base import SpeechRecognizer
from ..media.audio import SAMPLE_RATE, iter_audio_blocks
from ..results import SpeechSegment, Transcript
from ..util.journal import Journal

WINDOW_SECONDS = 28.0
BUFFER_SECONDS = 90.0
SETTLE_SECONDS = 3.0  # speech ending this close to the buffer's end may continue: wait for more
PAD = 0.3


def speech_regions(audio: np.ndarray, offset: float) -> list[tuple[float, float]]:
    """Voice-activity regions (absolute seconds) with Silero VAD, as packaged by faster-whisper."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(min_silence_duration_ms=500, speech_pad_ms=200, max_speech_duration_s=WINDOW_SECONDS)
    return [(offset + r["start"] / SAMPLE_RATE, offset + r["end"] / SAMPLE_RATE)
            for r in get_speech_timestamps(audio, opts)]


def pack_windows(regions: list[tuple[float, float]], limit: float = WINDOW_SECONDS) -> list[tuple[float, float]]:
    """Group consecutive regions into windows no longer than ``limit`` seconds."""
    windows: list[list[float]] = []
    for start, end in regions:
        if windows and end - windows[-1][0] <= limit:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    return [(s, e) for s, e in windows]


class SpeechPass:
    """Runs one recogniser over a file's audio, resuming from ``journal_path``."""

    def __init__(self, asr: SpeechRecognizer, journal_path: Path,
                 on_progress: Callable[[float], None] | None = None):
        self.asr, self.journal = asr, Journal(journal_path)
        self.on_progress = on_progress or (lambda t: None)

    def journal_complete(self) -> bool:
        entries = self.journal.read()
        return bool(entries) and bool(entries[-1].get("final"))

    def run(self, path: str, duration: float) -> Transcript:
        done = self.journal.read()
        segments = [SpeechSegment.from_dict(s) for e in done for s in e["segments"]]
        language = next((e["language"] for e in reversed(done) if e.get("language")), "")
        until = done[-1]["until"] if done else 0.0
        if not (done and done[-1].get("final")):
            self.on_progress(until)
            with self.journal:
                for seg_batch, lang, reached in self._windows(path, until, duration):
                    segments.extend(seg_batch)
                    language = lang or language
                    self.on_progress(reached)
        self.on_progress(duration)
        return Transcript(language, sorted(segments, key=lambda s: s.start))

    def _windows(self, path: str, start: float, duration: float):
        buf, buf_start = np.zeros(0, np.float32), start
        for offset, block in iter_audio_blocks(path, start_time=start):
            if buf.size == 0:
                buf_start = offset
            buf = np.concatenate([buf, block])
            if buf.size >= BUFFER_SECONDS * SAMPLE_RATE:
                buf, buf_start = yield from self._drain(buf, buf_start, final=False)
        yield from self._drain(buf, buf_start, final=True)

    def _drain(self, buf: np.ndarray, buf_start: float, final: bool):
        buf_end = buf_start + buf.size / SAMPLE_RATE
        regions = speech_regions(buf, buf_start) if buf.size else []
        closed = regions if final else [r for r in regions if r[1] < buf_end - SETTLE_SECONDS]
        cut = buf_end
        if not final:
            still_open = [r for r in regions if r[1] >= buf_end - SETTLE_SECONDS]
            cut = still_open[0][0] - PAD if still_open else buf_end - SETTLE_SECONDS
        for w_start, w_end in pack_windows(closed):
            lo = max(buf_start, w_start - PAD)
            hi = min(buf_end, w_end + PAD)
            audio = buf[int((lo - buf_start) * SAMPLE_RATE):int((hi - buf_start) * SAMPLE_RATE)]
            segs, lang = self.asr.transcribe(audio, lo)
            segs = [_clamp(s, lo, hi) for s in segs]
            until = min(hi, cut) if not final else hi
            self.journal.append({"until": until, "language": lang, "segments": [asdict(s) for s in segs]})
            yield segs, lang, until
        cut = max(cut, buf_start)
        if final:
            self.journal.append({"until": buf_end, "language": "", "segments": [], "final": True})
            yield [], "", buf_end
            return np.zeros(0, np.float32), buf_end
        return buf[int((cut - buf_start) * SAMPLE_RATE):], cut


def _clamp(seg: SpeechSegment, lo: float, hi: float) -> SpeechSegment:
    for w in seg.words:
        w.start, w.end = min(max(w.start, lo), hi), min(max(w.end, lo), hi)
    seg.start, seg.end = min(max(seg.start, lo), hi), min(max(seg.end, lo), hi)
    return seg
