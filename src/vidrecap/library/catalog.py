"""The library's catalog: one SQLite database (WAL) holding recaps, cells, their words and vectors.

SQLite is the source of truth. ``cell_fts`` (FTS5) holds each cell's stemmed words for lexical
search; ``vectors`` holds every non-empty channel embedding as float16. Cell ids are allocated from
a counter that never goes back, and a recap's cells get consecutive ids (``first_cell + index``),
so a time range of one video is an id range. The ANN index (``vectors.py``) is derived from here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# stored in the DB: append only
CHANNEL_CODES = {"speech": 0, "on_screen": 1, "visual": 2, "fused": 3, "sounds": 4, "faces": 5, "picture": 6,
                 "objects": 7}
CHANNEL_NAMES = {v: k for k, v in CHANNEL_CODES.items()}
N_CODES = 8  # a vector's ANN id is cell_id * N_CODES + channel code (a base built before 8 records 4)


def vector_id(cell_id, channel, stride: int = N_CODES):
    """The one id scheme of ``(cell, channel)`` vectors in an ANN index (ints or numpy arrays)."""
    return cell_id * stride + channel


def split_vector_id(vid, stride: int = N_CODES):
    """``(cell id, channel code)`` of an id made by ``vector_id`` with the same ``stride``."""
    return vid // stride, vid % stride

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS recaps (
  id INTEGER PRIMARY KEY, directory TEXT NOT NULL UNIQUE, signature TEXT NOT NULL,
  vid TEXT NOT NULL, title TEXT NOT NULL, video_path TEXT NOT NULL, video_signature TEXT NOT NULL,
  duration REAL NOT NULL, first_cell INTEGER NOT NULL, n_cells INTEGER NOT NULL, added REAL NOT NULL);
CREATE TABLE IF NOT EXISTS calibrations (
  recap_id INTEGER NOT NULL, channel INTEGER NOT NULL, mu REAL NOT NULL, sd REAL NOT NULL,
  PRIMARY KEY (recap_id, channel)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cells (
  id INTEGER PRIMARY KEY, recap_id INTEGER NOT NULL, idx INTEGER NOT NULL, start REAL NOT NULL,
  end REAL NOT NULL, speech TEXT NOT NULL, on_screen TEXT NOT NULL, n_terms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (
  cell_id INTEGER NOT NULL, channel INTEGER NOT NULL, vec BLOB NOT NULL,
  PRIMARY KEY (cell_id, channel)) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS cell_fts USING fts5(doc, tokenize = "unicode61 tokenchars '_' remove_diacritics 0");
CREATE VIRTUAL TABLE IF NOT EXISTS cell_vocab USING fts5vocab(cell_fts, row);
"""


@dataclass
class RecapRow:
    """One indexed recap, as the catalog knows it."""

    id: int
    directory: str  # relative to the library root when inside it, else absolute
    signature: str  # recap.json + embeddings.npz size and mtime: a change means re-index
    vid: str
    title: str
    video_path: str
    video_signature: str  # the source video's size and mtime when it was recapped
    duration: float
    first_cell: int
    n_cells: int
    added: float


@dataclass
class CellRow:
    id: int
    recap_id: int
    idx: int
    start: float
    end: float
    speech: str
    on_screen: str
    doc: str  # stemmed content words (speech of cells i-1..i+1 and on-screen text)


class Catalog:
    """Thin typed access to the SQLite file; every write happens inside ``transaction()``."""

    def __init__(self, path: Path, readonly: bool = False):
        self.path = path
        uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=60)
        self.db.execute("PRAGMA busy_timeout = 60000")
        if not readonly:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            yield self.db

    # meta -------------------------------------------------------------------------------------
    def get(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: object) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))

    def bump(self, key: str, by: int) -> int:
        value = int(self.get(key, "0") or 0) + by
        self.put(key, value)
        return value

    # recaps -----------------------------------------------------------------------------------
    def recaps(self) -> list[RecapRow]:
        rows = self.db.execute(f"SELECT {_RECAP_COLS} FROM recaps ORDER BY directory").fetchall()
        return [RecapRow(*r) for r in rows]

    def recap(self, recap_id: int) -> RecapRow | None:
        row = self.db.execute(f"SELECT {_RECAP_COLS} FROM recaps WHERE id = ?", (recap_id,)).fetchone()
        return RecapRow(*row) if row else None

    def recap_by_directory(self, directory: str) -> RecapRow | None:
        row = self.db.execute(f"SELECT {_RECAP_COLS} FROM recaps WHERE directory = ?", (directory,)).fetchone()
        return RecapRow(*row) if row else None

    def insert_recap(self, row: RecapRow) -> int:
        cur = self.db.execute(
            "INSERT INTO recaps (directory, signature, vid, title, video_path, video_signature, duration, "
            "first_cell, n_cells, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.directory, row.signature, row.vid, row.title, row.video_path, row.video_signature,
             row.duration, row.first_cell, row.n_cells, row.added))
        return int(cur.lastrowid)

    def delete_recap(self, row: RecapRow) -> int:
        """Remove a recap and its cells; returns how many vectors went."""
        lo, hi = row.first_cell, row.first_cell + row.n_cells - 1
        gone = self.db.execute("DELETE FROM vectors WHERE cell_id BETWEEN ? AND ?", (lo, hi)).rowcount
        self.db.execute("DELETE FROM cell_fts WHERE rowid BETWEEN ? AND ?", (lo, hi))
        self.db.execute("DELETE FROM cells WHERE id BETWEEN ? AND ?", (lo, hi))
        self.db.execute("DELETE FROM calibrations WHERE recap_id = ?", (row.id,))
        self.db.execute("DELETE FROM recaps WHERE id = ?", (row.id,))
        return gone

    # cells and vectors ------------------------------------------------------------------------
    def insert_cells(self, recap_id: int, first: int, cells: Iterable[tuple[int, float, float, str, str, str]]) -> None:
        rows = [(first + i, recap_id, i, s, e, sp, os_, doc) for i, s, e, sp, os_, doc in cells]
        self.db.executemany("INSERT INTO cells (id, recap_id, idx, start, end, speech, on_screen, n_terms) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [(*r[:7], len(r[7].split())) for r in rows])
        self.db.executemany("INSERT INTO cell_fts (rowid, doc) VALUES (?, ?)",
                            [(r[0], r[7]) for r in rows if r[7]])

    def insert_vectors(self, first: int, channel: str, matrix: np.ndarray) -> int:
        code = CHANNEL_CODES[channel]
        present = np.flatnonzero(np.abs(matrix).sum(1) > 0)
        half = matrix.astype(np.float16)
        self.db.executemany("INSERT INTO vectors (cell_id, channel, vec) VALUES (?, ?, ?)",
                            ((first + int(i), code, half[i].tobytes()) for i in present))
        return len(present)

    def insert_calibration(self, recap_id: int, channel: str, mu: float, sd: float) -> None:
        self.db.execute("INSERT INTO calibrations (recap_id, channel, mu, sd) VALUES (?, ?, ?, ?)",
                        (recap_id, CHANNEL_CODES[channel], mu, sd))

    def calibrations(self, recap_ids: Iterable[int]) -> dict[tuple[int, int], tuple[float, float]]:
        ids = sorted(set(recap_ids))
        out: dict[tuple[int, int], tuple[float, float]] = {}
        for chunk in _chunks(ids):
            q = f"SELECT recap_id, channel, mu, sd FROM calibrations WHERE recap_id IN ({_marks(chunk)})"
            for rid, ch, mu, sd in self.db.execute(q, chunk):
                out[(rid, ch)] = (mu, sd)
        return out

    def vectors_in_range(self, lo: int, hi: int) -> list[tuple[int, int, bytes]]:
        return self.db.execute("SELECT cell_id, channel, vec FROM vectors WHERE cell_id BETWEEN ? AND ?",
                               (lo, hi)).fetchall()

    def vectors_of(self, cell_ids: Iterable[int]) -> list[tuple[int, int, bytes]]:
        out: list[tuple[int, int, bytes]] = []
        for chunk in _chunks(sorted(set(cell_ids))):
            out += self.db.execute(f"SELECT cell_id, channel, vec FROM vectors WHERE cell_id IN ({_marks(chunk)})",
                                   chunk).fetchall()
        return out

    def vectors_after(self, cell_id: int) -> list[tuple[int, int, bytes]]:
        return self.db.execute("SELECT cell_id, channel, vec FROM vectors WHERE cell_id > ?", (cell_id,)).fetchall()

    def cells_of(self, cell_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        """``cell id -> (recap id, index)`` for the ids that still exist."""
        out: dict[int, tuple[int, int]] = {}
        for chunk in _chunks(sorted(set(cell_ids))):
            for cid, rid, idx in self.db.execute(
                    f"SELECT id, recap_id, idx FROM cells WHERE id IN ({_marks(chunk)})", chunk):
                out[cid] = (rid, idx)
        return out

    def cell_range(self, lo: int, hi: int) -> list[CellRow]:
        docs = dict(self.db.execute("SELECT rowid, doc FROM cell_fts WHERE rowid BETWEEN ? AND ?", (lo, hi)))
        rows = self.db.execute("SELECT id, recap_id, idx, start, end, speech, on_screen FROM cells "
                               "WHERE id BETWEEN ? AND ? ORDER BY id", (lo, hi)).fetchall()
        return [CellRow(*r, docs.get(r[0], "")) for r in rows]

    def cells_in(self, ranges: list[tuple[int, int]]) -> list[CellRow]:
        """Cells of several id ranges, in id order (two queries in all)."""
        ids = sorted({i for lo, hi in ranges for i in range(lo, hi + 1)})
        docs: dict[int, str] = {}
        rows = []
        for chunk in _chunks(ids):
            docs.update(self.db.execute(f"SELECT rowid, doc FROM cell_fts WHERE rowid IN ({_marks(chunk)})", chunk))
            rows += self.db.execute("SELECT id, recap_id, idx, start, end, speech, on_screen FROM cells "
                                    f"WHERE id IN ({_marks(chunk)}) ORDER BY id", chunk).fetchall()
        return [CellRow(*r, docs.get(r[0], "")) for r in rows]

    # lexical ----------------------------------------------------------------------------------
    def match(self, words: list[str], limit: int) -> list[tuple[int, str]]:
        """Best ``limit`` cells containing any of ``words`` by FTS5's BM25: ``(cell id, doc)``."""
        if not words:
            return []
        expr = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return self.db.execute("SELECT rowid, doc FROM cell_fts WHERE cell_fts MATCH ? ORDER BY rank LIMIT ?",
                               (expr, limit)).fetchall()

    def document_frequencies(self, words: list[str]) -> dict[str, int]:
        if not words:
            return {}
        rows = self.db.execute(f"SELECT term, doc FROM cell_vocab WHERE term IN ({_marks(words)})", words)
        return dict(rows.fetchall())


_RECAP_COLS = ("id, directory, signature, vid, title, video_path, video_signature, duration, first_cell, "
               "n_cells, added")


def _marks(items: list) -> str:
    return ", ".join("?" * len(items))


def _chunks(items: list, size: int = 900) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
