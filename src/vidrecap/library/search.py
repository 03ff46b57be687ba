"""Search every recap of a library at once, on the per-video calibrated scale of ``vidrecap search``.

1. *Candidates*: the nearest ``(cell, channel)`` vectors to the query (FAISS + exact delta) and the
   best FTS5 matches of its content words.
2. *Cell relevance*, exactly as for one video (``moments.index``): each channel's cosine through that
   video's own null calibration, lexical coverage (IDF over the whole library), noisy-OR fusion.
   Candidates are ranked by it and the best few seed the windows.
3. *Windows*: around each seed, a strip of neighbouring cells is scored the same way, smoothed, and
   windows grow from its peaks (``moments.scoring``). Scores are absolute, so windows from different
   videos compare directly; the best ``top_k`` across the library are returned.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from ..moments import scoring
from ..moments.lexical import K1, B, dilate, terms
from ..results import CELL_SECONDS
from .catalog import CHANNEL_NAMES, Catalog, CellRow, RecapRow
from .vectors import VectorIndex

DENSE_CANDIDATES = 256
LEXICAL_CANDIDATES = 256
PAD = 6  # cells of context scored on each side of a seed
EVIDENCE_CHARS = 160


@dataclass
class LibraryHit:
    """One moment of one video: where it is, how well it matches, and what is said or shown there."""

    directory: str  # the recap directory (absolute)
    vid: str
    title: str
    video_path: str
    start: float
    end: float
    score: float  # calibrated, in [0, 1], comparable across videos and queries
    said: str = ""
    shown: str = ""

    def to_dict(self) -> dict:
        return {"directory": self.directory, "vid": self.vid, "title": self.title, "video": self.video_path,
                "start": self.start, "end": self.end, "score": self.score, "said": self.said, "shown": self.shown}


@dataclass
class LibraryResult:
    query: str
    hits: list[LibraryHit]
    missing: list[str] = field(default_factory=list)  # recap directories that are gone (skipped)

    def to_dict(self) -> dict:
        return {"query": self.query, "hits": [h.to_dict() for h in self.hits], "missing": self.missing}


@dataclass
class _Lexicon:
    """Library-wide lexical statistics for one query."""

    weights: dict[str, float]
    avg_len: float

    def coverage(self, doc: str) -> float:
        if not self.weights or not doc:
            return 0.0
        words = doc.split()
        counts = Counter(words)
        norm = 1.0 - B + B * len(words) / self.avg_len
        total = sum(self.weights.values())
        got = 0.0
        for term, w in self.weights.items():
            tf = counts.get(term, 0)
            if tf:
                got += w / total * min(1.0, tf * (K1 + 1.0) / (tf + K1 * norm))
        return min(got, 1.0)


def lexicon(catalog: Catalog, query: str) -> _Lexicon:
    words = sorted(set(terms(query)))
    n_docs = max(1, int(catalog.get("cells", "0") or 0))
    avg = max(1.0, float(catalog.get("terms", "0") or 0) / n_docs)
    df = catalog.document_frequencies(words)
    weights = {w: math.log(1.0 + (n_docs - df.get(w, 0) + 0.5) / (df.get(w, 0) + 0.5)) for w in words}
    return _Lexicon(weights, avg)


class LibrarySearcher:
    """Ranks moments across the library for a query embedding (and its text, for the words)."""

    def __init__(self, catalog: Catalog, vectors: VectorIndex, resolve_dir):
        self.catalog, self.vectors, self.resolve_dir = catalog, vectors, resolve_dir

    def search(self, query: str, qvec: np.ndarray, top_k: int = 10, seeds: int = 0) -> list[LibraryHit]:
        lex = lexicon(self.catalog, query)
        dense = self.vectors.search(qvec, DENSE_CANDIDATES)
        lexical = self.catalog.match(sorted(lex.weights), LEXICAL_CANDIDATES)
        where = self.catalog.cells_of([c for c, _, _ in dense] + [c for c, _ in lexical])
        if not where:
            return []
        calib = self.catalog.calibrations({rid for rid, _ in where.values()})
        quick = self._cell_relevance(sorted(where), where, qvec, calib, lex, dict(lexical))
        ranked = sorted(quick, key=lambda c: -quick[c])[: seeds or max(4 * top_k, 40)]
        hits = []
        for recap, lo, hi in self._strips(ranked, where):
            hits += self._windows(recap, lo, hi, qvec, calib, lex, top_k)
        hits.sort(key=lambda h: (-h.score, h.directory, h.start))
        return hits[:top_k]

    def _cell_relevance(self, ids, where, qvec, calib, lex, docs) -> dict[int, float]:
        """Fused relevance of single cells (lexical without its neighbours' dilation)."""
        per_cell: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for cid, ch, blob in self.catalog.vectors_of(ids):
            cos = float(np.frombuffer(blob, np.float16).astype(np.float32) @ qvec)
            mu, sd = calib.get((where[cid][0], ch), (0.0, 1.0))
            p = float(scoring.Calibration(mu, sd)(np.array(cos)))
            per_cell[cid].append((scoring.CHANNEL_WEIGHTS.get(CHANNEL_NAMES[ch], 1.0), p))
        out = {}
        for cid in ids:
            parts = per_cell.get(cid, []) + [(scoring.LEXICAL_WEIGHT, lex.coverage(docs.get(cid, "")))]
            miss = 1.0
            for w, p in parts:
                miss *= 1.0 - w * p
            out[cid] = 1.0 - miss
        return out

    def _strips(self, seeds: list[int], where) -> list[tuple[RecapRow, int, int]]:
        """Merge each seed's ``±PAD`` cells into id ranges, one video at a time."""
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for cid in seeds:
            spans[where[cid][0]].append((cid - PAD, cid + PAD))
        out = []
        for rid, ranges in spans.items():
            recap = self.catalog.recap(rid)
            if recap is None:
                continue
            first, last = recap.first_cell, recap.first_cell + recap.n_cells - 1
            merged: list[list[int]] = []
            for lo, hi in sorted(ranges):
                lo, hi = max(lo, first), min(hi, last)
                if merged and lo <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            out += [(recap, lo, hi) for lo, hi in merged]
        return out

    def _windows(self, recap: RecapRow, lo: int, hi: int, qvec, calib, lex, top_k: int) -> list[LibraryHit]:
        cells = self.catalog.cell_range(lo, hi)
        if not cells:
            return []
        relevance = self._strip_relevance(recap, cells, qvec, calib, lex)
        curve = scoring.smooth(relevance)
        offset = cells[0].idx
        duration = recap.duration - offset * CELL_SECONDS if recap.duration else None
        windows = scoring.grow_windows(curve, relevance, top_k, cell=CELL_SECONDS, duration=duration)
        # a window touching a strip edge that is not the video's edge may be cut short; keep it anyway
        return [self._hit(recap, cells, w, offset) for w in scoring.nms(windows, 0.0)]

    def _strip_relevance(self, recap, cells: list[CellRow], qvec, calib, lex) -> np.ndarray:
        n, base = len(cells), cells[0].id
        parts = []
        dense: dict[int, np.ndarray] = {}
        for cid, ch, blob in self.catalog.vectors_in_range(base, cells[-1].id):
            row = dense.setdefault(ch, np.full(n, np.nan, np.float32))
            row[cid - base] = float(np.frombuffer(blob, np.float16).astype(np.float32) @ qvec)
        for ch, cos in dense.items():
            mu, sd = calib.get((recap.id, ch), (0.0, 1.0))
            p = np.where(np.isnan(cos), 0.0, scoring.Calibration(mu, sd)(np.nan_to_num(cos)))
            parts.append((scoring.CHANNEL_WEIGHTS.get(CHANNEL_NAMES[ch], 1.0), p))
        lexical = np.array([lex.coverage(c.doc) for c in cells], np.float32)
        parts.append((scoring.LEXICAL_WEIGHT, dilate(lexical)))
        return scoring.noisy_or(parts, n)

    def _hit(self, recap: RecapRow, cells: list[CellRow], w: scoring.Window, offset: int) -> LibraryHit:
        start, end = w.start + offset * CELL_SECONDS, w.end + offset * CELL_SECONDS
        inside = [c for c in cells if c.end > start and c.start < end]
        said = _clip(" ".join(c.speech for c in inside if c.speech))
        shown = _clip(" · ".join(dict.fromkeys(c.on_screen for c in inside if c.on_screen)))
        return LibraryHit(str(self.resolve_dir(recap.directory)), recap.vid, recap.title, recap.video_path,
                          round(start, 3), round(end, 3), w.score, said, shown)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
