"""Sound pass: stream audio → log-mel patches (0.96 s, back to back) → sound classes per 2 s cell.

Runs as its own audio consumer beside the speech pass. A patch belongs to the cell holding its
centre; a cell's score per class is the mean over its patches, and the strongest classes above
``MIN_SCORE`` are kept. Each finished cell is journaled, so a killed run resumes at the first
unfinished cell; memory is one audio block plus one patch of overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from ..media.audio import SAMPLE_RATE, iter_audio_blocks
from ..results import CELL_SECONDS
from ..util.journal import Journal

TOP_SOUNDS = 5
MIN_SCORE = 0.15
# The transcript already carries speech; these labels add nothing to captions or the sound channel.
SPEECH_LABELS = frozenset({"Speech", "Child speech, kid speaking", "Conversation", "Narration, monologue",
                           "Male speech, man speaking", "Female speech, woman speaking", "Speech synthesizer"})
# An audience reacting: these feed the highlight score.
REACTION_LABELS = frozenset({"Applause", "Clapping", "Cheering", "Laughter", "Belly laugh", "Giggle",
                             "Chuckle, chortle", "Crowd", "Whoop"})


class SoundClassifier(Protocol):
    spec: str
    labels: list[str]
    patch_frames: int
    patch_hop_frames: int
    hop_samples: int

    def classify(self, patches: list[np.ndarray]) -> np.ndarray: ...


@dataclass
class CellSounds:
    """Journal row for one cell: ``(label, mean probability)``, strongest first."""

    cell: int
    sounds: list[tuple[str, float]] = field(default_factory=list)


class SoundPass:
    def __init__(self, classifier: SoundClassifier | None, journal_path: Path,
                 on_progress: Callable[[float], None] | None = None):
        self.classifier = classifier
        self.journal = Journal(journal_path)
        self.on_progress = on_progress or (lambda t: None)

    def journal_complete(self) -> bool:
        entries = self.journal.read()
        return bool(entries) and entries[-1]["cell"] < 0

    def run(self, path: str, duration: float) -> list[CellSounds]:
        entries = self.journal.read()
        done = [CellSounds(e["cell"], [tuple(s) for s in e["sounds"]]) for e in entries if e["cell"] >= 0]
        if not (entries and entries[-1]["cell"] < 0):
            start = (done[-1].cell + 1) * CELL_SECONDS if done else 0.0
            self.on_progress(start)
            with self.journal:
                for row in self._cells(path, start):
                    self.journal.append({"cell": row.cell, "sounds": [list(s) for s in row.sounds]})
                    self.on_progress((row.cell + 1) * CELL_SECONDS)
                    done.append(row)
                self.journal.append({"cell": -1, "sounds": []})
        self.on_progress(duration)
        return done

    def _cells(self, path: str, start: float) -> Iterator[CellSounds]:
        current, total, count = -1, None, 0
        for centre, probs in self._patches(path, int(round(start / CELL_SECONDS))):
            cell = int(centre // CELL_SECONDS)
            if cell != current and total is not None:
                yield self._row(current, total / count)
                total = None
            if total is None:
                current, total, count = cell, np.zeros_like(probs), 0
            total += probs
            count += 1
        if total is not None:
            yield self._row(current, total / count)

    def _row(self, cell: int, mean: np.ndarray) -> CellSounds:
        order = np.argsort(-mean)[:TOP_SOUNDS]
        labels = self.classifier.labels
        return CellSounds(cell, [(labels[i], round(float(mean[i]), 4)) for i in order if mean[i] >= MIN_SCORE])

    def _patches(self, path: str, first_cell: int) -> Iterator[tuple[float, np.ndarray]]:
        """``(centre time, class probabilities)`` per patch from ``first_cell`` on, in time order.

        Patches lie on one grid from the audio's first sample, and the audio is decoded from the
        start even when resuming (a seek would shift the resampler's phase), so a resumed run
        classifies exactly the patches an uninterrupted one would."""
        from ..experts.sounds import log_mel

        c = self.classifier
        patch_len = (c.patch_frames - 1) * c.hop_samples + 400  # samples under one patch
        step = c.patch_hop_frames * c.hop_samples
        half = c.patch_frames * c.hop_samples / SAMPLE_RATE / 2
        base, k, skip = None, 0, 0  # first sample's time, index of buf's first patch, samples to drop
        buf = np.zeros(0, np.float32)
        for offset, block in iter_audio_blocks(path):
            if base is None:
                base = offset
                k = _first_patch(first_cell, base, half, step)
                skip = k * step
            if skip:
                dropped = min(skip, block.size)
                block, skip = block[dropped:], skip - dropped
            buf = np.concatenate([buf, block])
            n = 0 if buf.size < patch_len else 1 + (buf.size - patch_len) // step
            if n:
                yield from self._classify(log_mel(buf[:(n - 1) * step + patch_len]), base, half, k, n)
                buf, k = buf[n * step:], k + n
        if base is not None and not skip and buf.size > patch_len // 4:  # the tail: one patch padded with silence
            padded = np.concatenate([buf, np.zeros(max(0, patch_len - buf.size), np.float32)])[:patch_len]
            yield from self._classify(log_mel(padded), base, half, k, 1)

    def _classify(self, mel: np.ndarray, base: float, half: float, k: int, n: int
                  ) -> Iterator[tuple[float, np.ndarray]]:
        c = self.classifier
        patches = [mel[i * c.patch_hop_frames:i * c.patch_hop_frames + c.patch_frames] for i in range(n)]
        probs = c.classify(patches)
        for i in range(n):
            yield _centre(k + i, base, half, c.patch_hop_frames * c.hop_samples), probs[i]


def _centre(k: int, base: float, half: float, step: int) -> float:
    return base + k * step / SAMPLE_RATE + half


def _first_patch(first_cell: int, base: float, half: float, step: int) -> int:
    """Index of the first patch on the grid whose centre falls in ``first_cell`` or later."""
    k = max(0, int((first_cell * CELL_SECONDS - base - half) * SAMPLE_RATE / step))
    while k > 0 and int(_centre(k - 1, base, half, step) // CELL_SECONDS) >= first_cell:
        k -= 1
    while int(_centre(k, base, half, step) // CELL_SECONDS) < first_cell:
        k += 1
    return k
