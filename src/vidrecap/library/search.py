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
from ..moments.reading import QueryReading
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

    def search(self, query: str, qvec: np.ndarray, top_k: int = 10, seeds: int = 0,
               reading: QueryReading | None = None) -> list[LibraryHit]:
        """Hits for ``query``; ``reading`` (``moments.reading``) weighs the channels as one video's search does."""
        weights = (reading or QueryReading()).weights(list(CHANNEL_NAMES.values()))
        lex = lexicon(self.catalog, query)
        dense = self.vectors.search(qvec, DENSE_CANDIDATES)
        lexical = dict(self.catalog.match(sorted(lex.weights), LEXICAL_CANDIDATES))
        where = self.catalog.cells_of([c for c, _, _ in dense] + list(lexical))
        if not where:
            return []
        ids = np.array(sorted(where), np.int64)
        recap_of = np.array([where[c][0] for c in ids], np.int64)
        calib = self.catalog.calibrations(set(recap_of.tolist()))
        lex_p = np.array([lex.coverage(lexical.get(int(c), "")) for c in ids], np.float32)
        quick = self._fuse(ids, recap_of, qvec, calib, lex_p, weights)
        best = ids[np.argsort(-quick, kind="stable")[: seeds or max(4 * top_k, 40)]]
        windows = self._windows(self._strips(best.tolist(), where), qvec, calib, lex, top_k, weights)
        windows.sort(key=lambda w: (-w[0].score, w[1].directory, w[0].start))
        return [self._hit(w, recap, cells) for w, recap, cells in windows[:top_k]]

    def _fuse(self, ids: np.ndarray, recap_of: np.ndarray, qvec: np.ndarray, calib, lexical: np.ndarray,
              weights: dict[str, float]) -> np.ndarray:
        """Noisy-OR of every calibrated dense channel and ``lexical`` for cells ``ids`` (sorted), each
        with its ``weights`` entry (the query's reading)."""
        miss = 1.0 - weights["lexical"] * lexical.astype(np.float64)
        rows = self.catalog.vectors_of(ids.tolist())
        if rows:
            cids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
            chans = [r[1] for r in rows]
            mat = np.frombuffer(b"".join(r[2] for r in rows), np.float16).reshape(len(rows), -1)
            cos = mat.astype(np.float32) @ qvec
            pos = np.searchsorted(ids, cids)
            stats = np.array([calib.get((int(recap_of[i]), ch), (0.0, 1.0)) for i, ch in zip(pos, chans, strict=True)])
            mu, sd = stats[:, 0], stats[:, 1]
            x = np.clip((cos - mu - scoring.Z * sd) / (scoring.S * sd), -30, 30)
            weight = np.array([weights.get(CHANNEL_NAMES[ch], 1.0) for ch in chans])
            np.multiply.at(miss, pos, 1.0 - weight / (1.0 + np.exp(-x)))
        return (1.0 - miss).astype(np.float32)

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

    def _windows(self, strips, qvec, calib, lex, top_k: int, weights: dict[str, float]):
        """Score every strip's cells in one pass, then grow windows strip by strip."""
        cells = self.catalog.cells_in([(lo, hi) for _, lo, hi in strips])
        if not cells:
            return []
        ids = np.array([c.id for c in cells], np.int64)
        recap_of = np.array([c.recap_id for c in cells], np.int64)
        by_id = {c.id: i for i, c in enumerate(cells)}
        lexical = np.array([lex.coverage(c.doc) for c in cells], np.float32)
        for _, lo, hi in strips:  # spread exact words to neighbouring cells within each strip
            a, b = by_id.get(lo), by_id.get(hi)
            if a is not None and b is not None:
                lexical[a:b + 1] = dilate(lexical[a:b + 1])
        relevance = self._fuse(ids, recap_of, qvec, calib, lexical, weights)
        out = []
        for recap, lo, hi in strips:
            a, b = by_id.get(lo), by_id.get(hi)
            if a is None or b is None:
                continue
            strip, rel = cells[a:b + 1], relevance[a:b + 1]
            offset = strip[0].idx * CELL_SECONDS
            duration = recap.duration - offset if recap.duration else None
            found = scoring.grow_windows(scoring.smooth(rel), rel, top_k, cell=CELL_SECONDS, duration=duration)
            out += [(scoring.Window(round(w.start + offset, 3), round(w.end + offset, 3), w.score), recap, strip)
                    for w in found]
        return out

    def _hit(self, w: scoring.Window, recap: RecapRow, cells: list[CellRow]) -> LibraryHit:
        inside = [c for c in cells if c.end > w.start and c.start < w.end]
        said = _clip(" ".join(c.speech for c in inside if c.speech))
        shown = _clip(" · ".join(dict.fromkeys(c.on_screen for c in inside if c.on_screen)))
        return LibraryHit(str(self.resolve_dir(recap.directory)), recap.vid, recap.title, recap.video_path,
                          w.start, w.end, w.score, said, shown)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
