"""Model writers against a real HTTP chat server scripted to misbehave: the recap stays valid."""

from __future__ import annotations

import json

from vidrecap import registry
from vidrecap.backends.base import TimedText, WriteRequest
from vidrecap.hierarchy.build import SegmentPlan, write_segments
from vidrecap.writing.checked import checked_writer

from .chat_server import ChatServer, Slow, Status

FAST = dict(retries=1, backoff=0.01, timeout=5.0)
GOOD = json.dumps({"title": "Pasta at home", "text": "A chef boils pasta in a pot and stirs the sauce at 0:20."})
INVENTED = json.dumps({"title": "Party", "text": "Guests drink champagne on a glass bridge and eat chocolate eggs."})
PARAGRAPH = "A chef boils pasta in a pot and adds salt to the water before stirring the tomato sauce."


def request(start: float = 12.0, end: float = 191.0) -> WriteRequest:
    return WriteRequest(
        "segment", start, end,
        [TimedText(12, 40, "A chef boils pasta in a pot"), TimedText(40, 90, "The chef stirs tomato sauce")],
        speech=[TimedText(15, 20, "add salt to the water")],
        on_screen=[TimedText(12, 30, "Perfect Pasta at Home")],
    )


def write(script: list, req: WriteRequest | None = None, **options):
    with ChatServer(mode="script", script=script) as server:
        model = registry.create("writer", "openai:tiny-lm", base_url=server.base_url, **{**FAST, **options})
        out = checked_writer(model).write(req or request())
    return out, server.posts(), model.spec


def test_valid_json_is_asked_for_with_a_schema_and_penalties():
    out, posts, spec = write([GOOD])
    assert out.writer == spec and out.title == "Pasta at home" and "0:20" in out.text
    assert out.problems == [] and out.faithfulness > 0.8
    body = posts[0]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["title", "text"]
    assert body["frequency_penalty"] > 0 and "JSON" in body["messages"][-1]["content"]


def test_a_loop_cut_mid_word_is_cut_to_one_copy():
    looped = json.dumps({"title": "Pasta", "text": " ".join([PARAGRAPH] * 4) + " A chef bo"})
    out, posts, spec = write([looped])
    assert out.writer == spec and out.text == PARAGRAPH and "repetition loop cut" in out.problems


def test_times_outside_the_span_are_dropped():
    text = "At 0:20 a chef boils pasta. At 3:48 he stirs the sauce."
    reply = json.dumps({"title": "[0:12-3:48] Pasta", "text": text})
    out, _, _ = write([reply], request(12, 191))
    assert out.text == "At 0:20 a chef boils pasta. He stirs the sauce." and out.title == "Pasta"
    assert "1 time reference(s) outside the span dropped" in out.problems


def test_a_sentence_about_the_title_becomes_the_title():
    reply = json.dumps({"title": 'This video segment, titled "Perfect Pasta at Home", shows a chef cooking',
                        "text": "A chef boils pasta."})
    out, _, _ = write([reply])
    assert out.title == "Perfect Pasta at Home"


def test_invented_content_is_retried_once_then_written_extractively():
    out, posts, spec = write([INVENTED])
    assert len(posts) == 2 and out.writer == "embedded:extractive"
    assert "champagne" not in out.text and out.text and out.faithfulness > 0.5
    assert spec in out.problems[0] and "barely supported" in out.problems[0]


def test_a_good_retry_is_kept():
    out, posts, spec = write([INVENTED, GOOD])
    assert len(posts) == 2 and out.writer == spec and out.title == "Pasta at home"


def test_broken_and_prose_replies_are_parsed_tolerantly():
    cut = '{"title": "Pasta", "text": "A chef boils pasta in a pot. He stirs the tomato sau'
    out, _, spec = write([cut])
    assert out.writer == spec and out.text == "A chef boils pasta in a pot."
    out, _, spec = write(["Sure! Title: Pasta\nA chef boils pasta in a pot."])
    assert out.writer == spec and out.title == "Pasta" and out.text == "A chef boils pasta in a pot."


def test_server_errors_and_timeouts_fall_back_without_failing_the_recap():
    out, posts, _ = write([Status(500)])
    assert len(posts) == 4 and out.writer == "embedded:extractive"  # 2 attempts x (1 + 1 HTTP retry)
    assert "HTTP 500" in out.problems[0]
    out, posts, _ = write([Slow(1.5, GOOD)], timeout=0.3, retries=0)
    assert len(posts) == 2 and out.writer == "embedded:extractive" and "within 0.3 s" in out.problems[0]


def test_a_server_without_response_format_is_asked_again_without_it():
    out, posts, spec = write([Status(400, b'{"error": "unknown field response_format"}'), GOOD])
    assert out.writer == spec and "response_format" in posts[0]["body"]
    assert "response_format" not in posts[1]["body"]


def test_segments_already_written_are_kept_and_failures_are_recorded():
    plans = [SegmentPlan(i, i + 1, request(60.0 * i, 60.0 * i + 60)) for i in range(3)]
    done = [{"text": "Written before.", "title": "Before", "writer": "openai:x", "faithfulness": 0.9, "problems": []}]
    journal = []
    with ChatServer(mode="script", script=[Status(500)]) as server:
        model = registry.create("writer", "openai:tiny-lm", base_url=server.base_url, **FAST)
        segments = write_segments(plans, checked_writer(model), done=done, on_write=journal.append)
    assert segments[0].text == "Written before." and segments[0].writer == "openai:x"
    assert [s.writer for s in segments[1:]] == ["embedded:extractive"] * 2 and len(journal) == 2
    assert all(s.text and s.faithfulness is not None and "HTTP 500" in s.problems[0] for s in segments[1:])
