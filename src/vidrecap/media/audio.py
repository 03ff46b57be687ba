"""Stream a file's audio as 16 kHz mono float32 blocks (what speech models expect)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import InputError
from .probe import open_container, open_stream

SAMPLE_RATE = 16_000
MAX_GAP = 600 * SAMPLE_RATE  # silence put in for skipped packets, at most (a wild timestamp must not fill memory)


def iter_audio_blocks(path: str, start_time: float = 0.0, block_seconds: float = 30.0
                      ) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(offset_seconds, samples)`` blocks of about ``block_seconds`` from ``start_time``.

    A packet the decoder refuses is skipped, as players do (opencv-doc's ``Megamind.avi`` has a
    damaged first AC-3 packet of 353), and the time it covered is filled with silence so later
    samples keep their times; only a stream of which nothing decodes is an error.
    """
    import av

    with open_container(path) as container:
        stream = open_stream(container, "audio", start_time)
        if stream is None:
            return
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        block_len = int(block_seconds * SAMPLE_RATE)
        pending: list[np.ndarray] = []
        pending_len, offset, emitted, block_at = 0, None, 0, 0.0
        frames = _decoded_frames(container, stream, path)
        for frame, skipped in frames:
            t = float(frame.pts * stream.time_base) if frame.pts is not None else None
            if skipped and offset is not None and t is not None:
                gap = min(int(round((t - offset) * SAMPLE_RATE)) - emitted - pending_len, MAX_GAP)
                if gap > 0:
                    pending.append(np.zeros(gap, np.float32))
                    pending_len += gap
            for out in resampler.resample(frame):
                samples = out.to_ndarray().reshape(-1)
                if offset is None:
                    offset = t if t is not None else start_time
                    samples = _trim_before(samples, offset, start_time)
                    offset = block_at = max(offset, start_time)
                pending.append(samples)
                pending_len += samples.size
            while pending_len >= block_len:
                block = np.concatenate(pending)
                yield block_at, block[:block_len]
                emitted += block_len
                block_at += block_len / SAMPLE_RATE
                rest = block[block_len:]
                pending, pending_len = [rest], rest.size
        for out in resampler.resample(None):
            pending.append(out.to_ndarray().reshape(-1))
        if pending and offset is not None:
            block = np.concatenate(pending)
            if block.size:
                yield block_at, block


def _decoded_frames(container, stream, path: str) -> Iterator[tuple[object, bool]]:
    """``(frame, whether packets were skipped just before it)``; a damaged or truncated tail ends
    the stream with what decoded."""
    import av

    decoded_any, skipped, error = False, False, None
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except (av.error.InvalidDataError, av.FFmpegError) as exc:
            error = error or exc
            break
        try:
            frames = packet.decode()
        except (av.error.InvalidDataError, av.FFmpegError) as exc:
            error, skipped = error or exc, True
            continue
        for frame in frames:
            decoded_any = True
            yield frame, skipped
            skipped = False
    if error is not None and not decoded_any:
        raise InputError(f"{path}: audio stream cannot be decoded ({error.strerror or error})") from error


def _trim_before(samples: np.ndarray, offset: float, start_time: float) -> np.ndarray:
    skip = int(round((start_time - offset) * SAMPLE_RATE))
    return samples[skip:] if skip > 0 else samples
