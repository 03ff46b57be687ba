"""Live sources: record a stream URL into a local growing MPEG-TS file, or watch a growing file.

Either way the pipeline reads one local file that only grows. ``Recorder`` remuxes (no
re-encoding) whatever PyAV/FFmpeg can open — HLS ``.m3u8`` over HTTP, RTSP, SRT, RTMP, plain
HTTP — reconnecting after errors and dropping packets it already wrote (a reopened VOD playlist
starts again from its beginning). Its ``state`` says ``recording``, ``stalled`` (no packet for
``stall_seconds``), ``reconnecting``, ``ended`` (the source ended: end of playlist / EOF) or
``lost`` (no reconnection within ``give_up_seconds``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
URL_SCHEMES = ("http://", "https://", "rtsp://", "rtsps://", "rtmp://", "rtmps://", "srt://", "udp://", "tcp://")


def is_url(source: str) -> bool:
    return source.lower().startswith(URL_SCHEMES)


@dataclass
class SourceState:
    """What a live source is doing now; ``done`` once it will grow no more."""

    state: str = "starting"
    done: bool = False
    error: str = ""
    reconnects: int = 0
    last_growth: float = field(default_factory=time.monotonic)


class Recorder(threading.Thread):
    """Remuxes ``url`` into ``target`` (MPEG-TS) until the source ends, is lost, or ``stop()``."""

    def __init__(self, url: str, target: Path, *, stall_seconds: float = 10.0, give_up_seconds: float = 60.0,
                 io_timeout: float = 30.0):
        super().__init__(name="vidrecap-recorder", daemon=True)
        self.url, self.target = url, Path(target)
        self.stall_seconds, self.give_up_seconds, self.io_timeout = stall_seconds, give_up_seconds, io_timeout
        self.status = SourceState()
        self._stop = threading.Event()
        self._last_dts: dict[int, int] = {}

    def stop(self) -> None:
        self._stop.set()

    def poll(self) -> SourceState:
        """The state, with ``stalled`` when packets stopped arriving but the connection holds."""
        s = self.status
        if s.state == "recording" and time.monotonic() - s.last_growth > self.stall_seconds:
            s.state = "stalled"
        return s

    def run(self) -> None:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        try:
            final = self._record()
        except Exception as exc:  # noqa: BLE001 - the follower must learn the recording is over
            final, self.status.error = "lost", str(exc)
        self.status.state, self.status.done = final, True  # only now is the file closed and complete

    def _record(self) -> str:
        import av

        failing_since = None
        # every packet reaches the file at once: readers follow the recording, not a 256 KiB buffer
        with av.open(str(self.target), "w", format="mpegts", container_options={"flush_packets": "1"}) as out:
            mapping: dict[int, object] = {}
            while not self._stop.is_set():
                try:
                    if self._copy(out, mapping) and playlist_ended(self.url):
                        return "ended"
                    raise OSError("the stream stopped before its end")
                except (av.FFmpegError, OSError) as exc:
                    self.status.error = str(exc)
                    log.warning("%s: %s; reconnecting", self.url, exc)
                    if failing_since is None or self.status.last_growth > failing_since:
                        failing_since = time.monotonic()  # the give-up clock starts at the last packet
                    if time.monotonic() - failing_since > self.give_up_seconds:
                        return "lost"
                    self.status.state = "reconnecting"
                    self.status.reconnects += 1
                    self._stop.wait(min(5.0, 0.5 * self.status.reconnects))
        return "ended"

    def _copy(self, out, mapping: dict[int, object]) -> bool:
        """One connection: copy packets; True when the source ended cleanly."""
        import av

        # a reconnection starts at the playlist's first segment (not 3 from its live end) so the
        # segments of the outage are fetched; what was already written is dropped below
        options = {"live_start_index": "0"} if self._last_dts and ".m3u8" in self.url.lower() else {}
        with av.open(self.url, options=options, timeout=(self.io_timeout, self.io_timeout)) as src:
            chosen = [s for s in (src.streams.video[:1] + src.streams.audio[:1])]
            if not chosen:
                raise av.error.InvalidDataError(0, "no audio or video stream")
            if not mapping:  # the output's streams are fixed by the first connection
                for i, s in enumerate(chosen):
                    mapping[i] = out.add_stream_from_template(s)
            self.status.state = "recording"
            for packet in src.demux(*chosen):
                if self._stop.is_set():
                    return True
                slot = chosen.index(packet.stream)
                if packet.dts is None or slot not in mapping:
                    continue
                if packet.dts <= self._last_dts.get(slot, -(1 << 62)):
                    continue  # already written before a reconnection
                self._last_dts[slot] = packet.dts
                packet.stream = mapping[slot]
                out.mux(packet)
                self.status.state, self.status.last_growth = "recording", time.monotonic()
        return True


def playlist_ended(url: str, timeout: float = 10.0) -> bool:
    """After a clean end of demuxing: True unless ``url`` is an HLS media playlist that lacks
    ``#EXT-X-ENDLIST`` (FFmpeg's HLS reader gives up on a live playlist that stopped updating,
    which is a network hiccup or a stall, not the end)."""
    import urllib.error
    import urllib.request

    if not url.lower().startswith(("http://", "https://")) or ".m3u8" not in url.lower():
        return True
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            text = resp.read(1 << 20).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return "#EXT-X-ENDLIST" in text or "#EXT-X-STREAM-INF" in text  # a master playlist cannot tell


class GrowingFile:
    """Watches a local file being written: ``ended`` once its size stays the same for ``grace_seconds``."""

    def __init__(self, path: Path, *, grace_seconds: float = 10.0, stall_seconds: float = 5.0):
        self.path, self.grace_seconds, self.stall_seconds = Path(path), grace_seconds, stall_seconds
        self.status = SourceState(state="recording")
        self._size = -1

    def poll(self) -> SourceState:
        size = self.path.stat().st_size if self.path.exists() else 0
        now = time.monotonic()
        if size != self._size:
            self._size, self.status.last_growth, self.status.state = size, now, "recording"
        idle = now - self.status.last_growth
        if idle > self.grace_seconds:
            self.status.state, self.status.done = "ended", True
        elif idle > self.stall_seconds:
            self.status.state = "stalled"
        return self.status

    def stop(self) -> None:
        self.status.state, self.status.done = "ended", True
