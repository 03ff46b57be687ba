"""Live sources for tests and benchmarks: the ffmpeg CLI streaming a recording in real time
(``ffmpeg -re -c copy``) into a growing MPEG-TS file or a live HLS playlist; and a static HTTP
server on 127.0.0.1 in a thread."""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
import time
from pathlib import Path

FORMATS = {
    "mpegts": ["-f", "mpegts", "-flush_packets", "1"],
    # a live playlist: no EXT-X-ENDLIST until ffmpeg ends, every segment kept
    "hls": ["-f", "hls", "-hls_time", "2", "-hls_list_size", "0", "-hls_flags", "independent_segments"],
}


class Stream:
    """``ffmpeg -re`` (or ``-readrate R``) remuxing ``source`` to ``target`` in a child process.
    ``started`` is the wall time it was started: media time t arrives at about ``started + t / rate``."""

    def __init__(self, source: Path, target: str | Path, fmt: str = "mpegts", rate: float = 1.0, loops: int = 0):
        pace = ["-re"] if rate == 1.0 else ["-readrate", f"{rate:g}"]
        loop = ["-stream_loop", str(loops)] if loops else []
        cmd = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *pace, *loop, "-i", str(source),
               "-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", *FORMATS[fmt], str(target)]
        self.rate, self.started = rate, time.time()
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def arrival(self, t: float) -> float:
        """Wall time media time ``t`` was written (ffmpeg paces packets by their timestamps)."""
        return self.started + t / self.rate

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.is_alive():
            self.process.terminate()
        self.process.wait(10)


def wait_for(path: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear")
        time.sleep(0.05)


def serve_directory(directory: Path, outage: threading.Event | None = None
                    ) -> tuple[str, http.server.ThreadingHTTPServer]:
    """``python -m http.server`` for ``directory`` on 127.0.0.1, in a thread; returns its base URL.
    While ``outage`` is set, every request is answered 503 (a network hiccup)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            if outage is not None and outage.is_set():
                self.send_error(503, "outage")
                return None
            return super().send_head()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server
