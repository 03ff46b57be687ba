"""Generated conversations for diarization: 2–4 espeak-ng voices taking turns of varied length,
with pauses from back-to-back (50 ms) to 1.5 s, short turns ("Yes, exactly.") among long ones.

``conversation(voices, turns, seed)`` returns the 16 kHz audio and the reference turns (voice index,
start, end of the voiced samples); ``write_audio`` stores it as an audio-only file for the pipeline.

Two pools of voices. ``VOICES``: espeak-ng variants at its default pitch, each conversation giving
every voice a speaking rate of 150-180 wpm (en+m3, en-us+croak and en+klatt are the same male
synthesiser with small formant changes: hard even for people). ``PEOPLE``: as different people
differ, each speaker has their own accent and variant AND their own pitch and rate.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.media import SR, speech

VOICES = ["en+m3", "en+f2", "en-gb-scotland+f4", "en+klatt", "en-us+croak", "en+m7"]

LINES = [
    "Riding a bicycle to work is cheaper than driving and often faster in heavy traffic.",
    "What about the budget for next year, is there enough money for the new bike lanes?",
    "The city council plans new lanes along the river before the end of next year.",
    "Boil plenty of salted water, add the spaghetti and stir it for about eight minutes.",
    "Turning down the heating by one degree saves about six percent of the energy bill.",
    "Most visitors arrive by train and walk to the old market in less than ten minutes.",
    "Insulating the roof is usually the first and most effective step for an old house.",
    "Electric bikes help older riders climb hills without arriving at the office exhausted.",
    "On weekends the street becomes a market with fruit, bread, flowers and street music.",
    "Heat pumps move warmth from the outside air into the house, even in cold weather.",
    "The museum opens at nine and the guided tour starts from the main hall at ten.",
    "I think we should ask the neighbours before we change anything in the garden.",
    "Can you explain why the train was late again this morning?",
    "The library lends tools as well as books, from drills to sewing machines.",
    "Let me check the numbers again, because the total does not look right to me.",
    "Our team finished the report on Friday and sent it to the committee.",
]


@dataclass(frozen=True)
class Person:
    """An espeak-ng speaker with a fixed pitch (0-99) and rate (words per minute)."""

    voice: str
    pitch: int
    speed: int

    @property
    def name(self) -> str:
        return f"{self.voice.replace('+', '')}-p{self.pitch}"


PEOPLE = [Person("en-us+m1", 30, 150), Person("en+f3", 72, 172), Person("en-gb-x-rp+m4", 48, 164),
          Person("en-gb-scotland+f1", 62, 156), Person("en-029+m2", 22, 178), Person("en+f5", 85, 160),
          Person("en-us-nyc+m6", 40, 185), Person("en-gb+f4", 56, 145)]

SHORT = ["Yes, exactly.", "Right.", "I see.", "Really? Tell me more.", "No, not at all.", "Sure, go on."]


@dataclass
class RefTurn:
    speaker: int
    start: float
    end: float
    text: str


def _trimmed(audio: np.ndarray, floor: float = 0.01) -> np.ndarray:
    """The utterance without espeak's leading and trailing silence (so turn times are exact)."""
    loud = np.flatnonzero(np.abs(audio) > floor)
    return audio[loud[0]:loud[-1] + 1] if loud.size else audio


def conversation(voices: list[str | Person], turns: int = 14, seed: int = 0,
                 min_turns: int = 0) -> tuple[np.ndarray, list[RefTurn]]:
    """``min_turns``: every voice first takes that many turns of full sentences, in rotation (a
    voice that only ever says "I see." cannot be told apart, by people or models)."""
    rng = random.Random(seed)
    speeds = [v.speed if isinstance(v, Person) else rng.choice([150, 160, 170, 180]) for v in voices]
    names = [v.voice if isinstance(v, Person) else v for v in voices]
    pitches = [v.pitch if isinstance(v, Person) else None for v in voices]
    parts: list[np.ndarray] = [np.zeros(int(0.5 * SR), np.float32)]
    t, ref, who = 0.5, [], 0
    lines = LINES[:]
    rng.shuffle(lines)
    for i in range(turns):
        rotating = i < min_turns * len(voices)
        if rotating:
            who = i % len(voices)
        elif i and len(voices) > 1:
            who = rng.choice([v for v in range(len(voices)) if v != who])
        text = rng.choice(SHORT) if rng.random() < 0.2 and not rotating else " ".join(
            lines[(i + k) % len(lines)] for k in range(rng.choice([1, 1, 2])))
        audio = _trimmed(speech(text, speed=speeds[who], voice=names[who], pitch=pitches[who]))
        audio = audio * rng.uniform(0.6, 1.0)
        ref.append(RefTurn(who, round(t, 3), round(t + audio.size / SR, 3), text))
        pause = rng.choice([0.05, 0.1, 0.3, 0.6, 1.0, 1.5])  # 0.05: back to back
        parts += [audio.astype(np.float32), np.zeros(int(pause * SR), np.float32)]
        t += (audio.size + int(pause * SR)) / SR
    parts.append(np.zeros(int(0.5 * SR), np.float32))
    return np.concatenate(parts), ref


def write_audio(path: Path, audio: np.ndarray) -> Path:
    """A mono AAC-in-MP4 (``.m4a``) or WAV file of ``audio`` (16 kHz float32)."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le" if path.suffix == ".wav" else "aac", rate=SR, layout="mono")
        frame_len = 1024
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        for s in range(0, pcm.size, frame_len):
            frame = av.AudioFrame.from_ndarray(pcm[None, s:s + frame_len], format="s16", layout="mono")
            frame.sample_rate = SR
            frame.pts = s
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path
