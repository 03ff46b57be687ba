"""One generated video and its recap for the expert tests: music, street footage with speech,
a close-up face (carphone), silence, then applause."""

from __future__ import annotations

import pytest

from tests import media

PARTS = [
    media.Part(10, title="Intermission", sound="music"),
    media.Part(10, footage="bikes", say="A man in a suit rides his bicycle past a row of cars in the city."),
    media.Part(8, footage="carphone"),
    media.Part(10, title="The end"),  # silence
    media.Part(8, title="Thank you", sound="applause"),
]


@pytest.fixture(scope="session")
def experts_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "experts.mp4"
    return path, media.build_video(path, PARTS)


@pytest.fixture(scope="session")
def experts_recap(experts_video, tmp_path_factory):
    import vidrecap

    out = tmp_path_factory.mktemp("out") / "experts"
    result = vidrecap.recap(experts_video[0], out, segment_seconds=20, ocr="none")
    result.directory = str(out)
    return result
