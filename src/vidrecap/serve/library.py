"""The recaps a server shows: found under the OUTDIRs given on the command line, keyed by opaque ids.

An OUTDIR is either one recap directory (it holds ``recap.json``) or a folder whose immediate
subfolders are recap directories. A recap's id is a hash of its real path: clients never send paths.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import VidrecapError
from ..outputs.store import load_recap
from ..results import Recap

RECAP_FILE = "recap.json"


def recap_id(directory: Path) -> str:
    """Opaque, stable id of a recap directory (12 hex digits of the SHA-256 of its real path)."""
    return hashlib.sha256(str(directory.resolve()).encode("utf-8")).hexdigest()[:12]


def find_recap_dirs(outdir: Path) -> list[Path]:
    """``outdir`` itself if it is a recap directory, else its recap subdirectories (sorted)."""
    if (outdir / RECAP_FILE).is_file():
        return [outdir.resolve()]
    if not outdir.is_dir():
        return []
    return sorted(p.resolve() for p in outdir.iterdir() if p.is_dir() and (p / RECAP_FILE).is_file())


@dataclass
class RecapEntry:
    """One served recap: its id, real directory and (once loaded) its contents."""

    id: str
    directory: Path
    recap: Recap | None = field(default=None, repr=False)
    error: str = ""
    mtime_ns: int = 0

    @property
    def video_path(self) -> Path | None:
        """The source video's real path, if the recap names one that exists."""
        if self.recap is None or not self.recap.video.path:
            return None
        path = Path(self.recap.video.path).resolve()
        return path if path.is_file() else None


class Library:
    """Thread-safe registry of recap directories, loaded lazily and reloaded when recap.json changes."""

    def __init__(self, outdirs: list[Path]):
        self.outdirs = [Path(d) for d in outdirs]
        self._entries: dict[str, RecapEntry] = {}
        self._lock = threading.Lock()
        self.refresh()

    def refresh(self) -> None:
        """Pick up recap directories that appeared under the OUTDIRs since the last look."""
        for outdir in self.outdirs:
            for directory in find_recap_dirs(outdir):
                self.add(directory)

    def add(self, directory: Path) -> RecapEntry:
        """Register a recap directory (idempotent) and return its entry."""
        directory = directory.resolve()
        rid = recap_id(directory)
        with self._lock:
            return self._entries.setdefault(rid, RecapEntry(rid, directory))

    def entries(self) -> list[RecapEntry]:
        """Every entry, loaded, in a stable order (by directory)."""
        with self._lock:
            entries = sorted(self._entries.values(), key=lambda e: str(e.directory))
        return [self._loaded(e) for e in entries]

    def get(self, rid: str) -> RecapEntry | None:
        """The loaded entry for ``rid``, or None for an unknown id."""
        with self._lock:
            entry = self._entries.get(rid)
        return self._loaded(entry) if entry is not None else None

    def _loaded(self, entry: RecapEntry) -> RecapEntry:
        try:
            mtime = (entry.directory / RECAP_FILE).stat().st_mtime_ns
        except OSError as exc:
            entry.recap, entry.error = None, f"unreadable: {exc.strerror or exc}"
            return entry
        if entry.recap is None or mtime != entry.mtime_ns:
            try:
                entry.recap, entry.error = load_recap(entry.directory), ""
            except (VidrecapError, OSError, ValueError) as exc:
                entry.recap, entry.error = None, str(exc)
            entry.mtime_ns = mtime
        return entry
