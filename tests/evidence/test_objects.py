"""The object expert: YOLOv3-tiny (darknet weights rebuilt as ONNX) on real footage, counts and
words, reuse and resume state, captions, recap.json and search."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from tests import media
from vidrecap.evidence.objects_pass import ObjectExpert, count_objects, describe_objects, steady_objects
from vidrecap.moments.index import MomentIndex
from vidrecap.results import SeenObject

objects_backend = pytest.importorskip("vidrecap.experts.objects")
if not objects_backend._available():
    pytest.skip("YOLOv3-tiny files are not installed: bash scripts/setup.sh", allow_module_level=True)


PARTS = [  # silent: only what is seen can be found
    media.Part(6, title="Welcome"),
    media.Part(10, footage="bikes"),
    media.Part(8, footage="carphone"),
    media.Part(10, footage="vtest"),
    media.Part(6, title="Thanks"),
]


@pytest.fixture(scope="module")
def detector():
    return objects_backend.YoloObjects()


@pytest.fixture(scope="module")
def footage_recap(tmp_path_factory):
    import vidrecap

    path = tmp_path_factory.mktemp("media") / "footage.mp4"
    spans = media.build_video(path, PARTS, with_audio=False)
    out = tmp_path_factory.mktemp("out") / "footage"
    recap = vidrecap.recap(path, out, segment_seconds=20, ocr="none", quiet=True)
    recap.directory = str(out)
    return recap, spans


def frames(name: str, seconds: float = 8.0, every: int = 25) -> list[np.ndarray]:
    return list(media.iter_footage(name, seconds))[::every]


def labels_per_frame(detector, images) -> list[set[str]]:
    return [{d.label for d in detector.detect(im)} for im in images]


def test_street_footage_shows_people_cars_and_bicycles(detector):
    seen = labels_per_frame(detector, frames("bikes"))
    every = set().union(*seen)
    assert {"person", "bicycle", "car"} <= every, seen


def test_hall_footage_shows_several_people(detector):
    found = [count_objects(detector.detect(f)) for f in frames("vtest", 4.0)]
    people = [next((o.count for o in objs if o.label == "person"), 0) for objs in found]
    assert min(people) >= 1 and max(people) >= 3, found


def test_a_slide_shows_no_objects(detector):
    slide = media.slide("Quarterly results", "Revenue grew by four percent\nCosts stayed flat")
    assert detector.detect(slide) == []
    assert ObjectExpert(detector).look(slide) == {}


def test_boxes_lie_in_the_frame(detector):
    image = frames("vtest", 1.0)[0]
    found = detector.detect(image)
    assert found and all(0.25 <= d.score <= 1 for d in found)
    h, w = image.shape[:2]
    assert all(0 <= d.x and d.x + d.w <= w + 1e-3 and 0 <= d.y and d.y + d.h <= h + 1e-3 for d in found)


def test_unchanged_frame_is_not_detected_again_even_after_a_resume(detector):
    calls = []

    class Counting:
        spec = "counting"

        def detect(self, image):
            calls.append(1)
            return detector.detect(image)

    image = frames("vtest", 1.0)[0]
    expert = ObjectExpert(Counting())
    first = expert.look(image)
    assert first["seen"][0]["label"] == "person"
    assert expert.look(image.copy()) == first and len(calls) == 1
    resumed = ObjectExpert(Counting())
    resumed.restore(json.loads(json.dumps(expert.state())))  # what a resume journal would hold
    assert resumed.look(image) == first and len(calls) == 1
    assert resumed.look(media.slide("Other")) == {} and len(calls) == 2


def test_words_counts_and_flicker():
    assert describe_objects([SeenObject("person", 3, 0.9), SeenObject("bicycle", 1, 0.5)]) == "3 people, a bicycle"
    assert describe_objects([SeenObject("umbrella", 1, 0.5), SeenObject("bus", 2, 0.4)]) == "an umbrella, 2 buses"
    assert describe_objects([SeenObject("person", 12, 0.9)]) == "many people"
    car, phone, person = SeenObject("car", 2, 0.5), SeenObject("cell phone", 1, 0.59), SeenObject("person", 1, 0.9)
    steady = steady_objects([[car], [car, phone], [person], []])
    assert steady == [[car], [car], [person], []]  # the phone flickers; a sure person stays


def test_recap_carries_objects_and_search_finds_the_hall(footage_recap):
    recap, spans = footage_recap
    lo, hi = spans[3]
    hall = [c for c in recap.cells if lo <= c.start and c.end <= hi]
    assert sum(any(o.label == "person" for o in c.objects) for c in hall) >= len(hall) - 1
    slides = [c for c in recap.cells if c.end <= spans[0][1] or spans[4][0] <= c.start]
    assert not any(c.objects for c in slides)
    assert any("Seen: " in c.text and "people" in c.text for c in recap.clips if lo <= c.start < hi)
    with open(f"{recap.directory}/recap.json", encoding="utf-8") as fh:
        saved = json.load(fh)
    assert any(o["label"] == "person" and o["count"] >= 2 for c in saved["cells"] for o in c.get("objects", []))
    assert "objects" in recap.embeddings

    query = "several people walking"  # never said or written in the video
    without = copy.copy(recap)  # what search sees with --objects none: no objects channel
    without.embeddings = {k: v for k, v in recap.embeddings.items() if k != "objects"}
    inside = [i for i, c in enumerate(recap.cells) if lo <= c.start and c.end <= hi]
    on, off = MomentIndex.build(recap), MomentIndex.build(without)
    assert np.mean(on.score(query).relevance[inside]) > np.mean(off.score(query).relevance[inside]) + 0.2
    top, top_off = on.predict(query, top_k=1).top, off.predict(query, top_k=1).top
    assert top.start < hi and top.end > lo, top
    # without objects nothing clearly matches (other experts may still point somewhere, weakly)
    assert top.score > top_off.score + 0.2, (top, top_off)


def test_objects_none_switches_the_expert_off(footage_recap, tmp_path):
    import vidrecap
    from vidrecap.errors import BackendError
    from vidrecap.registry import create

    recap, _ = footage_recap
    off = vidrecap.recap(recap.video.path, tmp_path / "off", segment_seconds=20, ocr="none", objects="none",
                         quiet=True)
    assert not any(c.objects for c in off.cells) and "objects" not in off.embeddings
    assert not any("people" in c.text for c in off.clips)
    assert [c.faces for c in off.cells] == [c.faces for c in recap.cells]  # the other experts are untouched
    with pytest.raises(BackendError, match="multiple of 32"):
        create("objects", "embedded:333")
