"""The PostgreSQL + pgvector store: one library that many processes on many machines write and read.

A recap is written in one transaction that holds the library's advisory lock, so concurrent
``library add`` processes and Ray drivers serialise their (short) writes and never interleave
cell ids; readers run in a REPEATABLE READ snapshot and see whole recaps only. A recap is keyed by
its directory (absolute: every machine must see it at the same path); writing a recap whose content
fingerprint is already stored there is a no-op, so retried or concurrent adds never duplicate.
"""

from __future__ import annotations

import io
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
from .pg_catalog import EF_SEARCH, PgCatalog, _vector_text
from .search import LibrarySearcher

HNSW = "WITH (m = 16, ef_construction = 64)"


class PgVectors:
    """Nearest ``(cell, channel)`` vectors through pgvector's HNSW index (exact cosines of the stored vectors)."""

    def __init__(self, catalog: PgCatalog):
        self.catalog = catalog
        self.ef_factor = EF_SEARCH

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, int, float]]:
        return self.catalog.nearest(query, k, self.ef_factor)


class PgLibrary(LibraryBase):
    """``PgLibrary.open("postgresql://user@host/db", create=True)``; same interface as ``RecapLibrary``."""

    def __init__(self, catalog: PgCatalog):
        self.catalog = catalog
        self.location = catalog.location
        self.vectors = PgVectors(catalog)
        self.searcher = LibrarySearcher(catalog, self.vectors, self.absolute)

    @classmethod
    def open(cls, url: str | Path, create: bool = False) -> PgLibrary:
        return cls(PgCatalog(str(url), create))

    def close(self) -> None:
        self.catalog.close()

    def key(self, directory: Path) -> str:
        return str(Path(directory).resolve())

    def absolute(self, key: str) -> Path:
        return Path(key)

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
        n = 0
        with self.catalog.db.cursor() as cur, cur.copy("COPY vectors (cell_id, channel, vec) FROM STDIN") as cp:
            for channel, matrix in record.channels.items():
                half = np.asarray(matrix).astype(np.float16)
                for i in np.flatnonzero(np.abs(half).sum(1) > 0):
                    cp.write_row((first + int(i), CHANNEL_CODES[channel], _vector_text(half[i])))
                    n += 1
        return n

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
            cat.db.execute(f"CREATE INDEX vectors_hnsw ON vectors USING hnsw (vec vector_ip_ops) {HNSW}")
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
