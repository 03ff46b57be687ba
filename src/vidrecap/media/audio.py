"""Stream a file's audio as 16 kHz mono float32 blocks (what speech models expect)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..errors import InputError
from .probe import open_container, open_stream

SAMPLE_RATE = 16_000


def iter_audio_blocks(path: str, start_time: float = 0.0, block_seconds: float = 30.0
                      ) -> Iterator[tuple[float, np.ndarray]]:
    """Yield ``(offset_seconds, samples)`` blocks of about ``block_seconds`` from ``start_time``."""
    import av

    with open_container(path) as container:
        stream = open_stream(container, "audio", start_time)
        if stream is None:
            return
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        block_len = int(block_seconds * SAMPLE_RATE)
        pending: list[np.ndarray] = []
        pending_len, offset = 0, None
        decoded_any = False
        try:
            for frame in container.decode(stream):
                decoded_any = True
                t = float(frame.pts * stream.time_base) if frame.pts is not None else None
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    if offset is None:
                        offset = t if t is not None else start_time
                        samples = _trim_before(samples, offset, start_time)
                        offset = max(offset, start_time)
                    pending.append(samples)
                    pending_len += samples.size
                while pending_len >= block_len:
                    block = np.concatenate(pending)
                    yield offset, block[:block_len]
                    rest = block[block_len:]
                    pending, pending_len = [rest], rest.size
                    offset += block_len / SAMPLE_RATE
        except (av.error.InvalidDataError, av.FFmpegError) as exc:
            if not decoded_any:
                raise InputError(f"{path}: audio stream cannot be decoded ({exc.strerror or exc})") from exc
        for out in resampler.resample(None):
            pending.append(out.to_ndarray().reshape(-1))
        if pending and offset is not None:
            block = np.concatenate(pending)
            if block.size:
                yield offset, block


def _trim_before(samples: np.ndarray, offset: float, start_time: float) -> np.ndarray:
    skip = int(round((start_time - offset) * SAMPLE_RATE))
    return samples[skip:] if skip > 0 else samples
