"""Probe a media file: duration, streams, size, rotation, content fingerprint."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import InputError
from ..results import VideoInfo

MAX_PIXELS = 8192 * 8192


def open_container(path: str | Path):
    """``av.open`` with our error messages."""
    import av

    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.InvalidDataError as exc:
        raise InputError(f"{path}: not a media file PyAV/FFmpeg can read ({exc.strerror or exc})") from exc
    except av.FFmpegError as exc:
        raise InputError(f"{path}: cannot open media ({exc.strerror or exc})") from exc


def open_stream(container, kind: str, start_time: float = 0.0):
    """The first ``kind`` (``"video"``/``"audio"``) stream, codec threads on, sought to ``start_time``."""
    streams = getattr(container.streams, kind)
    if not streams:
        return None
    stream = streams[0]
    stream.thread_type = "AUTO"
    if start_time > 0:
        container.seek(int(start_time / stream.time_base), stream=stream, backward=True)
    return stream


def fingerprint(path: Path, size: int, samples: int = 16, chunk: int = 1 << 16) -> str:
    """A content hash from the size and 16 evenly spread 64 KiB chunks: fast on files of any size."""
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        if size <= samples * chunk:
            h.update(fh.read())
        else:
            for i in range(samples):
                fh.seek((size - chunk) * i // (samples - 1))
                h.update(fh.read(chunk))
    return h.hexdigest()[:20]


def probe(path: str | Path) -> VideoInfo:
    """Inspect ``path``; raise ``InputError`` with one clear sentence for anything unusable."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a video")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path}: empty file (0 bytes)")
    with open_container(path) as container:
        video = next((s for s in container.streams.video if s.codec_context is not None), None)
        audio = next(iter(container.streams.audio), None)
        if video is None and audio is None:
            raise InputError(f"{path}: has no video or audio stream")
        duration = _duration(container, video, audio)
        info = VideoInfo(path=str(path.resolve()), fingerprint=fingerprint(path, size), duration=duration,
                         size_bytes=size, has_video=video is not None, has_audio=audio is not None)
        if video is not None:
            _fill_video(info, video, path)
        if audio is not None:
            info.audio_codec = audio.codec_context.name if audio.codec_context else ""
    if info.duration <= 0.05:
        raise InputError(f"{path}: zero-length media (no decodable duration)")
    return info


def _duration(container, video, audio) -> float:
    candidates = []
    if container.duration:
        candidates.append(container.duration / 1_000_000)
    for stream in (video, audio):
        if stream is not None and stream.duration and stream.time_base:
            candidates.append(float(stream.duration * stream.time_base))
    if not candidates and video is not None and video.frames and video.average_rate:
        candidates.append(video.frames / float(video.average_rate))
    return max(candidates, default=0.0)


def _fill_video(info: VideoInfo, stream, path: Path) -> None:
    ctx = stream.codec_context
    info.width, info.height = int(ctx.width or 0), int(ctx.height or 0)
    info.video_codec = ctx.name
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    info.fps = round(float(rate), 3) if rate else 0.0
    if info.width * info.height > MAX_PIXELS:
        raise InputError(f"{path}: video is {info.width}x{info.height}, larger than supported (8192x8192)")
    if info.width == 0 or info.height == 0:
        raise InputError(f"{path}: video stream has no frame size (unreadable codec {ctx.name!r}?)")
    info.rotation = _first_frame_rotation(path)


def _first_frame_rotation(path: Path) -> int:
    """Decode the first frame: proves the codec is readable and gives the display rotation."""
    import av

    with open_container(path) as container:
        stream = container.streams.video[0]
        try:
            for frame in container.decode(stream):
                return int(getattr(frame, "rotation", 0) or 0) % 360
        except av.FFmpegError as exc:
            raise InputError(f"{path}: video stream cannot be decoded ({exc.strerror or exc})") from exc
    raise InputError(f"{path}: video stream has no decodable frame (truncated or unsupported codec)")
