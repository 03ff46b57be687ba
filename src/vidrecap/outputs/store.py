"""Save and load a recap directory.

Layout (documented in docs/schema.md): ``recap.json`` (the schema), ``clips.vtt``,
``segments.vtt``, ``chapters.vtt``, ``chapters.txt``, ``transcript.srt``, ``summary.md``,
``embeddings.npz`` (per-cell channels) and
``frames/cell_NNNNNN.jpg`` (one key frame per 2-second cell). Every file is written atomically.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..results import SCHEMA_VERSION, Caption, Cell, Recap, RunTimings, Transcript, VideoInfo
from ..util.fs import atomic_write_bytes, atomic_write_json, atomic_write_text
from .chapters import chapters_of, chapters_webvtt, youtube_list
from .markdown import recap_markdown
from .speakers import write_timed_text


def save_recap(recap: Recap, directory: Path, frames_from: Path | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if frames_from is not None:
        _link_frames(frames_from, directory / "frames")
    buf = io.BytesIO()
    np.savez(buf, **recap.embeddings)
    atomic_write_bytes(directory / "embeddings.npz", buf.getvalue())
    write_timed_text(recap, directory)  # clips.vtt, segments.vtt, transcript.srt (speaker names)
    chapters = chapters_of(recap.segments)
    atomic_write_text(directory / "chapters.vtt", chapters_webvtt(chapters))
    atomic_write_text(directory / "chapters.txt", youtube_list(chapters))
    atomic_write_text(directory / "summary.md", recap_markdown(recap))
    atomic_write_json(directory / "recap.json", recap.to_dict())  # last: its presence marks a complete run
    recap.directory = str(directory)
    return directory


def _link_frames(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for src in source.glob("cell_*.jpg"):
        dst = target / src.name
        if dst.exists():
            continue
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)


def load_recap(directory: Path) -> Recap:
    """Read a recap directory; raise ``InputError`` for a missing, partial or incompatible one."""
    path = directory / "recap.json"
    if not directory.is_dir():
        raise InputError(f"{directory}: no such recap directory")
    if not path.is_file():
        raise InputError(f"{directory}: not a recap directory (no recap.json; run `vidrecap run` first)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc
    version = str(data.get("schema_version", "")) if isinstance(data, dict) else ""
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise InputError(f"{path}: schema version {version or 'missing'} is not supported "
                         f"(this vidrecap reads {SCHEMA_VERSION}); run `vidrecap run` again")
    try:
        recap = Recap(
            video=VideoInfo(**data["video"]), options=data["options"],
            clips=[Caption.from_dict(c) for c in data["clips"]],
            segments=[Caption.from_dict(s) for s in data["segments"]],
            summary=Caption.from_dict(data["summary"]), transcript=Transcript.from_dict(data["transcript"]),
            cells=[Cell.from_dict(c) for c in data["cells"]], schema_version=version,
            embeddings=_load_embeddings(directory / "embeddings.npz"), directory=str(directory),
            timings=RunTimings.from_dict(data.get("timings")))
    except (KeyError, TypeError) as exc:
        raise InputError(f"{path}: malformed recap ({type(exc).__name__}: {exc})") from exc
    return recap


def _load_embeddings(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    try:
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable embeddings ({exc})") from exc


__all__ = ["save_recap", "load_recap", "SCHEMA_VERSION"]
