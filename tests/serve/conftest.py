"""Fixtures for the web server: served copies of the shared talk recap, a TestClient, a live server."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from vidrecap.outputs.store import save_recap
from vidrecap.results import Caption
from vidrecap.serve import ServeConfig, create_app
from vidrecap.serve.library import recap_id

LONG_CLIPS = 5000


@pytest.fixture(scope="session")
def served_root(talk_recap, tmp_path_factory) -> Path:
    """A folder of two recaps: a copy of the talk recap (plus a symlink to a secret outside it) and a
    'long' variant with thousands of clip captions. Copies, so the shared fixture stays untouched."""
    if talk_recap.directory is None:
        pytest.skip("the talk recap was not saved")
    root = tmp_path_factory.mktemp("served")
    talk = root / "talk"
    shutil.copytree(talk_recap.directory, talk)
    secret = tmp_path_factory.mktemp("outside") / "secret.txt"
    secret.write_text("top secret\n")
    (talk / "leak.txt").symlink_to(secret)
    (talk / "leakdir").symlink_to(secret.parent, target_is_directory=True)
    _write_long_variant(talk_recap, root / "long")
    return root


def _write_long_variant(recap, directory: Path) -> None:
    step = recap.clips[0].end - recap.clips[0].start
    clips = [Caption("clip", i, i * step, (i + 1) * step, f"Clip number {i}: " + recap.clips[i % len(recap.clips)].text)
             for i in range(LONG_CLIPS)]
    long = dataclasses.replace(recap, clips=clips, directory=None)
    save_recap(long, directory)


@pytest.fixture(scope="session")
def talk_dir(served_root) -> Path:
    return served_root / "talk"


@pytest.fixture(scope="session")
def talk_id(talk_dir) -> str:
    return recap_id(talk_dir)


@pytest.fixture(scope="session")
def long_id(served_root) -> str:
    return recap_id(served_root / "long")


@pytest.fixture(scope="session")
def app(served_root):
    return create_app(ServeConfig([served_root], trusted_hosts=["testserver", "127.0.0.1"]))


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


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


@pytest.fixture(scope="session")
def live_server(app):
    live, server, thread = start_server(app)
    yield live
    server.should_exit = True
    thread.join(timeout=10)
