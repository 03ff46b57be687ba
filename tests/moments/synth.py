"""Synthetic recaps with known parts, embedded with the real MiniLM encoder (label bridge for visuals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from vidrecap.results import CELL_SECONDS, Caption, Cell, Recap, SpeechSegment, Tag, Transcript, VideoInfo

CELLS_PER_SENTENCE = 3


@dataclass
class Part:
    """One topic of a synthetic video: narration sentences, a slide and what the camera shows."""

    title: str
    narration: list[str]
    slide: str = ""
    labels: dict[str, float] = field(default_factory=dict)  # ImageNet class name -> probability

    @property
    def n_cells(self) -> int:
        return len(self.narration) * CELLS_PER_SENTENCE


PARTS = [
    Part("Cooking pizza", [
        "Today we are making a homemade pizza from scratch in my kitchen.",
        "First knead the dough with flour, water, yeast and a pinch of salt.",
        "Spread the tomato sauce and add plenty of mozzarella cheese on top.",
        "Bake it in a very hot oven for about ten minutes until it is crispy.",
    ], "Margherita recipe: dough, tomato, mozzarella", {"pizza": 0.7, "French loaf": 0.1}),
    Part("Volcano trip", [
        "We hiked up the slopes of an active volcano on the island.",
        "Hot lava glows red and the crater releases clouds of steam and ash.",
        "Geologists measure the eruption with seismometers near the summit.",
        "The view of the lava field from the top was absolutely unforgettable.",
    ], "Mount Etna eruption facts", {"volcano": 0.8, "alp": 0.1}),
    Part("Piano lesson", [
        "Let us practise a few scales on the grand piano together.",
        "Keep your wrists relaxed and press the keys gently with your fingertips.",
        "Now play the chords of the song slowly with your left hand.",
        "Practising every day for twenty minutes makes a big difference.",
    ], "Lesson 3: C major scale and chords", {"grand piano": 0.75, "upright piano": 0.15}),
    Part("Sports cars", [
        "This sports car accelerates from zero to one hundred in three seconds.",
        "The engine is a twin turbo V8 that produces six hundred horsepower.",
        "On the race track the brakes and tyres are pushed to their limits.",
        "Fuel consumption is high but owners rarely care about mileage.",
    ], "Top speed 330 km/h", {"sports car": 0.7, "race car": 0.2}),
]


@lru_cache(maxsize=1)
def minilm():
    """The real embedded encoder (all-MiniLM-L6-v2) through the registry."""
    from vidrecap import registry

    return registry.create("encoder", "embedded")


def _unit(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return np.where(n > 0, m / np.maximum(n, 1e-12), 0).astype(np.float32)


def _embed_or_zero(encoder, texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), encoder.dim), np.float32)
    idx = [i for i, t in enumerate(texts) if t.strip()]
    if idx:
        out[idx] = encoder.embed_text([texts[i] for i in idx])
    return out


def label_bridge(encoder, tags: list[list[Tag]]) -> np.ndarray:
    """Probability-weighted sum of class-name embeddings, normalised (the contract's "labels" space)."""
    names = sorted({t.label for ts in tags for t in ts})
    if not names:
        return np.zeros((len(tags), encoder.dim), np.float32)
    emb = dict(zip(names, encoder.embed_text(names), strict=True))
    rows = np.zeros((len(tags), encoder.dim), np.float32)
    for i, ts in enumerate(tags):
        for t in ts:
            rows[i] += t.score * emb[t.label]
    return _unit(rows)


def build_recap(parts: list[Part] | None = None, encoder=None, vid: str = "synthetic",
                path: str = "") -> Recap:
    """A recap whose parts follow each other; slides show during the first half of each part."""
    parts = PARTS if parts is None else parts
    encoder = encoder or minilm()
    cells, segments, speech_segments = [], [], []
    for p_idx, part in enumerate(parts):
        first = len(cells)
        for s_idx, sentence in enumerate(part.narration):
            words = sentence.split()
            chunks = np.array_split(np.array(words, dtype=object), CELLS_PER_SENTENCE)
            t0 = len(cells) * CELL_SECONDS
            speech_segments.append(SpeechSegment(t0, t0 + CELLS_PER_SENTENCE * CELL_SECONDS, sentence))
            for c_idx, chunk in enumerate(chunks):
                i = len(cells)
                on_screen = part.slide if (s_idx * CELLS_PER_SENTENCE + c_idx) < part.n_cells // 2 else ""
                tags = [Tag(k, v) for k, v in part.labels.items()]
                cells.append(Cell(i, i * CELL_SECONDS, (i + 1) * CELL_SECONDS, " ".join(chunk), on_screen,
                                  tags, scene_cut=(i == first), change=0.8 if i == first else 0.05))
        segments.append(Caption("segment", p_idx, first * CELL_SECONDS, len(cells) * CELL_SECONDS,
                                f"{part.title}: {part.narration[0]}", part.title))
    n = len(cells)
    speech_ctx = [" ".join(c.speech for c in cells[max(0, i - 1):i + 2]).strip() for i in range(n)]
    emb = {
        "speech": _embed_or_zero(encoder, speech_ctx),
        "on_screen": _embed_or_zero(encoder, [c.on_screen for c in cells]),
        "visual": label_bridge(encoder, [c.tags for c in cells]),
    }
    emb["fused"] = _unit(emb["visual"] * 0.8 + emb["speech"] + emb["on_screen"] * 0.6)
    duration = n * CELL_SECONDS
    summary_text = "A video in parts: " + "; ".join(f"{p.title.lower()}" for p in parts) + "."
    summary = Caption("summary", 0, 0.0, duration, summary_text, "Synthetic", list(range(len(segments))))
    info = VideoInfo(path or f"{vid}.mp4", vid, duration, 0, True, False, 320, 240, 25.0)
    return Recap(info, {"encoder": "embedded", "visual_space": "labels"}, [], segments, summary,
                 Transcript("en", speech_segments), cells, emb)
