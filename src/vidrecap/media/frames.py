"""Stream sampled frames: one per 2-second cell (at its middle) plus one after each scene cut.

Frames are decoded sequentially with codec threads on; only sampled frames are converted to RGB
(scaled so the longer side is at most ``max_side``), and only a tiny grey thumbnail of every
``probe_every`` seconds is used to find cuts, so the cost is close to decode-only and memory is flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..results import CELL_SECONDS
from .probe import open_container, open_stream

CUT_THRESHOLD = 0.35  # histogram distance between probes that counts as a scene cut
WARMUP_SECONDS = 2.0


@dataclass
class SampledFrame:
    time: float
    cell: int
    image: np.ndarray = field(repr=False)  # RGB uint8, display orientation
    is_cut: bool = False  # taken right after a scene cut


def iter_sampled_frames(path: str, start_time: float = 0.0, max_side: int = 640,
                        probe_every: float = 0.5) -> Iterator[SampledFrame]:
    """Yield sampled frames in time order from ``start_time`` (a cell boundary) to the end."""
    import av

    # Cut detection compares probes on a fixed time grid; a run starting mid-file first decodes a
    # little before ``start_time`` to rebuild that state, so its cuts equal a full run's.
    warm_from = max(0.0, (start_time - WARMUP_SECONDS) // probe_every * probe_every) if start_time > 0 else 0.0
    with open_container(path) as container:
        stream = open_stream(container, "video", warm_from)
        if stream is None:
            return
        if warm_from > 0 and _seek_overshot(container, stream, warm_from):
            # no index (MPEG-TS, a growing recording): the seek landed on a later key frame, so
            # decode from the start instead of skipping the cells in between
            container.seek(0, backward=True, any_frame=False)
        next_cell = int(round(start_time / CELL_SECONDS))
        next_probe, last_hist, last_time = warm_from, None, -1.0
        try:
            for frame in container.decode(stream):
                t = _frame_time(frame, stream, last_time)
                if t < warm_from - 1e-3:
                    continue
                last_time = t
                cut = False
                if t >= next_probe:
                    hist = _grey_histogram(frame)
                    cut = last_hist is not None and _distance(hist, last_hist) > CUT_THRESHOLD
                    last_hist, next_probe = hist, (t // probe_every + 1) * probe_every
                if t < start_time - 1e-3:
                    continue
                cell = int(t // CELL_SECONDS)
                if cut:
                    yield SampledFrame(t, cell, _rgb(frame, max_side), is_cut=True)
                if cell >= next_cell and t >= cell * CELL_SECONDS + CELL_SECONDS / 2 - 1e-3:
                    yield SampledFrame(t, cell, _rgb(frame, max_side))
                    next_cell = cell + 1
        except av.error.InvalidDataError as exc:
            if last_time < 0:
                raise InputError(f"{path}: video stream cannot be decoded ({exc.strerror or exc})") from exc
            # a truncated or damaged tail: keep what decoded
        except av.FFmpegError as exc:
            if last_time < 0:
                raise InputError(f"{path}: video stream cannot be decoded ({exc.strerror or exc})") from exc


def _seek_overshot(container, stream, warm_from: float) -> bool:
    """Whether the first key frame after the seek lies beyond ``warm_from`` (else seeks back to it;
    packets before that key frame cannot be decoded anyway)."""
    for packet in container.demux(stream):
        if packet.pts is None or packet.dts is None or not packet.is_keyframe:
            continue
        overshot = float(packet.pts * stream.time_base) > warm_from + 1e-3
        if not overshot:
            container.seek(int(warm_from / stream.time_base), stream=stream, backward=True)
        return overshot
    return False


def _frame_time(frame, stream, last_time: float) -> float:
    if frame.pts is not None and stream.time_base:
        return float(frame.pts * stream.time_base)
    rate = float(stream.average_rate or 25)
    return last_time + 1.0 / rate if last_time >= 0 else 0.0


def _rgb(frame, max_side: int) -> np.ndarray:
    w, h = frame.width, frame.height
    scale = min(1.0, max_side / max(w, h))
    w2, h2 = max(2, int(w * scale) // 2 * 2), max(2, int(h * scale) // 2 * 2)
    image = frame.to_ndarray(width=w2, height=h2, format="rgb24")
    rotation = getattr(frame, "rotation", 0) or 0
    if rotation % 360:
        image = np.ascontiguousarray(np.rot90(image, k=int(rotation) // 90))
    return image


def _grey_histogram(frame) -> np.ndarray:
    tiny = frame.to_ndarray(width=64, height=36, format="gray").astype(np.float32)
    quads = [tiny[:18, :32], tiny[:18, 32:], tiny[18:, :32], tiny[18:, 32:]]
    hists = [np.histogram(q, bins=16, range=(0, 256))[0] for q in quads]
    h = np.concatenate(hists).astype(np.float32)
    return h / h.sum()


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(0.5 * np.abs(a - b).sum())
