"""Highlight reels: re-encode chosen spans of the source into one MP4, streaming (PyAV).

Each span is reached by a keyframe seek, decoded and filtered to ``[start, end)``; video frames are
re-timed on a constant frame rate (H.264 via libx264 when PyAV's FFmpeg has it, else MPEG-4 Part 2),
audio is resampled to 48 kHz stereo AAC and padded or trimmed per span to the span's video length,
so sound stays in sync across cuts. Nothing but the current frames is held in memory.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError

AUDIO_RATE = 48000
AUDIO_FRAME = 1024


@dataclass
class ReelInfo:
    path: str
    duration: float
    spans: list[tuple[float, float]]
    video_codec: str
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    frames: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["spans"] = [list(s) for s in self.spans]
        return d


@dataclass
class _AudioOut:
    stream: Any
    pending: np.ndarray = field(default_factory=lambda: np.zeros((2, 0), np.float32))
    pts: int = 0

    def push(self, samples: np.ndarray, container: Any) -> None:
        self.pending = np.concatenate([self.pending, samples], axis=1)
        while self.pending.shape[1] >= AUDIO_FRAME:
            self._encode(self.pending[:, :AUDIO_FRAME], container)
            self.pending = self.pending[:, AUDIO_FRAME:]

    def close(self, container: Any) -> None:
        if self.pending.shape[1]:
            pad = np.zeros((2, AUDIO_FRAME - self.pending.shape[1]), np.float32)
            self._encode(np.concatenate([self.pending, pad], axis=1), container)
        for packet in self.stream.encode(None):
            container.mux(packet)

    def _encode(self, block: np.ndarray, container: Any) -> None:
        import av

        data = np.ascontiguousarray(block, np.float32)
        frame = av.AudioFrame.from_ndarray(data, format="fltp", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self.pts
        frame.time_base = Fraction(1, AUDIO_RATE)
        self.pts += block.shape[1]
        for packet in self.stream.encode(frame):
            container.mux(packet)


def video_codec() -> str:
    import av

    return "libx264" if "libx264" in av.codecs_available else "mpeg4"


def make_reel(source: str | Path, spans: list[tuple[float, float]], out_path: str | Path,
              max_height: int | None = 720) -> ReelInfo:
    """Write the ``spans`` (seconds, chronological) of ``source`` to ``out_path`` as one MP4."""
    import av

    source, out_path = Path(source), Path(out_path)
    if not source.is_file():
        raise InputError(f"source video not found: {source} (pass --source)")
    if not spans:
        raise InputError("no spans to put in the reel")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.stem}.{os.getpid()}.tmp.mp4")
    try:
        with av.open(str(source)) as inp:
            if not inp.streams.video:
                raise InputError(f"{source} has no video stream: a reel needs one")
            info = _encode_reel(inp, spans, tmp, max_height)
        os.replace(tmp, out_path)
    except av.FFmpegError as exc:
        raise InputError(f"cannot make a reel from {source}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    info.path = str(out_path)
    return info


def _output_size(width: int, height: int, max_height: int | None) -> tuple[int, int]:
    if max_height and height > max_height:
        width, height = round(width * max_height / height), max_height
    return max(2, width // 2 * 2), max(2, height // 2 * 2)


def _encode_reel(inp: Any, spans: list[tuple[float, float]], out_path: Path,
                 max_height: int | None) -> ReelInfo:
    import av

    vin = inp.streams.video[0]
    ain = inp.streams.audio[0] if inp.streams.audio else None
    rate = Fraction(vin.average_rate or vin.guessed_rate or 25).limit_denominator(1001)
    if not 1 <= rate <= 120:
        rate = Fraction(25)
    width, height = _output_size(vin.codec_context.width, vin.codec_context.height, max_height)
    codec = video_codec()
    with av.open(str(out_path), "w", format="mp4") as out:
        vout = out.add_stream(codec, rate=rate)
        vout.width, vout.height, vout.pix_fmt = width, height, "yuv420p"
        vout.codec_context.time_base = 1 / rate
        vout.thread_count = 2
        if codec == "libx264":
            vout.options = {"preset": "veryfast", "crf": "23"}
        else:
            vout.bit_rate = 2_000_000
        audio = None
        if ain is not None:
            astream = out.add_stream("aac", rate=AUDIO_RATE)
            astream.layout = "stereo"
            audio = _AudioOut(astream)
        frames = 0
        for start, end in spans:
            frames = _copy_span(inp, vin, ain, start, end, out, vout, audio, frames, rate)
        for packet in vout.encode(None):
            out.mux(packet)
        if audio is not None:
            audio.close(out)
    return ReelInfo(str(out_path), round(float(frames / rate), 3), list(spans), codec, audio is not None,
                    width, height, float(rate), frames)


def _copy_span(inp, vin, ain, start, end, out, vout, audio, frames: int, rate: Fraction) -> int:
    """Decode ``[start, end)`` from a keyframe seek; encode its frames; returns the frame counter."""
    import av

    inp.seek(max(0, int(start / vin.time_base)), stream=vin, backward=True)
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE) if audio else None
    chunks: list[np.ndarray] = []
    first = frames
    video_done, audio_done = False, audio is None
    streams = [vin] + ([ain] if audio else [])
    for packet in inp.demux(*streams):
        if video_done and audio_done:
            break
        for frame in _decode(packet):
            t = float(frame.time) if frame.time is not None else start
            if packet.stream is vin:
                if t >= end - 0.5 / float(rate):
                    video_done = True
                elif t >= start - 0.5 / float(rate) and not video_done:
                    frames = _encode_video(frame, frames, vout, out)
            elif not audio_done:
                audio_done = _take_audio(frame, t, start, end, resampler, chunks)
    if audio is not None:
        want = round((frames - first) / rate * AUDIO_RATE)
        audio.push(_fit(chunks, want), out)
    return frames


def _decode(packet) -> list:
    import av

    try:
        return list(packet.decode())
    except av.FFmpegError:
        return []  # a corrupt packet: skip it, keep the reel going


def _encode_video(frame, frames: int, vout, out) -> int:
    img = frame.reformat(width=vout.width, height=vout.height, format="yuv420p")
    img.pts, img.time_base = frames, vout.codec_context.time_base
    for packet in vout.encode(img):
        out.mux(packet)
    return frames + 1


def _take_audio(frame, t: float, start: float, end: float, resampler, chunks: list[np.ndarray]) -> bool:
    """Append the part of ``frame`` inside ``[start, end)``; True once past ``end``."""
    if t >= end:
        return True
    for res in resampler.resample(frame):
        data = res.to_ndarray().reshape(2, -1).astype(np.float32)
        lo = max(0, round((start - t) * AUDIO_RATE))
        hi = min(data.shape[1], round((end - t) * AUDIO_RATE))
        if hi > lo:
            chunks.append(data[:, lo:hi])
        t += data.shape[1] / AUDIO_RATE
    return False


def _fit(chunks: list[np.ndarray], want: int) -> np.ndarray:
    data = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    if data.shape[1] < want:
        data = np.concatenate([data, np.zeros((2, want - data.shape[1]), np.float32)], axis=1)
    return data[:, :want]
