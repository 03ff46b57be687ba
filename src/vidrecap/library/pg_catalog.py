"""The library's catalog in PostgreSQL: the same tables as the embedded store, with pgvector and tsvector.

``recaps``, ``cells`` (with a ``tsvector`` of each cell's stemmed words, GIN-indexed), ``vectors``
(``vector``: the embeddings, rounded to float16 as in the embedded store; pgvector >= 0.5), with an
IVFFlat index for inner product that ``PgLibrary.compact`` builds once the library is large enough
(below that a query scans every vector exactly), ``calibrations``, ``terms``
(document frequency of each word, for the library-wide IDF) and ``meta`` (counters, the encoder).
``schema_version`` records which of ``MIGRATIONS`` ran; every SQL value is a bound parameter.
The reading methods mirror ``catalog.Catalog`` so ``LibrarySearcher`` runs unchanged on either.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import InputError, VidrecapError
from .catalog import CellRow, RecapRow
from .stores import mask

LOCK = 0x76696472_6C696221  # pg_advisory_xact_lock key: one writer at a time per database
PROBES = 192  # IVFFlat lists scanned per query (of about sqrt(vectors)); their vectors are compared exactly

MIGRATIONS = [
    # 1: the first schema (the vector column gets its dimension with the first recap)
    """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE recaps (
      id bigserial PRIMARY KEY, directory text NOT NULL UNIQUE, signature text NOT NULL,
      fingerprint text NOT NULL, vid text NOT NULL, title text NOT NULL, video_path text NOT NULL,
      video_signature text NOT NULL, duration double precision NOT NULL, first_cell bigint NOT NULL,
      n_cells integer NOT NULL, added double precision NOT NULL);
    CREATE TABLE calibrations (
      recap_id bigint NOT NULL REFERENCES recaps ON DELETE CASCADE, channel smallint NOT NULL,
      mu double precision NOT NULL, sd double precision NOT NULL, PRIMARY KEY (recap_id, channel));
    CREATE TABLE cells (
      id bigint PRIMARY KEY, recap_id bigint NOT NULL REFERENCES recaps ON DELETE CASCADE,
      idx integer NOT NULL, start double precision NOT NULL, "end" double precision NOT NULL,
      speech text NOT NULL, on_screen text NOT NULL, doc text NOT NULL, n_terms integer NOT NULL,
      tsv tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(doc, ' '))) STORED);
    CREATE INDEX cells_recap ON cells (recap_id);
    CREATE INDEX cells_tsv ON cells USING gin (tsv);
    CREATE TABLE vectors (
      cell_id bigint NOT NULL REFERENCES cells ON DELETE CASCADE, channel smallint NOT NULL,
      vec vector NOT NULL, PRIMARY KEY (cell_id, channel));
    CREATE TABLE terms (term text PRIMARY KEY, df bigint NOT NULL);
    CREATE TABLE backgrounds (encoder text PRIMARY KEY, embeddings bytea NOT NULL, dim integer NOT NULL);
    """,
    # 2: the HNSW index, maintained inside every writer's transaction (~22 cells/s), gives way to an
    # IVFFlat index built once the library is large (``PgLibrary.compact``)
    """
    DROP INDEX IF EXISTS vectors_hnsw;
    """,
]

_RECAP_COLS = ("id, directory, signature, vid, title, video_path, video_signature, duration, first_cell, "
               "n_cells, added")


def _psycopg():
    try:
        import psycopg
    except ImportError as exc:
        raise VidrecapError("a PostgreSQL library needs psycopg: pip install 'psycopg[binary]'") from exc
    return psycopg


def connect(url: str):
    """An autocommit connection (credentials from the URL, PG* variables or ~/.pgpass); errors masked."""
    psycopg = _psycopg()
    info = psycopg.conninfo.conninfo_to_dict(url)
    extra = {k: v for k, v in (("connect_timeout", "10"), ("application_name", "vidrecap"))
             if k not in info}
    try:
        return psycopg.connect(url, autocommit=True, **extra)
    except psycopg.Error as exc:
        raise VidrecapError(f"{mask(url)}: cannot connect: {mask(str(exc).strip())}") from None


class PgCatalog:
    """Typed access to one database; writes happen inside ``write()`` (one transaction, one writer)."""

    def __init__(self, url: str, create: bool):
        self.location = mask(url)
        self.db = connect(url)
        self._migrate(create)

    def close(self) -> None:
        self.db.close()

    def _migrate(self, create: bool) -> None:
        if self._version() == len(MIGRATIONS):  # the common case: no lock, so opening never waits on a writer
            return
        if self._version() is None and not create:
            raise InputError(f"{self.location}: no recap library in this database "
                             "(create one with `vidrecap library add URL`)")
        with self.write():
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_version "
                            "(version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())")
            version = self._version() or 0
            if version > len(MIGRATIONS):
                raise InputError(f"{self.location}: library schema {version} is newer than this vidrecap "
                                 f"({len(MIGRATIONS)}): upgrade vidrecap")
            for number, script in enumerate(MIGRATIONS[version:], version + 1):
                for statement in filter(str.strip, script.split(";")):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))

    def _version(self) -> int | None:
        """The schema version, or None where the database has no library."""
        if not self.db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]:
            return None
        return int(self.db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0])

    @contextmanager
    def write(self) -> Iterator[Any]:
        """One transaction holding the library's writer lock (other writers wait; readers never do)."""
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            yield self.db

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees one consistent state: whole recaps only."""
        if self.db.info.transaction_status != 0:  # already inside a transaction
            yield
            return
        with self.db.transaction():
            self.db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    # meta -------------------------------------------------------------------------------------
    def get(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: object) -> None:
        self.db.execute("INSERT INTO meta (key, value) VALUES (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, str(value)))

    def bump(self, key: str, by: int) -> int:
        return int(self.db.execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
            "SET value = (meta.value::bigint + %s)::text RETURNING value", (key, str(by), by)).fetchone()[0])

    # recaps -----------------------------------------------------------------------------------
    def recaps(self) -> list[RecapRow]:
        rows = self.db.execute(f"SELECT {_RECAP_COLS} FROM recaps ORDER BY directory").fetchall()
        return [RecapRow(*r) for r in rows]

    def recap(self, recap_id: int) -> RecapRow | None:
        row = self.db.execute(f"SELECT {_RECAP_COLS} FROM recaps WHERE id = %s", (recap_id,)).fetchone()
        return RecapRow(*row) if row else None

    def recap_by_directory(self, directory: str) -> RecapRow | None:
        row = self.db.execute(f"SELECT {_RECAP_COLS} FROM recaps WHERE directory = %s", (directory,)).fetchone()
        return RecapRow(*row) if row else None

    def fingerprint(self, recap_id: int) -> str:
        return self.db.execute("SELECT fingerprint FROM recaps WHERE id = %s", (recap_id,)).fetchone()[0]

    # cells and vectors ------------------------------------------------------------------------
    def calibrations(self, recap_ids: Iterable[int]) -> dict[tuple[int, int], tuple[float, float]]:
        rows = self.db.execute("SELECT recap_id, channel, mu, sd FROM calibrations WHERE recap_id = ANY(%s)",
                               (sorted(set(recap_ids)),))
        return {(rid, ch): (mu, sd) for rid, ch, mu, sd in rows}

    def vectors_of(self, cell_ids: Iterable[int]) -> list[tuple[int, int, bytes]]:
        """``(cell id, channel, float16 little-endian bytes)`` of every vector of ``cell_ids``."""
        return self._vectors("cell_id = ANY(%s)", (sorted(set(cell_ids)),))

    def vectors_in_range(self, lo: int, hi: int) -> list[tuple[int, int, bytes]]:
        return self._vectors("cell_id BETWEEN %s AND %s", (lo, hi))

    def _vectors(self, where: str, params: tuple) -> list[tuple[int, int, bytes]]:
        with self.db.cursor(binary=True) as cur:
            rows = cur.execute(f"SELECT cell_id, channel, vec FROM vectors WHERE {where} ORDER BY cell_id, channel",
                               params).fetchall()
        # vector's binary form: int16 dim, int16 unused, then big-endian float32 values (float16-exact)
        return [(c, ch, np.frombuffer(bytes(v), ">f4", offset=4).astype("<f2").tobytes()) for c, ch, v in rows]

    def nearest(self, query: np.ndarray, k: int, probes: int = PROBES) -> list[tuple[int, int, float]]:
        """``(cell id, channel, cosine)`` of the ``k`` nearest vectors: the IVFFlat index's ``probes``
        nearest lists, compared exactly (every vector where there is no index yet)."""
        text = _vector_text(query)
        with self.snapshot():
            self.db.execute("SELECT set_config('ivfflat.probes', %s, true)", (str(probes),))
            rows = self.db.execute("SELECT cell_id, channel, -(vec <#> %s::vector) FROM vectors "
                                   "ORDER BY vec <#> %s::vector LIMIT %s", (text, text, k)).fetchall()
        return [(int(c), int(ch), float(s)) for c, ch, s in rows]

    def cells_of(self, cell_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
        rows = self.db.execute("SELECT id, recap_id, idx FROM cells WHERE id = ANY(%s)", (sorted(set(cell_ids)),))
        return {cid: (rid, idx) for cid, rid, idx in rows}

    def cell_range(self, lo: int, hi: int) -> list[CellRow]:
        return self.cells_in([(lo, hi)])

    def cells_in(self, ranges: list[tuple[int, int]]) -> list[CellRow]:
        ids = sorted({i for lo, hi in ranges for i in range(lo, hi + 1)})
        rows = self.db.execute('SELECT id, recap_id, idx, start, "end", speech, on_screen, doc FROM cells '
                               "WHERE id = ANY(%s) ORDER BY id", (ids,)).fetchall()
        return [CellRow(*r) for r in rows]

    # lexical ----------------------------------------------------------------------------------
    def match(self, words: list[str], limit: int) -> list[tuple[int, str]]:
        """Best ``limit`` cells containing any of ``words``, ranked by the summed IDF of the words they hold."""
        if not words:
            return []
        n = max(1, int(self.get("cells", "0") or 0))
        df = self.document_frequencies(words)
        idf = [float(np.log(1.0 + (n - df.get(w, 0) + 0.5) / (df.get(w, 0) + 0.5))) for w in words]
        score = " + ".join(["(CASE WHEN tsv @@ %s::tsquery THEN %s ELSE 0 END)"] * len(words))
        params: list[Any] = [v for w, f in zip(words, idf, strict=True) for v in (_lexeme(w), f)]
        return self.db.execute(f"SELECT id, doc FROM cells WHERE tsv @@ %s::tsquery ORDER BY {score} DESC, id "
                               "LIMIT %s", (" | ".join(map(_lexeme, words)), *params, limit)).fetchall()

    def document_frequencies(self, words: list[str]) -> dict[str, int]:
        if not words:
            return {}
        return dict(self.db.execute("SELECT term, df FROM terms WHERE term = ANY(%s)", (list(words),)).fetchall())


def _lexeme(word: str) -> str:
    """``word`` as one quoted tsquery lexeme (a bound value: quoting is tsquery syntax, not SQL)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _vector_text(row: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.5g}" for x in np.asarray(row, np.float32).tolist()) + "]"
