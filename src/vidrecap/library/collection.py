"""A library of recaps under one root folder: add, re-index, remove, list and search them all.

Everything lives in ``ROOT/.vidrecap-library/``: ``catalog.sqlite`` (the truth) and the FAISS base
index it is derived from. Writers take a file lock; readers (searches, the web page) never block.
Recap directories inside ROOT are stored relative to it, so the folder can move as a whole.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, VidrecapError
from ..moments import scoring
from ..moments.loading import check_query, encoder_for_spec
from ..moments.reading import prototype_matrix, read_query
from .catalog import Catalog, RecapRow
from .ingest import PreparedRecap, file_signature, prepare, recap_signature
from .search import LibraryResult, LibrarySearcher
from .vectors import VectorIndex

LIBRARY_DIR = ".vidrecap-library"
CATALOG_FILE = "catalog.sqlite"


def is_library(root: str | Path) -> bool:
    return (Path(root) / LIBRARY_DIR / CATALOG_FILE).is_file()


def find_recap_dirs(path: Path) -> list[Path]:
    """``path`` if it holds ``recap.json``, else every recap directory below it (hidden ones skipped)."""
    if (path / "recap.json").is_file():
        return [path]
    found = [p.parent for p in path.rglob("recap.json")
             if not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])]
    return sorted(found)


@dataclass
class AddOutcome:
    """What ``add`` did with one recap directory: added, updated, unchanged or failed (with why)."""

    directory: str
    status: str
    message: str = ""
    cells: int = 0


@dataclass
class LibraryEntry:
    """One recap as listed: where it is, what it is, and whether its files still match the index."""

    directory: str
    title: str
    vid: str
    duration: float
    cells: int
    status: str  # ok | changed | missing


class RecapLibrary:
    """``RecapLibrary.open(root, create=True)``, then ``add``/``remove``/``entries``/``search``."""

    def __init__(self, root: Path, catalog: Catalog):
        self.root, self.catalog = root, catalog
        self.folder = root / LIBRARY_DIR
        self.vectors = VectorIndex(self.folder, catalog)
        self.searcher = LibrarySearcher(catalog, self.vectors, self.absolute)

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

    def __enter__(self) -> RecapLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
    def add(self, directories: Iterable[str | Path], on_outcome: Callable[[AddOutcome], None] | None = None
            ) -> list[AddOutcome]:
        """Index each recap directory (a folder is searched for recaps); one failure never stops the rest."""
        outcomes = []
        for given in directories:
            path = Path(given)
            found = find_recap_dirs(path) if path.is_dir() else []
            if not found:
                why = "no such directory" if not path.exists() else "no recap.json in it or below it"
                found_outcomes = [AddOutcome(str(path), "failed", why)]
            else:
                found_outcomes = [self.add_one(d) for d in found]
            for outcome in found_outcomes:
                outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
        self.compact()
        return outcomes

    def add_one(self, directory: str | Path, compact: bool = False) -> AddOutcome:
        """Index one recap directory, or re-index it if its files changed since."""
        directory = Path(directory)
        key = self.key(directory)
        old = self.catalog.recap_by_directory(key)
        if old is not None and old.signature == recap_signature(directory):
            return AddOutcome(key, "unchanged", cells=old.n_cells)
        try:
            prepared = prepare(directory, encoder_for_spec, self._background)
            self.store(key, prepared)
        except VidrecapError as exc:
            return AddOutcome(key, "failed", str(exc))
        if compact:
            self.compact()
        return AddOutcome(key, "updated" if old else "added", cells=len(prepared.recap.cells))

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

    def store(self, key: str, prepared: PreparedRecap) -> None:
        """Write one prepared recap under ``key``, replacing what was stored there (one transaction)."""
        with self._write_lock():
            self._store(key, prepared)

    def _store(self, key: str, prepared: PreparedRecap) -> None:
        recap = prepared.recap
        spec = str(recap.options.get("encoder") or "embedded")
        dim = next(iter(prepared.channels.values())).shape[1] if prepared.channels else 0
        with self.catalog.transaction():
            self._check_encoder(spec, dim)
            old = self.catalog.recap_by_directory(key)
            if old is not None:
                self._delete(old)
            first = int(self.catalog.get("next_cell", "1"))
            row = RecapRow(0, key, prepared.signature, _vid(recap), prepared.title, recap.video.path or "",
                           prepared.video_signature, float(recap.video.duration), first, len(recap.cells),
                           time.time())
            rid = self.catalog.insert_recap(row)
            self.catalog.insert_cells(rid, first, ((c.index, c.start, c.end, c.speech, c.on_screen, d)
                                                   for c, d in zip(recap.cells, prepared.docs, strict=True)))
            vectors = 0
            for channel, matrix in prepared.channels.items():
                vectors += self.catalog.insert_vectors(first, channel, matrix)
                cal = prepared.calibrations[channel]
                self.catalog.insert_calibration(rid, channel, cal.mu, cal.sd)
            self.catalog.put("next_cell", first + len(recap.cells))
            self.catalog.bump("cells", len(recap.cells))
            self.catalog.bump("terms", sum(len(d.split()) for d in prepared.docs))
            self.catalog.bump("vectors", vectors)
            self.catalog.bump("generation", 1)

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

    def _background(self, spec: str) -> np.ndarray:
        """Background-query embeddings of ``spec``, kept next to the catalog so adds need no model."""
        path = self.folder / f"background-{_safe(spec)}.npy"
        if path.is_file():
            return np.load(path)
        emb = encoder_for_spec(spec).embed_text(list(scoring.BACKGROUND_QUERIES)).astype(np.float32)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, emb)
        os.replace(tmp, path)
        return emb

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        with open(self.folder / "write.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # reading ----------------------------------------------------------------------------------
    def entries(self) -> list[LibraryEntry]:
        out = []
        for row in self.catalog.recaps():
            directory = self.absolute(row.directory)
            out.append(LibraryEntry(str(directory), row.title, row.vid, row.duration, row.n_cells,
                                    _status(directory, row)))
        return out

    def is_current(self, out_dir: str | Path, video: str | Path) -> bool:
        """Whether ``out_dir`` is indexed, unchanged, and was made from ``video`` as it is now."""
        row = self.catalog.recap_by_directory(self.key(Path(out_dir)))
        if row is None or row.signature != recap_signature(Path(out_dir)):
            return False
        return row.video_signature == file_signature(Path(video))

    def search(self, query: str, top_k: int = 10) -> LibraryResult:
        """The ``top_k`` best moments across every recap; recaps whose folder is gone are skipped
        and named in ``missing``."""
        query = check_query(query)
        if top_k < 1:
            raise InputError("top_k must be at least 1")
        spec = self.catalog.get("encoder")
        if not spec:
            return LibraryResult(query, [])
        qvec = self.embed_query(query)
        reading = read_query(query, qvec, self._prototypes())
        hits = self.searcher.search(query, qvec, top_k * 2, reading=reading)
        missing = sorted({h.directory for h in hits if not (Path(h.directory) / "recap.json").is_file()})
        hits = [h for h in hits if h.directory not in missing][:top_k]
        return LibraryResult(query, hits, missing)

    def _prototypes(self) -> np.ndarray:
        """The query-reading intents (``moments.reading``) in this library's encoder space."""
        spec = self.catalog.get("encoder")
        if spec not in _PROTOTYPES:
            _PROTOTYPES[spec] = prototype_matrix(encoder_for_spec(spec))
        return _PROTOTYPES[spec]

    def embed_query(self, query: str) -> np.ndarray:
        encoder: Any = encoder_for_spec(self.catalog.get("encoder"))
        q = np.asarray(encoder.embed_text([query])[0], np.float32)
        return q / max(float(np.linalg.norm(q)), 1e-12)


_PROTOTYPES: dict[str, np.ndarray] = {}  # encoder spec -> query-reading prototypes


def _vid(recap) -> str:
    return Path(recap.video.path).stem if recap.video.path else recap.video.fingerprint


def _status(directory: Path, row: RecapRow) -> str:
    if not (directory / "recap.json").is_file():
        return "missing"
    return "ok" if recap_signature(directory) == row.signature else "changed"


def _safe(spec: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in spec)[:80]
