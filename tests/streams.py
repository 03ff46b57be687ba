"""Live sources for tests and benchmarks: a recording remuxed in (paced) real time into a growing
MPEG-TS file or an HLS playlist, and a static HTTP server on 127.0.0.1 in a thread."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path


def write_paced(source: Path, target: Path, fmt: str = "mpegts", speed: float = 1.0,
                options: dict[str, str] | None = None, arrivals: dict[float, float] | None = None) -> None:
    """Remux ``source`` into ``target`` as ``ffmpeg -re -c copy`` does: each packet no earlier than
    its timestamp / ``speed`` after the start. ``arrivals`` gets media time -> wall time written."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format=fmt, options=options or {},
                                                 container_options={"flush_packets": "1"}) as out:
        streams = {s.index: out.add_stream_from_template(s) for s in inp.streams if s.type in ("video", "audio")}
        packets = [p for p in inp.demux(*[inp.streams[i] for i in streams]) if p.dts is not None]
        packets.sort(key=lambda p: float(p.dts * p.time_base))  # a live source sends them in time order
        t0 = time.monotonic()
        for packet in packets:
            at = float(packet.dts * packet.time_base)
            delay = t0 + at / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            packet.stream = streams[packet.stream.index]
            out.mux(packet)
            if arrivals is not None and packet.stream.type == "video":
                arrivals[at] = time.time()


def start_paced(source: Path, target: Path, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=write_paced, args=(source, target), kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def hls_options(segment_seconds: float = 2.0) -> dict[str, str]:
    """A live playlist (no EXT-X-ENDLIST until the writer closes) keeping every segment."""
    return {"hls_time": str(segment_seconds), "hls_list_size": "0", "hls_flags": "independent_segments"}


def serve_directory(directory: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    """``python -m http.server`` for ``directory`` on 127.0.0.1, in a thread; returns its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
