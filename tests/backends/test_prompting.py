"""Prompt building, reply parsing and chunk planning shared by the generative backends."""

from __future__ import annotations

import pytest

from vidrecap.backends.base import TimedText, WriteRequest
from vidrecap.errors import BackendError
from vidrecap.writing.prompting import Budget, plan_chunks, spread, write_messages
from vidrecap.writing.validation import parse_written


@pytest.mark.parametrize("raw, title, text", [
    ("Harbour Tour\nBoats leave the harbour at dawn.", "Harbour Tour", "Boats leave the harbour at dawn."),
    ("Title: Harbour Tour\nDescription: Boats leave.", "Harbour Tour", "Boats leave."),
    ("**Harbour Tour**\n\nBoats leave.\nCranes unload.", "Harbour Tour", "Boats leave. Cranes unload."),
    ("# Harbour Tour\nBoats leave.", "Harbour Tour", "Boats leave."),
    ("Boats leave the harbour at dawn while cranes unload ships.",
     "Boats leave the harbour at dawn while cranes…", "Boats leave the harbour at dawn while cranes unload ships."),
    ("```\nHarbour\nBoats.\n```", "Harbour", "Boats."),
    ("", "", ""),
])
def test_parse_written(raw, title, text):
    out = parse_written(raw)
    assert (out.title, out.text) == (title, text)


def test_messages_name_the_level_and_ask_for_a_title():
    req = WriteRequest("summary", 0, 600, [TimedText(0, 300, "first half")], child_titles=["Intro"],
                       on_screen=[TimedText(5, 9, "WELCOME")])
    user = write_messages(req)[-1]["content"]
    assert "Segment descriptions:\n[0:00-5:00] Intro: first half" in user
    assert "On-screen text:\n[0:05-0:09] WELCOME" in user
    assert "summary of the whole video (0:00-10:00)" in user and "title" in user


def test_chunks_keep_every_line_in_time_order():
    words = Budget(120, count=lambda t: len(t.split()))
    req = WriteRequest("segment", 0, 200, [TimedText(4.0 * i, 4.0 * i + 4, f"c{i} " + "x " * 10)
                                           for i in range(50)],
                       speech=[TimedText(4.0 * i + 1, 4.0 * i + 2, f"s{i}") for i in range(0, 50, 5)])
    chunks = plan_chunks(req, words)
    assert len(chunks) > 3
    assert [c.text.split()[0] for ch in chunks for c in ch.children] == [f"c{i}" for i in range(50)]
    assert [s.text for ch in chunks for s in ch.speech] == [f"s{i}" for i in range(0, 50, 5)]
    assert all(words.fits(write_messages(ch)) for ch in chunks)
    assert all(a.end <= b.start + 4 for a, b in zip(chunks, chunks[1:], strict=False))


def test_a_budget_too_small_for_the_instructions_is_an_error():
    req = WriteRequest("segment", 0, 8, [TimedText(0, 8, "x " * 100)])
    with pytest.raises(BackendError, match="too small"):
        plan_chunks(req, Budget(40, count=lambda t: len(t.split())))


def test_spread_picks_evenly_spaced_frames():
    assert spread(list(range(10)), 1) == [5]
    assert spread(list(range(10)), 3) == [1, 5, 8]
    assert spread(list(range(2)), 4) == [0, 1]


def test_caption_prompt_tells_the_vlm_what_was_heard():
    from vidrecap.backends.base import ClipEvidence
    from vidrecap.results import Tag
    from vidrecap.writing.prompting import caption_prompt

    clip = ClipEvidence(0, 0.0, 4.0, sounds=[Tag("Speech", 0.9), Tag("Applause", 0.7), Tag("Music", 0.1)])
    prompt = caption_prompt(clip, 1)
    assert "Sounds heard: applause" in prompt and "speech" not in prompt.lower().split("sounds heard:")[1]


def test_caption_prompt_tells_measured_camera_motion_only():
    from vidrecap.backends.base import ClipEvidence
    from vidrecap.writing.prompting import caption_prompt

    clip = ClipEvidence(0, 0.0, 4.0, picture=["a dark night scene with bright lights", "the camera pans right"])
    prompt = caption_prompt(clip, 2)
    assert "Camera: the camera pans right" in prompt and "night" not in prompt  # light and colours are visible
