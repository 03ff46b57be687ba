"""Nearest cells by cosine: a FAISS IVF index over most vectors plus an exact scan of the newest.

The *base* is a FAISS ``IndexIVFScalarQuantizer`` (8-bit codes, inner product) over every vector
with a cell id up to a watermark, saved as one file; vectors added since (the *delta*) are scanned
exactly from the catalog. Adding a recap therefore never touches the base; removing one leaves
tombstones that searches skip (their cell ids no longer exist). The base is rebuilt when the
delta or the tombstones grow past a share of it. Below ``BASE_MIN`` vectors there is no base at
all: an exact scan is fast enough and needs no training.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from .catalog import N_CODES, Catalog, split_vector_id, vector_id

BASE_MIN = 50_000  # vectors: below this everything is scanned exactly
DELTA_SHARE, DELTA_MAX, TOMBSTONE_SHARE = 0.10, 200_000, 0.20
NPROBE = 128  # inverted lists scanned per query (of about sqrt(vectors)): recall 0.96 at 10^5 cells
RERANK = 4  # base candidates per returned vector: their float16 vectors in the catalog re-score them exactly


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - a core dependency
        from ..errors import VidrecapError

        raise VidrecapError("the library needs faiss-cpu: pip install faiss-cpu") from exc
    return faiss


class VectorIndex:
    """Approximate top-k over ``(cell, channel)`` vectors; results are ``(cell id, channel, cosine)``."""

    def __init__(self, folder: Path, catalog: Catalog):
        self.folder, self.catalog = folder, catalog
        self._lock = threading.Lock()
        self._base = None
        self._base_key = ""
        self._delta_key = ""
        self._delta_ids = np.zeros(0, np.int64)
        self._delta = np.zeros((0, 0), np.float32)
        self.nprobe = NPROBE
        self.rerank = RERANK

    # reading ----------------------------------------------------------------------------------
    def search(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        with self._lock:
            base, watermark = self._load_base()
            ids, delta = self._load_delta(watermark)
            stride = int(self.catalog.get("id_stride", "4") or 4)  # of the base's ids
        q = np.ascontiguousarray(query, np.float32).reshape(1, -1)
        found: list[tuple[float, int, int]] = []
        if base is not None and base.ntotal:
            base.nprobe = self.nprobe
            _, hits = base.search(q, k * self.rerank)
            cells, _ = split_vector_id(hits[0][hits[0] >= 0], stride)
            found += self._exact(cells.tolist(), q[0])
        if len(ids):
            scores = delta @ q[0]
            top = np.argpartition(-scores, min(k, len(ids)) - 1)[:k] if len(ids) > k else np.arange(len(ids))
            found += [(float(scores[i]), *map(int, split_vector_id(int(ids[i])))) for i in top]
        found.sort(reverse=True)
        return [(cell, channel, s) for s, cell, channel in found[:k]]

    def _exact(self, cells: list[int], q: np.ndarray) -> list[tuple[float, int, int]]:
        """Exact cosines of every stored vector of ``cells`` (removed cells have none)."""
        rows = self.catalog.vectors_of(cells)
        if not rows:
            return []
        mat = np.frombuffer(b"".join(r[2] for r in rows), np.float16).reshape(len(rows), -1)
        scores = mat.astype(np.float32) @ q
        return [(float(s), r[0], r[1]) for s, r in zip(scores, rows, strict=True)]

    def _load_base(self):
        name = self.catalog.get("base_file")
        watermark = int(self.catalog.get("base_watermark", "0") or 0)
        if not name:
            self._base, self._base_key = None, ""
            return None, 0
        if name != self._base_key:
            self._base = _faiss().read_index(str(self.folder / name))
            self._base_key = name
        return self._base, watermark

    def _load_delta(self, watermark: int) -> tuple[np.ndarray, np.ndarray]:
        key = f"{watermark}:{self.catalog.get('generation', '0')}"
        if key != self._delta_key:
            rows = self.catalog.vectors_after(watermark)
            self._delta_ids = _ids(rows)
            self._delta = (np.stack([np.frombuffer(v, np.float16) for _, _, v in rows]).astype(np.float32)
                           if rows else np.zeros((0, 0), np.float32))
            self._delta_key = key
        return self._delta_ids, self._delta

    # writing (under the library's write lock) ------------------------------------------------------
    def needs_rebuild(self) -> bool:
        base_n = int(self.catalog.get("base_vectors", "0") or 0)
        total = int(self.catalog.get("vectors", "0") or 0)
        tombstones = int(self.catalog.get("tombstones", "0") or 0)
        if not base_n:
            return total >= BASE_MIN
        delta = total - (base_n - tombstones)
        return (delta > min(DELTA_SHARE * base_n, DELTA_MAX) or tombstones > TOMBSTONE_SHARE * base_n
                or total < BASE_MIN // 2)

    def rebuild(self, dim: int) -> None:
        """Train and fill a new base from every vector in the catalog, then switch to it atomically."""
        faiss = _faiss()
        old = self.catalog.get("base_file")
        watermark = int(self.catalog.db.execute("SELECT COALESCE(MAX(cell_id), 0) FROM vectors").fetchone()[0])
        total = int(self.catalog.db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])
        name = ""
        if total >= BASE_MIN:
            nlist = int(np.clip(np.sqrt(total), 64, 16384))
            index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist,
                                                  faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            index.train(self._sample(min(total, 40 * nlist), total))
            for ids, mat in self._batches(watermark):
                index.add_with_ids(mat, ids)
            generation = int(self.catalog.get("generation", "0") or 0)
            name = f"base-{generation}.faiss"
            tmp = self.folder / f".{name}.tmp"
            faiss.write_index(index, str(tmp))
            os.replace(tmp, self.folder / name)
        with self.catalog.transaction():
            self.catalog.put("base_file", name)
            self.catalog.put("id_stride", N_CODES)
            self.catalog.put("base_watermark", watermark if name else 0)
            self.catalog.put("base_vectors", total if name else 0)
            self.catalog.put("tombstones", 0)
        if old and old != name:
            (self.folder / old).unlink(missing_ok=True)

    def _sample(self, n: int, total: int) -> np.ndarray:
        rows = self.catalog.db.execute("SELECT vec FROM vectors WHERE abs(random()) % ? < ?",
                                       (total, max(1, n))).fetchall()
        return np.stack([np.frombuffer(v, np.float16) for (v,) in rows]).astype(np.float32)

    def _batches(self, watermark: int, size: int = 50_000):
        last = (-1, -1)
        while True:
            rows = self.catalog.db.execute(
                "SELECT cell_id, channel, vec FROM vectors WHERE (cell_id, channel) > (?, ?) AND cell_id <= ? "
                "ORDER BY cell_id, channel LIMIT ?", (*last, watermark, size)).fetchall()
            if not rows:
                return
            last = (rows[-1][0], rows[-1][1])
            ids = _ids(rows)
            yield ids, np.stack([np.frombuffer(v, np.float16) for _, _, v in rows]).astype(np.float32)


def _ids(rows: list[tuple[int, int, bytes]]) -> np.ndarray:
    return vector_id(np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64))
