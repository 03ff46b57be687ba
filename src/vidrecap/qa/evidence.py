"""Evidence for a question, found top-down: summary -> segments -> clips -> sentences.

The moment index gives every 2 s cell a calibrated relevance in ``[0, 1]`` (≈0 at chance). The
video, its segments and its clips are scored by the best cell they contain; only the sentences
inside the best segments' best clips are then scored on their own (their embedding against the
question, calibrated with the same null as the index, plus the share of the question's words they
contain). An hour of video therefore costs one query embedding and a few dozen sentence embeddings.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..evidence.perceived import perceptions
from ..moments import scoring
from ..moments.index import MomentIndex
from ..moments.lexical import LexicalIndex, terms
from ..moments.reading import QueryReading
from ..results import CELL_SECONDS, Recap, SpeechSegment

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_SEGMENTS, MAX_CLIPS = 3, 8
KEEP_FRACTION = 0.5  # segments / clips scoring at least this share of the best one are opened
SENTENCE_Z = 5.0  # a sentence must be this many null spreads above chance to match (the index: 3.5)
JOIN_GAP = 1.5  # seconds: a sentence cut by the recogniser is joined across a pause this short
HEADING_WORDS = 4  # an on-screen text this short, without a number or a sentence, is a heading
CONTEXT_WEIGHT = 0.4  # share of a sentence's score that depends on the relevance of its cells
# each source's sentences are calibrated against the index's null for the channel holding the same words
SOURCE_CHANNEL = {"speech": "speech", "caption": "speech", "on_screen": "on_screen", "sounds": "sounds",
                  "faces": "faces", "objects": "objects", "picture": "picture"}
READING_CHANNEL = {**SOURCE_CHANNEL, "caption": "visual"}  # what kind of evidence each source is


@dataclass(frozen=True)
class Evidence:
    """One time-stamped piece of the recap: a spoken sentence, an on-screen text or a clip caption."""

    start: float
    end: float
    text: str
    source: str  # "speech" | "on_screen" | "caption" | "sounds" | "faces" | "objects" | "picture"
    score: float = 0.0  # relevance to the question in [0, 1]

    @property
    def heading(self) -> bool:
        """A short on-screen text with no number and no sentence in it ("Hosting Dinner"): it names a
        topic, it does not state anything about it."""
        words = self.text.split()
        return (self.source == "on_screen" and len(words) <= HEADING_WORDS and not any(c.isdigit() for c in self.text)
                and not re.search(r"[.!?:]", self.text))

    def to_dict(self) -> dict[str, Any]:
        return {"start": round(self.start, 3), "end": round(self.end, 3), "source": self.source,
                "text": self.text, "score": round(self.score, 4)}


def sentences_of(segment: SpeechSegment) -> list[Evidence]:
    """A recognised segment split into sentences, timed by its words when it has them."""
    text = " ".join(segment.text.split())
    if not segment.words:
        return [Evidence(segment.start, segment.end, text, "speech")] if text else []
    out: list[Evidence] = []
    current: list[Any] = []
    for word in segment.words:
        current.append(word)
        if word.text.strip().endswith((".", "!", "?")):
            out.append(_joined(current))
            current = []
    if current:
        out.append(_joined(current))
    return [e for e in out if e.text]


def joined_sentences(units: list[Evidence], gap: float = JOIN_GAP) -> list[Evidence]:
    """Sentences the recogniser cut at a segment boundary joined again ("Don't rinse" + "the pasta
    itself."), so that a quote keeps its negation: a piece that does not end a sentence is joined
    with the next one when it follows within ``gap`` seconds."""
    out: list[Evidence] = []
    for unit in units:
        last = out[-1] if out else None
        if last is not None and not last.text.rstrip().endswith((".", "!", "?")) and unit.start - last.end <= gap:
            out[-1] = Evidence(last.start, unit.end, f"{last.text} {unit.text}", "speech")
        else:
            out.append(unit)
    return out


def _joined(words: list[Any]) -> Evidence:
    text = " ".join(w.text.strip() for w in words if w.text.strip())
    return Evidence(words[0].start, words[-1].end, text, "speech")


def evidence_units(recap: Recap) -> list[Evidence]:
    """Every candidate piece of evidence in time order (unscored)."""
    units = joined_sentences([e for seg in recap.transcript.segments for e in sentences_of(seg)])
    if not units:  # a recap without a transcript: each cell's speech
        units = [Evidence(c.start, c.end, c.speech.strip(), "speech") for c in recap.cells if c.speech.strip()]
    units += _screen_runs(recap)
    units += _perception_runs(recap)
    if str(recap.options.get("captioner") or "embedded").split(":")[0] not in ("embedded", "none"):
        units += [Evidence(c.start, c.end, " ".join(c.text.split()), "caption") for c in recap.clips if c.text]
    return sorted(units, key=lambda e: (e.start, e.source))


def _screen_runs(recap: Recap) -> list[Evidence]:
    """Runs of consecutive cells showing the same on-screen text, one unit each."""
    runs: list[Evidence] = []
    for cell in recap.cells:
        text = "; ".join(line.strip() for line in cell.on_screen.splitlines() if line.strip())
        if not text:
            continue
        last = runs[-1] if runs else None
        if last is not None and last.text == text and last.end >= cell.start - 1e-6:
            runs[-1] = Evidence(last.start, cell.end, text, "on_screen")
        else:
            runs.append(Evidence(cell.start, cell.end, text, "on_screen"))
    return runs



def _perception_runs(recap: Recap) -> list[Evidence]:
    """Per expert, runs of consecutive cells described in the same words, one unit each: questions
    about what is seen or heard rather than said ("when does the audience applaud?")."""
    runs: list[Evidence] = []
    last: dict[str, int] = {}  # source -> index in runs of its open run
    for cell in recap.cells:
        for source, text in perceptions(cell).items():
            k = last.get(source)
            if k is not None and runs[k].text == text and runs[k].end >= cell.start - 1e-6:
                runs[k] = Evidence(runs[k].start, cell.end, text, source)
            elif text:
                last[source] = len(runs)
                runs.append(Evidence(cell.start, cell.end, text, source))
            else:
                last.pop(source, None)
    return runs


def word_coverage(lexical: LexicalIndex, question: str, text: str) -> float:
    """IDF-weighted share of the question's content words that ``text`` contains (video-wide IDF)."""
    weights = {t: lexical.idf(t) for t in set(terms(question))}
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(terms(text))
    return sum(w for t, w in weights.items() if t in present) / total


@dataclass
class Retrieval:
    """What was searched for a question: cell relevance, the opened nodes and the ranked evidence."""

    relevance: np.ndarray  # per cell, calibrated
    segments: list[int]  # indices of the opened segments, best first
    clips: list[tuple[float, float]]  # opened clip spans, best first
    evidence: list[Evidence]  # best first
    reading: QueryReading = field(default_factory=QueryReading)  # what the question asks about

    @property
    def stated(self) -> float:
        """The best score of a piece that states something (not a heading)."""
        return max((e.score for e in self.evidence if not e.heading), default=0.0)

    @property
    def best(self) -> float:
        return self.evidence[0].score if self.evidence else 0.0


class RememberingEncoder:
    """An encoder that remembers its last ``size`` text embeddings: the question (and each option)
    is embedded once for the moment index and reused for matching sentences."""

    def __init__(self, encoder: Any, size: int = 256):
        self.inner, self.size = encoder, size
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            for text, vector in zip(missing, self.inner.embed_text(missing), strict=True):
                self._memo[text] = vector
        rows = [self._memo[t] for t in texts]
        for text in texts:
            self._memo.move_to_end(text)
        while len(self._memo) > self.size:
            self._memo.popitem(last=False)
        return np.stack(rows) if rows else self.inner.embed_text([])


class EvidenceFinder:
    """Top-down evidence retrieval over one indexed recap; sentence embeddings are cached.

    The index's encoder is wrapped in a ``RememberingEncoder`` (same vectors, fewer model calls)."""

    def __init__(self, index: MomentIndex):
        if not isinstance(index.encoder, RememberingEncoder):
            index.encoder = RememberingEncoder(index.encoder)
        self.index = index
        self.recap = index.recap
        self.units = evidence_units(self.recap)
        self._vectors: dict[int, np.ndarray] = {}

    def find(self, question: str, limit: int = 6) -> Retrieval:
        scored = self.index.score(question)
        relevance = scored.relevance
        curve = np.maximum(relevance, scoring.smooth(relevance))
        segments = self._open_segments(curve)
        clips = self._open_clips(curve, segments)
        ranked = self._rank(question, self.inside(clips), curve, scored.reading)
        return Retrieval(relevance, segments, clips, ranked[:limit], scored.reading)

    def inside(self, spans: Sequence[tuple[float, float]]) -> list[int]:
        """Ids of the units overlapping any of ``spans``."""
        return [i for i, u in enumerate(self.units) if any(u.start < e and u.end > s for s, e in spans)]

    def rank(self, question: str, ids: list[int]) -> list[Evidence]:
        """Units ``ids`` scored against ``question`` exactly as ``find`` scores them, best first."""
        scored = self.index.score(question)
        curve = np.maximum(scored.relevance, scoring.smooth(scored.relevance))
        return self._rank(question, sorted(set(ids)), curve, scored.reading)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.index.encoder.embed_text(texts)  # remembered: see RememberingEncoder

    def calibrated(self, source: str, cosines: np.ndarray, z: float = SENTENCE_Z) -> np.ndarray:
        """Cosines of sentences of one source against the index's null for that channel: ≈0 at
        chance, 0.5 at ``z`` null spreads above it (stricter than the index, which pools ±1 cell)."""
        cals = self.index.calibrations
        cal = cals.get(SOURCE_CHANNEL[source]) or cals.get("fused") or next(iter(cals.values()))
        x = (np.asarray(cosines, np.float64) - cal.mu - z * cal.sd) / cal.sd
        return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))

    def vectors(self, ids: list[int]) -> np.ndarray:
        """Embeddings of units ``ids`` (computed once)."""
        missing = [i for i in ids if i not in self._vectors]
        if missing:
            for i, v in zip(missing, self.embed([self.units[i].text for i in missing]), strict=True):
                self._vectors[i] = v
        return np.stack([self._vectors[i] for i in ids]) if ids else np.zeros((0, 1), np.float32)

    def _cells(self, start: float, end: float) -> slice:
        n = len(self.recap.cells)
        lo = min(n - 1, max(0, int(start // CELL_SECONDS)))
        return slice(lo, max(lo + 1, min(n, int(np.ceil(end / CELL_SECONDS - 1e-6)))))

    def _open_segments(self, curve: np.ndarray) -> list[int]:
        spans = [(s.start, s.end) for s in self.recap.segments] or [(0.0, len(curve) * CELL_SECONDS)]
        scores = [float(curve[self._cells(s, e)].max()) for s, e in spans]
        order = sorted(range(len(spans)), key=lambda i: -scores[i])
        best = scores[order[0]]
        return [i for i in order[:MAX_SEGMENTS] if scores[i] >= KEEP_FRACTION * best]

    def _open_clips(self, curve: np.ndarray, segments: list[int]) -> list[tuple[float, float]]:
        spans = [(s.start, s.end) for s in self.recap.segments] or [(0.0, len(curve) * CELL_SECONDS)]
        inside = [(c.start, c.end) for c in self.recap.clips
                  if any(c.start < spans[k][1] and c.end > spans[k][0] for k in segments)]
        if not inside:  # no clip captions: 4-cell windows of the opened segments
            inside = [(t, min(t + 4 * CELL_SECONDS, spans[k][1])) for k in segments
                      for t in np.arange(spans[k][0], spans[k][1], 4 * CELL_SECONDS)]
        scores = [float(curve[self._cells(s, e)].max()) for s, e in inside]
        order = sorted(range(len(inside)), key=lambda i: -scores[i])
        best = scores[order[0]] if order else 0.0
        keep = [i for i in order[:MAX_CLIPS] if scores[i] >= KEEP_FRACTION * best or i in order[:3]]
        return [inside[i] for i in keep]

    def _rank(self, question: str, ids: list[int], curve: np.ndarray,
              reading: QueryReading | None = None) -> list[Evidence]:
        if not ids:
            return []
        q = self.embed([question])[0]
        cos = self.vectors(ids) @ q
        out = []
        for i, c in zip(ids, cos, strict=True):
            unit = self.units[i]
            dense = float(self.calibrated(unit.source, np.array([c]))[0])
            words = word_coverage(self.index.lexical, question, unit.text)
            match = 1.0 - (1.0 - dense) * (1.0 - scoring.LEXICAL_WEIGHT * words)
            if reading is not None:  # a spoken sentence weighs less for a question about what is seen
                match *= min(1.0, reading.factor(READING_CHANNEL[unit.source]))
            region = float(curve[self._cells(unit.start, unit.end)].max())
            score = match * (1.0 - CONTEXT_WEIGHT + CONTEXT_WEIGHT * region)  # the sentence itself must match
            out.append(Evidence(unit.start, unit.end, unit.text, unit.source, round(score, 4)))
        return sorted(out, key=lambda e: (-e.score, e.start))
