"""Cross-modal summary (VideoXum-style): the clips that best show what the text summary says.

The text side is the summary's sentences plus the segment descriptions. Each 2 s clip's relevance is
its best cosine to one of those sentences (fused embedding, lightly smoothed over time); the top 15 %
of clips form the video summary. Each chosen clip gets a JPEG key frame (the recap's own key frame
when it has one, else decoded from the source at the clip's middle). The VT-score is the mean cosine
between the summary text's embedding and the chosen clips' ``visual`` embeddings (shared space).
"""

from __future__ import annotations

import math
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..results import Recap
from . import scoring
from .highlighting import fused_matrix, summary_sentences
from .index import default_vid
from .loading import query_encoder, resolve_recap

FRACTION = 0.15
FRAMES_DIR = "xsum"
JSON_NAME = "xsum.json"


@dataclass
class KeyClip:
    """One chosen 2 s clip: its cell index, times, relevance and key frame (relative path or None)."""

    index: int
    start: float
    end: float
    relevance: float
    frame: str | None = None


@dataclass
class CrossModalSummary:
    vid: str
    duration: float
    text: str
    sentences: list[str]
    fraction: float
    clips: list[KeyClip]  # chronological
    vt_score: float | None
    visual_space: str = ""
    relevance: list[float] = field(default_factory=list, repr=False)
    path: str | None = None  # where xsum.json was written

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("path")
        return d


def clip_relevance(recap: Recap, encoder: Any, sentences: list[str]) -> np.ndarray:
    """Best cosine of each cell's fused embedding to one of ``sentences`` (smoothed, zero if no data)."""
    fused = fused_matrix(recap, getattr(encoder, "dim", None))
    if fused is None or not sentences:
        return np.zeros(len(recap.cells), np.float32)
    cos = (fused @ encoder.embed_text(sentences).T).max(1)
    return (0.7 * cos + 0.3 * scoring.smooth(cos)).astype(np.float32)


def vt_score(recap: Recap, encoder: Any, text: str, chosen: list[int]) -> float | None:
    """Mean cosine between the summary text and the chosen clips' visual embeddings."""
    visual = recap.embeddings.get("visual")
    if visual is None or not text.strip() or not chosen:
        return None
    rows = np.asarray(visual, np.float32)[chosen]
    rows = rows[np.abs(rows).sum(1) > 0]
    if not len(rows):
        return None
    return round(float((rows @ encoder.embed_text([text])[0]).mean()), 4)


def xsum(recap_or_dir: Recap | str | Path, out_dir: str | Path | None = None, fraction: float = FRACTION,
         encoder: Any = None, source: str | Path | None = None) -> CrossModalSummary:
    """Choose the top ``fraction`` of 2 s clips for the text summary; with ``out_dir`` (default: the
    recap's directory) write key frames to ``out_dir/xsum/`` and ``out_dir/xsum.json``."""
    if not 0 < fraction <= 1:
        raise InputError(f"fraction must be in (0, 1], got {fraction}")
    recap = resolve_recap(recap_or_dir)
    encoder = encoder if encoder is not None else query_encoder(recap)
    sentences = summary_sentences(recap)
    text = recap.summary.text.strip() or " ".join(sentences)
    relevance = clip_relevance(recap, encoder, sentences)
    k = max(1, math.ceil(fraction * len(relevance)))
    chosen = sorted(int(i) for i in np.argsort(-relevance, kind="stable")[:k])
    cells = recap.cells
    clips = [KeyClip(i, cells[i].start, cells[i].end, round(float(relevance[i]), 4)) for i in chosen]
    result = CrossModalSummary(default_vid(recap), recap.video.duration, text, sentences, fraction, clips,
                               vt_score(recap, encoder, text, chosen),
                               str(recap.options.get("visual_space", "")),
                               [round(float(x), 4) for x in relevance])
    target = out_dir if out_dir is not None else recap.directory
    if target is not None:
        save_xsum(result, recap, Path(target), source)
    return result


def save_xsum(result: CrossModalSummary, recap: Recap, out_dir: Path,
              source: str | Path | None = None) -> Path:
    """Write the key frames (JPEG) and ``xsum.json``; returns the JSON path."""
    from ..util.fs import atomic_write_json

    frames_dir = out_dir / FRAMES_DIR
    frames_dir.mkdir(parents=True, exist_ok=True)
    missing = [c for c in result.clips if not _copy_recap_frame(c, recap, out_dir)]
    if missing:
        _decode_frames(missing, Path(source or recap.video.path), out_dir)
    path = out_dir / JSON_NAME
    atomic_write_json(path, result.to_dict())
    result.path = str(path)
    return path


def _frame_name(clip: KeyClip) -> str:
    return f"{FRAMES_DIR}/clip{clip.index:05d}_{clip.start:08.1f}s.jpg"


def _copy_recap_frame(clip: KeyClip, recap: Recap, out_dir: Path) -> bool:
    rel = recap.cells[clip.index].frame
    base = Path(recap.directory) if recap.directory else out_dir
    src = base / rel if rel else None
    if src is None or not src.is_file():
        return False
    name = _frame_name(clip)
    if src.suffix.lower() in (".jpg", ".jpeg"):
        shutil.copyfile(src, out_dir / name)
    else:
        from PIL import Image

        with Image.open(src) as im:
            im.convert("RGB").save(out_dir / name, quality=90)
    clip.frame = name
    return True


def _decode_frames(clips: list[KeyClip], source: Path, out_dir: Path) -> None:
    """Key frames from the source video at each clip's middle (one forward pass, seeking on gaps)."""
    import av
    from PIL import Image

    if not source.is_file():
        return  # no source and no recap frames: clips keep frame=None
    try:
        with av.open(str(source)) as c:
            if not c.streams.video:
                return
            stream = c.streams.video[0]
            for clip in clips:
                image = _frame_at(c, stream, (clip.start + clip.end) / 2)
                if image is not None:
                    name = _frame_name(clip)
                    Image.fromarray(image).save(out_dir / name, quality=90)
                    clip.frame = name
    except av.FFmpegError:
        return


def _frame_at(container: Any, stream: Any, t: float) -> np.ndarray | None:
    container.seek(max(0, int(t / stream.time_base)), stream=stream, backward=True)
    last = None
    for frame in container.decode(stream):
        last = frame
        if frame.time is None or frame.time >= t - 0.02:
            break
    return last.to_ndarray(format="rgb24") if last is not None else None
