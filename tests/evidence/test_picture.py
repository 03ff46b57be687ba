"""Picture statistics on real footage and on frames made from it: night/dark, named colours,
camera motion (pans, tilts, zooms made by moving a crop of a real frame), resume state, words,
and a whole run where the night and the pan reach captions, recap.json and search."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests import media
from vidrecap.evidence.picture_pass import PictureExpert, clip_picture, describe_picture
from vidrecap.experts.picture import PictureStatistics, colour_shares
from vidrecap.results import Cell, PictureEvidence, Tag


@pytest.fixture(scope="module")
def stats():
    return PictureStatistics()


def key_frames(name: str, seconds: float = 8.0) -> list[np.ndarray]:
    """One frame every 2 s (the visual pass's key frames), at the size the pass decodes."""
    return list(media.iter_footage(name, seconds))[media.FPS::2 * media.FPS]


@pytest.fixture(scope="module")
def footage():
    return {name: key_frames(name) for name in ("bikes", "vtest", "bunny", "carphone")}


def test_night_and_dark_frames_told_from_daylight_footage(stats, footage):
    for name, frames in footage.items():
        for frame in frames:
            assert stats.light(frame)[1] == "", name  # none of the packaged footage is dark
            assert stats.light(media.night(frame))[1] == "night", name
            assert stats.light((frame * 0.15).astype(np.uint8))[1] == "dark", name  # dark, no lights
    slide = 255 - media.slide("Weekly Kitchen", "Episode 12")  # white words on black: not a night
    assert stats.slide_like(slide) and PictureExpert(stats).look(slide)["light"] == ""


def test_named_colours(stats, footage):
    rng = np.random.default_rng(0)
    frame = np.zeros((360, 640, 3), np.float32)
    frame[:200] = (70, 130, 210)  # sky
    frame[200:] = (60, 150, 50)  # grass
    frame = np.clip(frame + rng.normal(0, 12, frame.shape), 0, 255).astype(np.uint8)
    assert [n for n, _ in stats.colours(frame)] == ["blue", "green"]
    red = np.full((360, 640, 3), (190, 35, 30), np.uint8)
    assert list(colour_shares(red))[0] == "red"
    lawn = [[n for n, _ in stats.colours(f)] for f in footage["vtest"] + footage["bunny"]]
    assert sum("green" in names for names in lawn) >= len(lawn) - 2, lawn  # lawns, grassy hill
    assert not any(stats.colours(f) for f in footage["carphone"])  # grey car interior, dark suit
    street = [[n for n, _ in stats.colours(f)] for f in footage["bikes"]]  # grey street, a wooden shop front
    assert sum(bool(names) for names in street) <= 1 and not {"green", "blue"} & {n for ns in street for n in ns}
    assert PictureExpert(stats).look(media.slide("Traffic Report"))["colours"] == []


def moved(frame: np.ndarray, dx: int = 0, dy: int = 0, zoom: float = 1.0) -> np.ndarray:
    """A 480×270 view of ``frame`` whose centre moved by ``dx, dy`` pixels and scaled by ``zoom``."""
    from PIL import Image

    w, h = int(480 / zoom), int(270 / zoom)
    x0, y0 = (640 - w) // 2 + dx, (360 - h) // 2 + dy
    return np.asarray(Image.fromarray(frame[y0:y0 + h, x0:x0 + w]).resize((480, 270), Image.BILINEAR))


@pytest.mark.parametrize("name", ["vtest", "bunny"])
def test_camera_moves_made_from_a_real_frame(stats, footage, name):
    frame = footage[name][1]
    base = stats.features(moved(frame))
    cases = [({"dx": 40}, "pans right", 0), ({"dx": -40}, "pans left", 0), ({"dy": 30}, "tilts down", 1),
             ({"dy": -30}, "tilts up", 1), ({"zoom": 1.2}, "zooms in", 2), ({"zoom": 0.85}, "zooms out", 2),
             ({}, "static", None)]
    for kwargs, label, axis in cases:
        move = stats.motion(base, stats.features(moved(frame, **kwargs)), 16 / 9)
        assert move.camera == label, (kwargs, move)
        if axis == 0:
            assert move.dx == pytest.approx(-kwargs["dx"] / 480, abs=0.01)
        elif axis == 1:
            assert move.dy == pytest.approx(-kwargs["dy"] / 270, abs=0.01)
        elif axis == 2:
            assert move.scale == pytest.approx(kwargs["zoom"], abs=0.03)


def test_real_footage_motion(stats, footage):
    expert = PictureExpert(stats)
    cameras = [expert.look(f)["camera"] for f in footage["vtest"]]
    assert cameras[0] == "" and set(cameras[1:]) == {"static"}  # people walk; the camera stays put
    unrelated = stats.motion(stats.features(footage["bikes"][0]), stats.features(footage["bunny"][0]), 16 / 9)
    assert unrelated.camera == ""  # two different scenes (a cut): no motion claimed


def test_state_survives_a_resume(stats, footage):
    frames = footage["vtest"][:3]
    whole = PictureExpert(stats)
    expected = [whole.look(f) for f in frames]
    first = PictureExpert(stats)
    assert first.look(frames[0]) == expected[0]
    state = json.loads(json.dumps(first.state()))
    resumed = PictureExpert(stats)
    resumed.restore(state)
    assert [resumed.look(f) for f in frames[1:]] == expected[1:]
    assert len(json.dumps(state)) < 20_000


def test_words():
    night = PictureEvidence(0.07, "night", [], "pans right", [-0.2, 0.0, 1.0])
    assert describe_picture(night) == ["a dark scene with small bright lights (night or candlelight)",
                                       "the camera pans right"]
    lawn = PictureEvidence(0.5, "", [Tag("green", 0.3), Tag("brown", 0.2)], "static")
    assert describe_picture(lawn) == ["mostly green and brown", "a static camera"]
    cells = [Cell(0, 0, 2, picture=lawn), Cell(1, 2, 4, picture=night)]
    assert clip_picture(cells) == ["mostly green", "the camera pans right"]
    cells[1].scene_cut = True  # a cut between the key frames: no camera claim
    assert clip_picture(cells) == ["mostly green"]
    dark = [Cell(i, 2 * i, 2 * i + 2, picture=PictureEvidence(0.1, light)) for i, light in enumerate(["dark", "night"])]
    assert clip_picture(dark) == ["a dark scene with small bright lights (night or candlelight)"]


PARTS = [
    media.Part(8, footage="vtest", look="night"),
    media.Part(12, footage="vtest", look="pan"),
    media.Part(6, title="Thank you"),
]


@pytest.fixture(scope="module")
def picture_recap(tmp_path_factory):
    import vidrecap

    path = tmp_path_factory.mktemp("media") / "picture.mp4"
    spans = media.build_video(path, PARTS)
    out = tmp_path_factory.mktemp("out") / "picture"
    recap = vidrecap.recap(path, out, segment_seconds=20, ocr="none", sounds="none", faces="none", quiet=True)
    recap.directory = str(out)
    return recap, spans


def test_recap_tells_and_finds_the_night_and_the_pan(picture_recap):
    from vidrecap.moments.index import MomentIndex

    recap, spans = picture_recap
    night, pan, slide = ([c for c in recap.cells if lo <= c.start and c.end <= hi] for lo, hi in spans)
    assert sum(c.picture.light == "night" for c in night) >= len(night) - 1
    assert not any(c.picture.light for c in pan + slide)
    judged = pan[2:]  # the first two cells touch the cut into the part: their motion is not claimed
    assert sum(c.picture.camera == "pans right" for c in judged) >= len(judged) - 1, [c.picture for c in pan]
    assert {c.picture.camera for c in pan} <= {"pans right", ""}
    assert not any(c.picture.camera or c.picture.colours for c in slide)
    texts = {c.start: c.text for c in recap.clips}
    assert any("A dark scene with small bright lights" in t for s, t in texts.items() if s < spans[0][1])
    assert any("The camera pans right" in t for s, t in texts.items() if spans[1][0] <= s < spans[1][1])
    with open(f"{recap.directory}/recap.json", encoding="utf-8") as fh:
        saved = json.load(fh)
    assert any((c.get("picture") or {}).get("light") == "night" for c in saved["cells"])
    top = MomentIndex.build(recap).predict("night-time city lights", top_k=1).top
    assert top.start < spans[0][1] and top.end > spans[0][0], top


def test_picture_none_switch():
    from vidrecap import registry
    from vidrecap.pipeline.options import RunOptions

    on, off = RunOptions(), RunOptions(picture="none")
    assert on.stage_key("f", "visual") != off.stage_key("f", "visual")  # switching it re-runs the visual pass
    assert on.stage_key("f", "speech") == off.stage_key("f", "speech")  # ... and nothing it does not feed
    assert registry.create("picture", "none").spec == "none"
    assert isinstance(registry.create("picture", "embedded"), PictureStatistics)
