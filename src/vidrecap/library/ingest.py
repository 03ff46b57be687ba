"""Turn one saved recap into catalog rows: cell words, channel vectors and their calibration."""

from __future__ import annotations

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


@dataclass
class PreparedRecap:
    """Everything the catalog stores for one recap, computed before the write transaction."""

    recap: Recap
    signature: str
    video_signature: str
    docs: list[str]
    channels: dict[str, np.ndarray]
    calibrations: dict[str, scoring.Calibration]

    @property
    def title(self) -> str:
        return self.recap.summary.title.strip() or Path(self.recap.video.path or "").name or "untitled"


def prepare(directory: Path, encoder_for: Any, background_for: Any) -> PreparedRecap:
    """Load and index one recap directory (``InputError`` if it is missing or unreadable).

    ``encoder_for(spec)`` gives the text encoder (only needed when the recap has no embeddings);
    ``background_for(spec)`` the background-query embeddings used to calibrate every channel.
    """
    signature = recap_signature(directory)
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
                         calibrations)

