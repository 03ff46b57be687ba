"""Five short generated videos (one fact each) and one corrupt file, recapped once into a library."""

from __future__ import annotations

import pytest

from tests.media import Part, build_video

VIDEOS = {
    "harbour.mp4": [Part(4, title="The Harbour Lighthouse", body="Built in 1872"),
                    Part(6, footage="vtest",
                         say="The lighthouse keeper climbs the tower and lights the lamp at dusk.")],
    "bakery.mp4": [Part(8, footage="bikes", say="Knead the sourdough bread dough for ten minutes, then let it rise.")],
    "volcano.mp4": [Part(8, title="Volcano Facts", body="Mount Etna",
                         say="Hot lava from the volcano flows down into the sea.")],
    "chess/final.mp4": [Part(8, footage="bunny", say="The grandmaster moves her queen and wins the chess game.")],
    "garden.mp4": [Part(4, title="Spring Garden", body="Tomatoes and roses"),
                   Part(5, footage="bikes", say="Water the tomato plants every evening in summer.")],
}
FACTS = {  # query -> the video it is about
    "who lights the lamp in the lighthouse": "harbour",
    "how long to knead sourdough bread": "bakery",
    "lava flowing into the sea": "volcano",
    "the grandmaster wins at chess": "final",
    "watering tomato plants": "garden",
}


@pytest.fixture(scope="session")
def video_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("library-videos")
    for name, parts in VIDEOS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        build_video(path, parts)
    (root / "corrupt.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x13" * 4000)
    return root


@pytest.fixture(scope="session")
def library_batch(video_folder, tmp_path_factory):
    """``run_batch`` into a fresh ROOT: every finished recap joins ROOT's library."""
    from vidrecap.pipeline.batch import run_batch

    root = tmp_path_factory.mktemp("library-root")
    report = run_batch(video_folder, root, segment_seconds=24)
    return root, report


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL + pgvector server for the session (binaries from the pgserver wheel)."""
    import shutil
    import tempfile
    from pathlib import Path

    from vidrecap.errors import VidrecapError
    from vidrecap.library.pg_local import LocalServer, find_binaries

    pytest.importorskip("psycopg", reason="psycopg is not installed (scripts/setup.sh installs it)")
    try:
        find_binaries()
    except VidrecapError as exc:
        pytest.skip(f"no PostgreSQL with pgvector to test against: {exc}")
    folder = Path(tempfile.mkdtemp(prefix="vidrecap-pgtest-"))  # under /tmp: the server's user must reach it
    server = LocalServer(folder)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server, request):
    """A fresh, empty database on the session's server, as a ``postgresql://`` URL."""
    import re

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50]
    with psycopg.connect(pg_server.url, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    return pg_server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def twelve_recaps(tmp_path_factory):
    """12 recap folders, one narrated topic each, embedded with the real text encoder (no video needed)."""
    from .text_recaps import build_text_recaps

    return build_text_recaps(tmp_path_factory.mktemp("twelve"))


@pytest.fixture(scope="session")
def embedded_twelve(twelve_recaps, tmp_path_factory):
    """The same 12 recaps in an embedded library (a folder)."""
    from vidrecap.library import RecapLibrary

    root = tmp_path_factory.mktemp("embedded-twelve")
    with RecapLibrary.open(root, create=True) as lib:
        assert all(o.status == "added" for o in lib.add(twelve_recaps))
    return root
