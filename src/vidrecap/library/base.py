"""What every library store shares: adding recap folders, listing, searching and copying.

A store (the embedded SQLite + FAISS one in ``collection.py``, PostgreSQL + pgvector in
``pg_library.py``) provides the catalog the searcher reads and writes whole ``RecapRecord`` s;
everything above that — finding recap folders, deciding what changed, scoring — is here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, VidrecapError
from ..moments.loading import check_query, encoder_for_spec
from ..moments.reading import prototype_matrix, read_query
from .catalog import CHANNEL_NAMES
from .ingest import PreparedRecap, RecapRecord, file_signature, prepare, recap_signature, record_of
from .search import LibraryResult


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


class LibraryBase:
    """``add``/``remove``/``entries``/``search``/``records`` over one store (subclasses hold the storage)."""

    catalog: Any  # the store's catalog: what ``LibrarySearcher`` reads
    searcher: Any
    location: str  # shown to the user (a folder, or a URL without its password)

    # storage, per store -------------------------------------------------------------------------
    def close(self) -> None:
        raise NotImplementedError

    def key(self, directory: Path) -> str:
        raise NotImplementedError

    def absolute(self, key: str) -> Path:
        raise NotImplementedError

    def write_record(self, record: RecapRecord) -> str:
        """Store one whole recap atomically, replacing one at the same directory: added|updated|unchanged."""
        raise NotImplementedError

    def remove(self, directories: Iterable[str | Path]) -> list[str]:
        raise NotImplementedError

    def records(self) -> Iterator[RecapRecord]:
        """Every stored recap, whole (for ``copy``)."""
        raise NotImplementedError

    def background(self, spec: str) -> np.ndarray:
        raise NotImplementedError

    def put_background(self, spec: str, embeddings: np.ndarray) -> None:
        raise NotImplementedError

    def compact(self) -> None:
        """Maintenance after writes (the embedded store rebuilds its ANN base); nothing by default."""

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            prepared = prepare(directory, encoder_for_spec, self.background)
            status = self.store(key, prepared)
        except VidrecapError as exc:
            return AddOutcome(key, "failed", str(exc))
        if compact:
            self.compact()
        return AddOutcome(key, status, cells=len(prepared.recap.cells))

    def store(self, key: str, prepared: PreparedRecap) -> str:
        """Write one prepared recap under ``key``, replacing what was stored there (one transaction)."""
        return self.write_record(record_of(key, prepared))

    def copy_from(self, source: LibraryBase, on_record: Callable[[str, str], None] | None = None) -> int:
        """Copy every recap of ``source`` here (directories re-keyed for this store); returns how many."""
        n = 0
        for record in source.records():
            if n == 0:
                self.put_background(record.encoder, source.background(record.encoder))
            record.directory = self.key(source.absolute(record.directory))
            status = self.write_record(record)
            n += 1
            if on_record:
                on_record(status, record.directory)
        self.compact()
        return n

    # reading ----------------------------------------------------------------------------------
    def entries(self) -> list[LibraryEntry]:
        out = []
        for row in self.catalog.recaps():
            directory = self.absolute(row.directory)
            out.append(LibraryEntry(str(directory), row.title, row.vid, row.duration, row.n_cells,
                                    _status(directory, row.signature)))
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
        reading = read_query(query, qvec, _prototypes(spec))
        hits = self.searcher.search(query, qvec, top_k * 2, reading=reading)
        missing = sorted({h.directory for h in hits if not (Path(h.directory) / "recap.json").is_file()})
        hits = [h for h in hits if h.directory not in missing][:top_k]
        return LibraryResult(query, hits, missing)

    def embed_query(self, query: str) -> np.ndarray:
        encoder: Any = encoder_for_spec(self.catalog.get("encoder"))
        q = np.asarray(encoder.embed_text([query])[0], np.float32)
        return q / max(float(np.linalg.norm(q)), 1e-12)


_PROTOTYPES: dict[str, np.ndarray] = {}  # encoder spec -> query-reading prototypes


def _prototypes(spec: str) -> np.ndarray:
    """The query-reading intents (``moments.reading``) in the space of the library's encoder ``spec``."""
    if spec not in _PROTOTYPES:
        _PROTOTYPES[spec] = prototype_matrix(encoder_for_spec(spec))
    return _PROTOTYPES[spec]


def read_record(catalog: Any, row: Any, fingerprint: str) -> RecapRecord:
    """One stored recap (a catalog's ``RecapRow``) read back whole from either store's catalog."""
    dim = int(catalog.get("dim", "0") or 0)
    last = row.first_cell + row.n_cells - 1
    cells = [(c.idx, c.start, c.end, c.speech, c.on_screen, c.doc) for c in catalog.cell_range(row.first_cell, last)]
    calib = catalog.calibrations([row.id])
    channels = {CHANNEL_NAMES[ch]: np.zeros((row.n_cells, dim), np.float32) for _, ch in calib}
    for cid, ch, vec in catalog.vectors_in_range(row.first_cell, last):
        channels[CHANNEL_NAMES[ch]][cid - row.first_cell] = np.frombuffer(vec, np.float16)
    return RecapRecord(row.directory, row.signature, fingerprint, row.vid, row.title, row.video_path,
                       row.video_signature, row.duration, catalog.get("encoder"), cells, channels,
                       {CHANNEL_NAMES[ch]: v for (_, ch), v in calib.items()})


def _status(directory: Path, signature: str) -> str:
    if not (directory / "recap.json").is_file():
        return "missing"
    return "ok" if recap_signature(directory) == signature else "changed"
