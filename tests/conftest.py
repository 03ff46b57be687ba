"""Shared fixtures: an isolated cache, and one real recap of a generated talk video per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.media import Part, build_video

TALK_PARTS = [
    Part(14, title="Cycling in the City", body="Part one: commuting by bike",
         say="Welcome. Today we look at cycling in the city. Many people ride a bicycle to work every morning."),
    Part(16, footage="bikes",
         say="Here a man in a suit rides his bike past a line of cars stuck in traffic."),
    Part(12, footage="vtest", say_at=4.0,
         say="Pedestrians walk across the square carrying shopping bags."),
    Part(16, title="Cooking Pasta", body="Part two: dinner in ten minutes",
         say="Now something different. Boil water, add salt, and cook the spaghetti for eight minutes."),
    Part(14, footage="bunny", say_at=2.0,
         say="Then a big cartoon rabbit wakes up under the tall green trees."),
]


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache")
    old = os.environ.get("VIDRECAP_CACHE")
    os.environ["VIDRECAP_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("VIDRECAP_CACHE", None)
    else:
        os.environ["VIDRECAP_CACHE"] = old


@pytest.fixture(scope="session")
def talk_video(tmp_path_factory) -> tuple[Path, list[tuple[float, float]]]:
    path = tmp_path_factory.mktemp("media") / "talk.mp4"
    spans = build_video(path, TALK_PARTS)
    return path, spans


@pytest.fixture(scope="session")
def talk_recap(talk_video, tmp_path_factory):
    import vidrecap

    out = tmp_path_factory.mktemp("out") / "talk"
    return vidrecap.recap(talk_video[0], out, segment_seconds=24)
