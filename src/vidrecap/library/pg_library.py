"""The PostgreSQL + pgvector store: one library that many processes on many machines write and read.

A recap is written in one transaction that holds the library's advisory lock, so concurrent
``library add`` processes and Ray drivers serialise their (short) writes and never interleave
cell ids; readers run in a REPEATABLE READ snapshot and see whole recaps only. A recap is keyed by
its directory relative to the machine's media root (``VIDRECAP_MEDIA_ROOT``: where that machine
mounts the shared recap folders), or absolute outside it; writing a recap whose content fingerprint
is already stored there is a no-op, so retried or concurrent adds never duplicate. Rows go in by
binary COPY; the vector index is built (or rebuilt as the library grows) by ``compact``, outside
any writer's transaction, so adding costs no index maintenance beyond IVFFlat's cheap inserts.
"""

from __future__ import annotations

import io
import math
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from psycopg import sql

from ..errors import InputError
from ..moments import scoring
from ..moments.loading import encoder_for_spec
from .base import LibraryBase, read_record
from .catalog import CHANNEL_CODES
from .ingest import RecapRecord
from .pg_catalog import PROBES, PgCatalog
from .search import LibrarySearcher

INDEX_MIN = 50_000  # vectors: below this a query scans every vector exactly (no index to keep)
REBUILD_GROWTH = 2.0  # rebuild the index (more lists) once the library has grown this much since
INDEX_LOCK = 0x76696472_69766621  # session advisory lock: one index build at a time
MEDIA_ROOT_ENV = "VIDRECAP_MEDIA_ROOT"


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
_COPY_TRAILER = b"\xff\xff"


def _copy_dtype(dim: int) -> np.dtype:
    """One row of ``COPY vectors FROM STDIN (FORMAT BINARY)``: (cell_id bigint, channel smallint, vec
    vector), each field preceded by its byte length; pgvector's binary form is int16 dim, int16 0,
    then the values as big-endian float4."""
    return np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("ch_len", ">i4"), ("ch", ">i2"),
                     ("vec_len", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("vec", ">f4", (dim,))])


class PgVectors:
    """Nearest ``(cell, channel)`` vectors through pgvector's IVFFlat index (exact cosines of the stored vectors)."""

    def __init__(self, catalog: PgCatalog):
        self.catalog = catalog
        self.probes = PROBES

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        return self.catalog.nearest(query, k, self.probes)


class PgLibrary(LibraryBase):
    """``PgLibrary.open("postgresql://user@host/db", create=True)``; same interface as ``RecapLibrary``."""

    def __init__(self, catalog: PgCatalog, media_root: str | Path | None = None):
        self.catalog = catalog
        root = media_root or os.environ.get(MEDIA_ROOT_ENV, "")
        self.media_root = Path(root).expanduser().resolve() if root else None
        self.location = catalog.location
        self.vectors = PgVectors(catalog)
        self.searcher = LibrarySearcher(catalog, self.vectors, self.absolute)

    @classmethod
    def open(cls, url: str | Path, create: bool = False) -> PgLibrary:
        return cls(PgCatalog(str(url), create))

    def close(self) -> None:
        self.catalog.close()

    def key(self, directory: Path) -> str:
        """``directory`` relative to the media root (POSIX form, the same on every machine) when
        inside it, else absolute."""
        path = Path(directory).resolve()
        if self.media_root is not None and path.is_relative_to(self.media_root):
            return path.relative_to(self.media_root).as_posix()
        return str(path)

    def absolute(self, key: str) -> Path:
        """Where a stored directory is on this machine: a relative key under this machine's media root."""
        path = Path(key)
        if path.is_absolute() or self.media_root is None:
            return path
        return self.media_root / path

    def compact(self) -> None:
        """Build the IVFFlat index once there are ``INDEX_MIN`` vectors, and rebuild it (about
        sqrt(vectors) lists) when the library has grown ``REBUILD_GROWTH`` times since: built
        CONCURRENTLY, so writers and readers go on; one process builds, the others skip."""
        cat = self.catalog
        total = int(cat.get("vectors", "0") or 0)
        built = int(cat.get("index_vectors", "0") or 0)
        if total < INDEX_MIN or (built and total < REBUILD_GROWTH * built):
            return
        if not cat.db.execute("SELECT pg_try_advisory_lock(%s)", (INDEX_LOCK,)).fetchone()[0]:
            return
        try:
            self._build_index(cat, total)
        finally:
            cat.db.execute("SELECT pg_advisory_unlock(%s)", (INDEX_LOCK,))

    @staticmethod
    def _build_index(cat: PgCatalog, total: int) -> None:
        old = cat.get("index_name")
        name = f"vectors_ivf_{int(cat.get('index_generation', '0') or 0) + 1}"
        lists = int(min(16384, max(64, math.sqrt(total))))
        cat.db.execute("SET maintenance_work_mem = '1GB'")
        workers = max(0, min(7, (os.cpu_count() or 1) - 1))
        cat.db.execute(f"SET max_parallel_maintenance_workers = {workers}")
        cat.db.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")  # a build killed half-way leaves it invalid
        cat.db.execute(f"CREATE INDEX CONCURRENTLY {name} ON vectors USING ivfflat (vec vector_ip_ops) "
                       f"WITH (lists = {lists})")
        with cat.write():
            cat.put("index_name", name)
            cat.put("index_generation", name.rsplit("_", 1)[1])
            cat.put("index_vectors", total)
        if old and old != name:
            cat.db.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {old}")

    # writing ----------------------------------------------------------------------------------
    def write_record(self, record: RecapRecord) -> str:
        cat = self.catalog
        with cat.write():
            self._check_encoder(record.encoder, record.dim)
            old = cat.recap_by_directory(record.directory)
            if old is not None and cat.fingerprint(old.id) == record.fingerprint:
                cat.db.execute("UPDATE recaps SET signature = %s, video_signature = %s WHERE id = %s",
                               (record.signature, record.video_signature, old.id))
                return "unchanged"
            if old is not None:
                self._delete(old.id)
            first = cat.bump("next_cell", len(record.cells)) - len(record.cells) + 1
            rid = cat.db.execute(
                "INSERT INTO recaps (directory, signature, fingerprint, vid, title, video_path, video_signature, "
                "duration, first_cell, n_cells, added) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "RETURNING id", (record.directory, record.signature, record.fingerprint, record.vid, record.title,
                                 record.video_path, record.video_signature, record.duration, first,
                                 len(record.cells), time.time())).fetchone()[0]
            self._insert_cells(rid, first, record)
            vectors = self._insert_vectors(first, record)
            for channel, (mu, sd) in record.calibrations.items():
                cat.db.execute("INSERT INTO calibrations (recap_id, channel, mu, sd) VALUES (%s, %s, %s, %s)",
                               (rid, CHANNEL_CODES[channel], mu, sd))
            self._count_terms([c[5] for c in record.cells], +1)
            cat.bump("cells", len(record.cells))
            cat.bump("terms", sum(len(c[5].split()) for c in record.cells))
            cat.bump("vectors", vectors)
        return "updated" if old is not None else "added"

    def _insert_cells(self, rid: int, first: int, record: RecapRecord) -> None:
        with self.catalog.db.cursor() as cur, cur.copy(
                'COPY cells (id, recap_id, idx, start, "end", speech, on_screen, doc, n_terms) FROM STDIN') as cp:
            for i, (idx, start, end, speech, on_screen, doc) in enumerate(record.cells):
                cp.write_row((first + i, rid, idx, start, end, speech, on_screen, doc, len(doc.split())))

    def _insert_vectors(self, first: int, record: RecapRecord) -> int:
        """Every non-empty channel vector by one binary COPY (the float16-rounded values as float4)."""
        parts, count = [], 0
        for channel, matrix in record.channels.items():
            half = np.asarray(matrix).astype(np.float16)
            keep = np.flatnonzero(np.abs(half).sum(1) > 0)
            rows = np.zeros(len(keep), _copy_dtype(half.shape[1]))
            rows["fields"], rows["id_len"], rows["id"] = 3, 8, first + keep
            rows["ch_len"], rows["ch"] = 2, CHANNEL_CODES[channel]
            rows["vec_len"], rows["dim"], rows["vec"] = 4 + 4 * half.shape[1], half.shape[1], half[keep]
            parts.append(rows.tobytes())
            count += len(keep)
        if count:
            with self.catalog.db.cursor() as cur, cur.copy(
                    "COPY vectors (cell_id, channel, vec) FROM STDIN (FORMAT BINARY)") as cp:
                cp.write(_COPY_HEADER + b"".join(parts) + _COPY_TRAILER)
        return count

    def _count_terms(self, docs: list[str], sign: int) -> None:
        df = Counter(w for d in docs for w in set(d.split()))
        if df:
            terms = sorted(df)
            self.catalog.db.execute(
                "INSERT INTO terms (term, df) SELECT * FROM unnest(%s::text[], %s::bigint[]) "
                "ON CONFLICT (term) DO UPDATE SET df = terms.df + EXCLUDED.df", (terms, [sign * df[t] for t in terms]))

    def _delete(self, recap_id: int) -> None:
        cat = self.catalog
        docs = [d for (d,) in cat.db.execute("SELECT doc FROM cells WHERE recap_id = %s", (recap_id,))]
        vectors = cat.db.execute("SELECT count(*) FROM vectors v JOIN cells c ON c.id = v.cell_id "
                                 "WHERE c.recap_id = %s", (recap_id,)).fetchone()[0]
        cat.db.execute("DELETE FROM recaps WHERE id = %s", (recap_id,))  # cells, vectors, calibrations cascade
        self._count_terms(docs, -1)
        cat.bump("cells", -len(docs))
        cat.bump("terms", -sum(len(d.split()) for d in docs))
        cat.bump("vectors", -int(vectors))

    def _check_encoder(self, spec: str, dim: int) -> None:
        cat = self.catalog
        have = cat.get("encoder")
        if not have:
            cat.put("encoder", spec)
            cat.put("dim", dim)
            cat.db.execute(sql.SQL("ALTER TABLE vectors ALTER COLUMN vec TYPE vector({})").format(sql.Literal(dim)))
        elif have != spec or int(cat.get("dim", "0")) != dim:
            raise InputError(f"recapped with encoder {spec!r} ({dim}-d) but this library uses {have!r} "
                             f"({cat.get('dim')}-d): run it again with --encoder {have}")

    def remove(self, directories: Iterable[str | Path]) -> list[str]:
        removed = []
        with self.catalog.write():
            for given in directories:
                row = self.catalog.recap_by_directory(self.key(Path(given)))
                if row is None:
                    row = self.catalog.recap_by_directory(str(given))
                if row is not None:
                    self._delete(row.id)
                    removed.append(row.directory)
        return removed

    def background(self, spec: str) -> np.ndarray:
        row = self.catalog.db.execute("SELECT embeddings FROM backgrounds WHERE encoder = %s", (spec,)).fetchone()
        if row:
            return np.load(io.BytesIO(row[0]))
        emb = encoder_for_spec(spec).embed_text(list(scoring.BACKGROUND_QUERIES)).astype(np.float32)
        self.put_background(spec, emb)
        return emb

    def put_background(self, spec: str, embeddings: np.ndarray) -> None:
        buf = io.BytesIO()
        np.save(buf, np.asarray(embeddings, np.float32))
        self.catalog.db.execute("INSERT INTO backgrounds (encoder, embeddings, dim) VALUES (%s, %s, %s) "
                                "ON CONFLICT (encoder) DO NOTHING", (spec, buf.getvalue(), embeddings.shape[1]))

    # reading ----------------------------------------------------------------------------------
    def search(self, query: str, top_k: int = 10):
        with self.catalog.snapshot():
            return super().search(query, top_k)

    def entries(self):
        with self.catalog.snapshot():
            return super().entries()

    def records(self) -> Iterator[RecapRecord]:
        for row in self.catalog.recaps():
            with self.catalog.snapshot():
                if self.catalog.recap(row.id) is not None:  # not removed since the listing
                    yield read_record(self.catalog, row, self.catalog.fingerprint(row.id))
