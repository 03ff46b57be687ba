"""A library of recaps under one root folder: add, re-index, remove, list and search them all.

Everything lives in ``ROOT/.vidrecap-library/``: ``catalog.sqlite`` (the truth) and the FAISS base
index it is derived from. Writers take a file lock; readers (searches, the web page) never block.
Recap directories inside ROOT are stored relative to it, so the folder can move as a whole.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..moments import scoring
from ..moments.loading import encoder_for_spec
from .base import LibraryBase, read_record
from .catalog import Catalog, RecapRow
from .ingest import RecapRecord, recap_fingerprint, recap_signature
from .search import LibrarySearcher
from .vectors import VectorIndex

LIBRARY_DIR = ".vidrecap-library"
CATALOG_FILE = "catalog.sqlite"


class RecapLibrary(LibraryBase):
    """The embedded store: ``RecapLibrary.open(root, create=True)``, then ``add``/``remove``/``search``."""

    def __init__(self, root: Path, catalog: Catalog):
        self.root, self.catalog = root, catalog
        self.folder = root / LIBRARY_DIR
        self.vectors = VectorIndex(self.folder, catalog)
        self.searcher = LibrarySearcher(catalog, self.vectors, self.absolute)
        self.location = str(root)

    @classmethod
    def open(cls, root: str | Path, create: bool = False) -> RecapLibrary:
        root = Path(root).resolve()
        folder = root / LIBRARY_DIR
        if not (folder / CATALOG_FILE).is_file():
            if not create:
                raise InputError(f"{root}: no recap library here (create one with `vidrecap library add`)")
            if root.exists() and not root.is_dir():
                raise InputError(f"{root}: not a directory")
            folder.mkdir(parents=True, exist_ok=True)
        return cls(root, Catalog(folder / CATALOG_FILE))

    def close(self) -> None:
        self.catalog.close()

    # paths ------------------------------------------------------------------------------------
    def key(self, directory: Path) -> str:
        """How a recap directory is stored: relative to the root when inside it."""
        real = directory.resolve()
        try:
            return real.relative_to(self.root).as_posix()
        except ValueError:
            return str(real)

    def absolute(self, key: str) -> Path:
        return Path(key) if os.path.isabs(key) else self.root / key

    # writing ----------------------------------------------------------------------------------
    def remove(self, directories: Iterable[str | Path]) -> list[str]:
        """Drop recaps (and their hits) from the library; returns the keys that were removed."""
        removed = []
        with self._write_lock(), self.catalog.transaction():
            for given in directories:
                row = self.catalog.recap_by_directory(self.key(Path(given)))
                if row is None:
                    row = self.catalog.recap_by_directory(str(given))
                if row is not None:
                    self._delete(row)
                    removed.append(row.directory)
            if removed:
                self.catalog.bump("generation", 1)
        self.compact()
        return removed

    def compact(self) -> None:
        """Rebuild the ANN base if the new or removed vectors outgrew their share of it."""
        if self.vectors.needs_rebuild():
            with self._write_lock():
                if self.vectors.needs_rebuild():
                    self.vectors.rebuild(int(self.catalog.get("dim", "0")))

    def write_record(self, record: RecapRecord) -> str:
        with self._write_lock(), self.catalog.transaction():
            self._check_encoder(record.encoder, record.dim)
            old = self.catalog.recap_by_directory(record.directory)
            if old is not None:
                self._delete(old)
            first = int(self.catalog.get("next_cell", "1"))
            row = RecapRow(0, record.directory, record.signature, record.vid, record.title, record.video_path,
                           record.video_signature, record.duration, first, len(record.cells), time.time())
            rid = self.catalog.insert_recap(row)
            self.catalog.insert_cells(rid, first, record.cells)
            vectors = 0
            for channel, matrix in record.channels.items():
                vectors += self.catalog.insert_vectors(first, channel, matrix)
                self.catalog.insert_calibration(rid, channel, *record.calibrations[channel])
            self.catalog.put("next_cell", first + len(record.cells))
            self.catalog.bump("cells", len(record.cells))
            self.catalog.bump("terms", sum(len(c[5].split()) for c in record.cells))
            self.catalog.bump("vectors", vectors)
            self.catalog.bump("generation", 1)
        return "updated" if old else "added"

    def records(self) -> Iterator[RecapRecord]:
        for row in self.catalog.recaps():
            directory = self.absolute(row.directory)
            fingerprint = (recap_fingerprint(directory) if recap_signature(directory) == row.signature
                           else f"{row.directory}|{row.signature}")
            yield read_record(self.catalog, row, fingerprint)

    def _delete(self, row: RecapRow) -> None:
        terms = self.catalog.db.execute("SELECT COALESCE(SUM(n_terms), 0) FROM cells WHERE recap_id = ?",
                                        (row.id,)).fetchone()[0]
        gone = self.catalog.delete_recap(row)
        self.catalog.bump("cells", -row.n_cells)
        self.catalog.bump("terms", -int(terms))
        self.catalog.bump("vectors", -gone)
        if row.first_cell <= int(self.catalog.get("base_watermark", "0") or 0):
            self.catalog.bump("tombstones", gone)

    def _check_encoder(self, spec: str, dim: int) -> None:
        have = self.catalog.get("encoder")
        if not have:
            self.catalog.put("encoder", spec)
            self.catalog.put("dim", dim)
        elif have != spec or int(self.catalog.get("dim", "0")) != dim:
            raise InputError(f"recapped with encoder {spec!r} ({dim}-d) but this library uses {have!r} "
                             f"({self.catalog.get('dim')}-d): run it again with --encoder {have}")

    def background(self, spec: str) -> np.ndarray:
        """Background-query embeddings of ``spec``, kept next to the catalog so adds need no model."""
        path = self.folder / f"background-{_safe(spec)}.npy"
        if path.is_file():
            return np.load(path)
        emb = encoder_for_spec(spec).embed_text(list(scoring.BACKGROUND_QUERIES)).astype(np.float32)
        self.put_background(spec, emb)
        return emb

    def put_background(self, spec: str, embeddings: np.ndarray) -> None:
        path = self.folder / f"background-{_safe(spec)}.npy"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, np.asarray(embeddings, np.float32))
        os.replace(tmp, path)

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        with open(self.folder / "write.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _safe(spec: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in spec)[:80]
