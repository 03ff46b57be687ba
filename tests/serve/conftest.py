"""Fixtures for the web server: served copies of the shared talk recap, a TestClient, a live server."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path

import pytest

from vidrecap.outputs.store import save_recap
from vidrecap.results import Caption
from vidrecap.serve import ServeConfig, create_app
from vidrecap.serve.library import recap_id

from .helpers import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, HAVE_CHROMIUM, NO_CHROMIUM, start_server

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


@pytest.fixture(scope="session")
def live_server(app):
    live, server, thread = start_server(app)
    yield live
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium via the system chromedriver, with a fresh profile."""
    if not HAVE_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install selenium)")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="vidrecap-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
