"""One real recap of the generated eight-topic video per session, and an asker over it."""

from __future__ import annotations

import pytest

from tests.media import build_video

from .facts import PARTS


@pytest.fixture(scope="session")
def facts_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("ask-media") / "facts.mp4"
    return path, build_video(path, PARTS)


@pytest.fixture(scope="session")
def facts_out(facts_video, tmp_path_factory):
    import vidrecap

    out = tmp_path_factory.mktemp("ask-out") / "facts"
    vidrecap.recap(facts_video[0], out, segment_seconds=30)
    return out


@pytest.fixture(scope="session")
def asker(facts_out):
    from vidrecap.qa import Asker

    return Asker.build(facts_out)


@pytest.fixture(scope="session")
def spans(facts_video):
    return facts_video[1]
