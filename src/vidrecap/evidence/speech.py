"""Speech pass: stream audio → voice activity → spliced speech-only windows → words at file times.

Silences longer than about a second are cut out: the speech regions found by Silero VAD are
spliced (with a short gap between them) into windows of up to ``WINDOW_SECONDS`` of speech, each
window is recognised in one Whisper call, and every word is mapped back through the offset of the
region it lies in (a word never crosses a region). No silence is decoded, speech after a long
pause cannot be dropped by Whisper, and times stay exact after any silence.

Everything is a function of the file, not of where a run started: the audio is always decoded
from the start (decoding is cheap next to recognition) in fixed ``BLOCK_SECONDS`` blocks, VAD runs
on each block alone, and windows are packed greedily from the first region after the last
journaled window. A resumed run therefore plans exactly the windows an uninterrupted run plans.
Memory holds one block plus the pending window's speech, whatever the length of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..backends.base import SpeechRecognizer
from ..media.audio import SAMPLE_RATE, iter_audio_blocks
from ..results import SpeechSegment, Transcript, Word
from ..util.journal import Journal
from ..util.memory import release_free_memory
from .screen_words import ScreenWords, recognise

BLOCK_SECONDS = 30.0  # VAD block; fixed grid from the start of the audio
WINDOW_SECONDS = 29.0  # spliced speech per Whisper call (its context is 30 s)
SPLICE_GAP = 1.0  # silence between two spliced regions: never longer than the pause it replaces
MIN_SILENCE = 1.0  # shorter pauses stay inside a region
SPEECH_PAD = 0.5  # kept on both sides of detected speech (Whisper misreads clipped word edges)
VOTE_WINDOWS = 3  # speech windows whose language probabilities are added before the language is fixed
# Languages with 500+ hours in Whisper's training data: the vote keeps to them, since Whisper base
# calls accented or synthetic German Welsh and French Khmer; any other language needs --language.
LIKELY_LANGUAGES = frozenset("en zh de es ru ko fr ja pt tr pl ca nl ar sv it id fi vi he uk el ta".split())
JOIN_TOLERANCE = 0.35  # regions this close to both sides of a block boundary are one region


@dataclass
class SpeechRegion:
    """A stretch of speech at file times ``start``..``end`` with its samples."""

    start: float
    end: float
    audio: np.ndarray = field(repr=False)

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE


@dataclass
class SplicedWindow:
    """Regions spliced into one recogniser input; maps its times back to file times."""

    regions: list[SpeechRegion]

    def audio(self) -> np.ndarray:
        gap = np.zeros(int(SPLICE_GAP * SAMPLE_RATE), np.float32)
        parts: list[np.ndarray] = []
        for i, r in enumerate(self.regions):
            if i:
                parts.append(gap)
            parts.append(r.audio)
        return np.concatenate(parts).astype(np.float32, copy=False)

    def spans(self) -> list[tuple[float, float]]:
        """Where each region lies in the spliced audio (seconds)."""
        out, t = [], 0.0
        for r in self.regions:
            out.append((t, t + r.seconds))
            t += r.seconds + SPLICE_GAP
        return out

    def region_of(self, start: float, end: float) -> int:
        """The region ``start..end`` (spliced times) overlaps most, else the one nearest its middle."""
        spans = self.spans()
        overlaps = [min(end, hi) - max(start, lo) for lo, hi in spans]
        best = max(range(len(spans)), key=lambda i: overlaps[i])
        if overlaps[best] > 0:
            return best
        mid = (start + end) / 2
        return min(range(len(spans)), key=lambda i: max(spans[i][0] - mid, mid - spans[i][1], 0.0))

    def to_file_time(self, t: float, region: int) -> float:
        lo, _ = self.spans()[region]
        r = self.regions[region]
        return round(float(min(max(r.start + (t - lo), r.start), r.end)), 3)

    def map_segment(self, seg: SpeechSegment) -> list[SpeechSegment]:
        """The segment at file times, split where its words cross from one region to the next
        (an utterance never spans a silence that was cut out)."""
        if not seg.words:
            i = self.region_of(seg.start, seg.end)
            return [SpeechSegment(self.to_file_time(seg.start, i), self.to_file_time(seg.end, i), seg.text)]
        groups: dict[int, list[Word]] = {}
        for w in seg.words:
            i = self.region_of(w.start, w.end)
            groups.setdefault(i, []).append(
                Word(self.to_file_time(w.start, i), self.to_file_time(w.end, i), w.text, w.probability))
        if len(groups) == 1:
            (words,) = groups.values()
            return [SpeechSegment(words[0].start, max(w.end for w in words), seg.text, words)]
        return [SpeechSegment(ws[0].start, max(w.end for w in ws), " ".join(w.text for w in ws), ws)
                for _, ws in sorted(groups.items())]


def detect_speech(audio: np.ndarray) -> list[tuple[int, int]]:
    """Speech regions (sample indices) of one block, with Silero VAD as packaged by faster-whisper."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(min_silence_duration_ms=int(MIN_SILENCE * 1000), speech_pad_ms=int(SPEECH_PAD * 1000),
                      max_speech_duration_s=WINDOW_SECONDS - 1.0)
    return [(r["start"], r["end"]) for r in get_speech_timestamps(audio, opts)]


def iter_regions(blocks: Iterator[tuple[float, np.ndarray]], resume_at: float = 0.0,
                 on_block: Callable[[float], None] | None = None) -> Iterator[SpeechRegion]:
    """Speech regions starting at or after ``resume_at``, from fixed audio blocks in file order."""
    # a region spans at most two blocks, so analysing from one block earlier rebuilds the joins
    for region in _joined_regions(blocks, resume_at - BLOCK_SECONDS, on_block):
        if region.start >= resume_at:
            yield region


def _joined_regions(blocks: Iterator[tuple[float, np.ndarray]], analyse_from: float,
                    on_block: Callable[[float], None] | None) -> Iterator[SpeechRegion]:
    """VAD regions per block; one reaching a block's end is joined to one starting the next block
    (when the two fit in one window), so speech cut by the block grid is one region again."""
    open_region: SpeechRegion | None = None
    for offset, block in blocks:
        block_end = offset + block.size / SAMPLE_RATE
        if block_end <= analyse_from:
            continue  # decoded, so every later sample equals a full run's, but not analysed
        regions = [SpeechRegion(offset + a / SAMPLE_RATE, offset + b / SAMPLE_RATE, block[a:b].copy())
                   for a, b in detect_speech(block)]
        if open_region is not None:
            first = regions[0] if regions else None
            if (first is not None and first.start - offset <= JOIN_TOLERANCE
                    and open_region.seconds + first.end - offset <= WINDOW_SECONDS):
                head = block[:int(round((first.end - offset) * SAMPLE_RATE))]
                regions[0] = SpeechRegion(open_region.start, first.end, np.concatenate([open_region.audio, head]))
            else:
                yield open_region
            open_region = None
        if regions and block_end - regions[-1].end <= JOIN_TOLERANCE and regions[-1].start >= offset:
            last = regions.pop()  # runs on to the block's end: it may continue in the next block
            tail = block[int(round((last.start - offset) * SAMPLE_RATE)):]
            open_region = SpeechRegion(last.start, block_end, tail)
        yield from regions
        if on_block:
            on_block(block_end)
    if open_region is not None:
        yield open_region


def plan_windows(regions: Iterator[SpeechRegion]) -> Iterator[tuple[SplicedWindow, float | None]]:
    """Pack regions greedily into windows of at most ``WINDOW_SECONDS`` of spliced audio.

    Yields each window with the start of the next region (``None`` after the last window).
    """
    current: list[SpeechRegion] = []
    length = 0.0
    for region in regions:
        added = region.seconds + (SPLICE_GAP if current else 0.0)
        if current and length + added > WINDOW_SECONDS:
            yield SplicedWindow(current), region.start
            current, length, added = [], 0.0, region.seconds
        current.append(region)
        length += added
    if current:
        yield SplicedWindow(current), None


class SpeechPass:
    """Runs one recogniser over a file's audio, resuming from ``journal_path``."""

    def __init__(self, asr: SpeechRecognizer, journal_path: Path,
                 on_progress: Callable[[float], None] | None = None, screen: ScreenWords | None = None):
        self.asr, self.journal = asr, Journal(journal_path)
        self.on_progress = on_progress or (lambda t: None)
        self.screen = screen  # on-screen words near each window go to the recogniser (names as shown)

    def journal_complete(self) -> bool:
        entries = self.journal.read()
        return bool(entries) and bool(entries[-1].get("final"))

    def run(self, path: str, duration: float) -> Transcript:
        done = self.journal.read()
        segments = [SpeechSegment.from_dict(s) for e in done for s in e.get("segments", [])]
        language = next((e["language"] for e in reversed(done) if e.get("language")), "")
        if not (done and done[-1].get("final")):
            resume_at = done[-1]["next"] if done else 0.0
            self._restore_language(done)
            self.on_progress(done[-1]["until"] if done else 0.0)
            with self.journal:
                for segs, lang in self._recognise(path, resume_at):
                    segments.extend(segs)
                    language = lang or language
        self.on_progress(duration)
        return Transcript(language, sorted(segments, key=lambda s: (s.start, s.end)))

    def _recognise(self, path: str, resume_at: float):
        blocks = iter_audio_blocks(path, block_seconds=BLOCK_SECONDS)
        regions = iter_regions(blocks, resume_at, self.on_progress)
        for window, next_start in self._voted(plan_windows(regions)):
            until = window.regions[-1].end
            shown = self.screen.near(window.regions[0].start, until) if self.screen is not None else ""
            segs, lang = self._transcribe(window, shown)
            self.journal.append({"until": until, "next": next_start if next_start is not None else until,
                                 "language": lang, "asr_language": getattr(self.asr, "language", None),
                                 "hotwords": shown, "segments": [asdict(s) for s in segs]})
            release_free_memory()
            yield segs, lang
        self.journal.append({"until": None, "segments": [], "final": True})

    def _voted(self, windows: Iterator) -> Iterator:
        """``windows``, after fixing the recogniser's language from the first ``VOTE_WINDOWS`` of them
        (their probabilities added, likely languages only) when none is given or restored: one
        window's detection is often wrong, and a language fixed once is the same in every window."""
        vote = getattr(self.asr, "language_probabilities", None)
        if vote is None or getattr(self.asr, "language", "") is not None:
            yield from windows
            return
        first = [w for _, w in zip(range(VOTE_WINDOWS), windows, strict=False)]
        total: dict[str, float] = {}
        for window, _ in first:
            for lang, p in vote(window.audio()).items():
                if lang in LIKELY_LANGUAGES:
                    total[lang] = total.get(lang, 0.0) + p
        if total:
            self.asr.language = max(total, key=total.__getitem__)
        yield from first
        yield from windows

    def _transcribe(self, window: SplicedWindow, shown: str = "",
                    retry: bool = True) -> tuple[list[SpeechSegment], str]:
        """Recognise a window; regions it left without words get one more call on their own.

        Whisper may end a window early (it ends decoding at a timestamp it thinks is the last, and
        it tends to skip a sentence that repeats the previous one): the retry keeps every word.
        ``shown``: on-screen words near the window, given as hotwords to a recogniser that takes them.
        """
        raw, lang = recognise(self.asr, window.audio(), shown)
        covered = {window.region_of(w.start, w.end) for s in raw for w in s.words}
        covered |= {window.region_of(s.start, s.end) for s in raw if not s.words}
        segs = [part for s in raw for part in window.map_segment(s)]
        missed = [r for i, r in enumerate(window.regions) if i not in covered]
        if retry and missed and len(missed) < len(window.regions):
            more, more_lang = self._transcribe(SplicedWindow(missed), shown, retry=False)
            segs, lang = segs + more, lang or more_lang
        return segs, lang

    def _restore_language(self, done: list[dict]) -> None:
        """A recogniser that fixed its language after a confident detection gets it back on resume."""
        locked = done[-1].get("asr_language") if done else None
        if locked and getattr(self.asr, "language", "") is None:
            self.asr.language = locked
