"""Helpers for the server tests: a live uvicorn server, Chromium paths, polling, a fake recap runner."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import threading
import time
from pathlib import Path

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
HAVE_CHROMIUM = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
NO_CHROMIUM = "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--window-size=1400,1100"]


@dataclasses.dataclass
class LiveServer:
    url: str
    host: str
    port: int


def start_server(app) -> tuple[LiveServer, object, threading.Thread]:
    """uvicorn serving ``app`` in a thread on 127.0.0.1 and an ephemeral port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    return LiveServer(f"http://127.0.0.1:{port}", "127.0.0.1", port), server, thread


def wait_for(driver, js: str, timeout: float = 60.0, what: str = ""):
    """Poll the JS expression ``js`` until it is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({js});")
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or js}")


def copying_runner(recap_dir: Path):
    """A stand-in for the recap pipeline: reports progress, then copies a finished recap."""

    def run(video: Path, out_dir: Path, report) -> None:
        assert video.is_file()
        for stage in ("visual", "speech", "captions", "segments"):
            report(stage, 1.0, 2.0)
            time.sleep(0.05)
        shutil.copytree(recap_dir, out_dir)

    return run
