"""Turn one saved recap into catalog rows: cell words, channel vectors and their calibration."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..evidence.embeddings import normalize_rows
from ..moments import scoring
from ..moments.lexical import cell_documents, terms
from ..moments.loading import channel_matrices, embed_cells, resolve_recap
from ..results import Recap

RECAP_FILES = ("recap.json", "embeddings.npz")


def file_signature(path: Path) -> str:
    """Size and modification time (ns): cheap, and changes whenever a file is rewritten."""
    try:
        st = path.stat()
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}"


def recap_signature(directory: Path) -> str:
    return "|".join(file_signature(directory / name) for name in RECAP_FILES)


def recap_fingerprint(directory: Path) -> str:
    """SHA-256 of the recap's files: the same content gives the same fingerprint on any machine."""
    digest = hashlib.sha256()
    for name in RECAP_FILES:
        path = directory / name
        digest.update(name.encode() + b"\0")
        if path.is_file():
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


@dataclass
class PreparedRecap:
    """Everything the catalog stores for one recap, computed before the write transaction."""

    recap: Recap
    signature: str
    video_signature: str
    docs: list[str]
    channels: dict[str, np.ndarray]
    calibrations: dict[str, scoring.Calibration]
    fingerprint: str = ""  # of the recap's content (``recap_fingerprint``)

    @property
    def title(self) -> str:
        return self.recap.summary.title.strip() or Path(self.recap.video.path or "").name or "untitled"


def prepare(directory: Path, encoder_for: Any, background_for: Any) -> PreparedRecap:
    """Load and index one recap directory (``InputError`` if it is missing or unreadable).

    ``encoder_for(spec)`` gives the text encoder (only needed when the recap has no embeddings);
    ``background_for(spec)`` the background-query embeddings used to calibrate every channel.
    """
    signature, fingerprint = recap_signature(directory), recap_fingerprint(directory)
    recap = resolve_recap(directory)
    spec = str(recap.options.get("encoder") or "embedded")
    channels = channel_matrices(recap, None)
    if not channels:
        channels = embed_cells(recap, encoder_for(spec))
    background = background_for(spec)
    channels = {k: normalize_rows(m) for k, m in channels.items()}
    calibrations = {k: scoring.fit_calibration(m, background) for k, m in channels.items()}
    docs = cell_documents([c.speech for c in recap.cells], [c.on_screen for c in recap.cells])
    video = Path(recap.video.path) if recap.video.path else None
    video_signature = file_signature(video) if video else "-"
    return PreparedRecap(recap, signature, video_signature, [" ".join(terms(d)) for d in docs], channels,
                         calibrations, fingerprint)


@dataclass
class RecapRecord:
    """One recap as every store keeps it: its row, cells (with their words), vectors and calibration."""

    directory: str  # the store's key
    signature: str
    fingerprint: str
    vid: str
    title: str
    video_path: str
    video_signature: str
    duration: float
    encoder: str
    cells: list[tuple[int, float, float, str, str, str]]  # (index, start, end, speech, on_screen, doc)
    channels: dict[str, np.ndarray]  # channel -> (cells, dim), zero rows where a cell has none
    calibrations: dict[str, tuple[float, float]]  # channel -> (mu, sd)

    @property
    def dim(self) -> int:
        return next(iter(self.channels.values())).shape[1] if self.channels else 0


def record_of(key: str, prepared: PreparedRecap) -> RecapRecord:
    recap = prepared.recap
    vid = Path(recap.video.path).stem if recap.video.path else recap.video.fingerprint
    cells = [(c.index, c.start, c.end, c.speech, c.on_screen, d)
             for c, d in zip(recap.cells, prepared.docs, strict=True)]
    return RecapRecord(key, prepared.signature, prepared.fingerprint or f"{key}|{prepared.signature}", vid,
                       prepared.title, recap.video.path or "", prepared.video_signature,
                       float(recap.video.duration), str(recap.options.get("encoder") or "embedded"), cells,
                       prepared.channels, {k: (c.mu, c.sd) for k, c in prepared.calibrations.items()})

