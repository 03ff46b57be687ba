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
