"""The openai backends against a real chat-completions HTTP server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from vidrecap import registry
from vidrecap.backends.base import ClipEvidence, TimedText, WriteRequest
from vidrecap.errors import BackendError

from .chat_server import PARTIAL_TEXT, WRITER_TEXT, WRITER_TITLE, ChatServer, closed_port_url
from .tiny import frames

FAST = dict(retries=2, backoff=0.01, timeout=5.0)


def clips(n: int) -> list[ClipEvidence]:
    return [ClipEvidence(i, 4.0 * i, 4.0 * i + 4, frames(6, size=600, seed=i), speech=f"words {i}",
                         on_screen="EXIT" if i == 0 else "") for i in range(n)]


def test_captioner_sends_frames_as_data_urls_with_context():
    with ChatServer() as server:
        cap = registry.create("captioner", "openai:tiny-vlm", base_url=server.base_url, frames=3,
                              image_size=256, **FAST)
        captions = cap.caption(clips(2) + [ClipEvidence(2, 8, 12, speech="audio only")])
    assert captions[:2] == ["Server caption of 3 frames"] * 2
    assert "audio only" in captions[2] and len(server.posts()) == 2  # no frames: no request
    body = server.posts()[0]["body"]
    assert body["model"] == "tiny-vlm" and body["temperature"] == 0
    texts = [r["body"]["messages"][0]["content"][0]["text"] for r in server.posts()]
    first = next(t for t in texts if '"words 0"' in t)  # requests run concurrently: any order
    assert '"EXIT"' in first
    assert all(max(size) <= 256 for size in server.image_sizes) and len(server.image_sizes) == 6
    assert cap.spec.startswith(f"openai:tiny-vlm@{server.base_url}")


def test_captioner_runs_clips_concurrently_up_to_the_limit():
    with ChatServer(delay=0.3) as server:
        cap = registry.create("captioner", "openai:m", base_url=server.base_url, concurrency=2, frames=1,
                              **FAST)
        captions = cap.caption(clips(6))
    assert captions == ["Server caption of 1 frames"] * 6
    # The server counts requests in flight at once: overlapped, never past the limit (no wall clock).
    assert server.max_in_flight == 2


def test_model_defaults_to_the_first_one_the_server_lists(monkeypatch):
    monkeypatch.delenv("VIDRECAP_OPENAI_MODEL", raising=False)
    with ChatServer(model_ids=["served-model"]) as server:
        monkeypatch.setenv("VIDRECAP_OPENAI_BASE_URL", server.base_url)
        writer = registry.create("writer", "openai", **FAST)
        writer.write(WriteRequest("summary", 0, 8, [TimedText(0, 8, "a dog runs")]))
    assert [r["method"] for r in server.requests] == ["GET", "POST"]
    assert server.posts()[0]["body"]["model"] == "served-model"


def test_api_key_and_model_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("VIDRECAP_OPENAI_MODEL", "env-model")
    with ChatServer() as server:
        writer = registry.create("writer", "openai", base_url=server.base_url, **FAST)
        assert writer.client.api_key == "sk-test" and writer.client.model == "env-model"
        writer.write(WriteRequest("summary", 0, 8, [TimedText(0, 8, "a dog runs")]))
    assert server.posts()[0]["body"]["model"] == "env-model"


def test_writer_parses_title_and_text():
    req = WriteRequest("segment", 0, 12, [TimedText(0, 4, "a dog runs"), TimedText(4, 8, "a cat sleeps")],
                       speech=[TimedText(1, 2, "hello")])
    with ChatServer() as server:
        writer = registry.create("writer", "openai:tiny-lm", base_url=server.base_url, **FAST)
        out = writer.write(req)
    assert out.title == WRITER_TITLE and out.text == WRITER_TEXT.format(n=3) + " a dog runs."
    prompt = server.posts()[0]["body"]["messages"][-1]["content"]
    assert "a dog runs" in prompt and "hello" in prompt


def test_writer_map_reduces_over_a_small_context():
    children = [TimedText(4.0 * i, 4.0 * i + 4, f"caption {i} " + "the dog runs on the beach " * 6)
                for i in range(40)]
    with ChatServer() as server:
        writer = registry.create("writer", "openai:tiny-lm", base_url=server.base_url, context=1024,
                                 max_tokens=256, **FAST)
        out = writer.write(WriteRequest("summary", 0, 160, children))
    prompts = [r["body"]["messages"][-1]["content"] for r in server.posts()]
    assert len(prompts) > 2 and all(len(p) // 3 < 1024 - 256 for p in prompts)
    assert all(f"caption {i} " in "".join(prompts[:-1]) for i in range(40))
    assert PARTIAL_TEXT in prompts[-1] and out.title == WRITER_TITLE


def test_server_down_is_a_clear_error_after_bounded_retries():
    cap = registry.create("captioner", "openai:m", base_url=closed_port_url(), retries=2, backoff=0.01)
    with pytest.raises(BackendError, match=r"cannot reach .*gave up after 3 attempts"):
        cap.caption(clips(1))


def test_slow_server_times_out_after_bounded_retries():
    with ChatServer(mode="slow", delay=0.6) as server:
        writer = registry.create("writer", "openai:m", base_url=server.base_url, timeout=0.15, retries=1,
                                 backoff=0.01)
        started = time.monotonic()
        with pytest.raises(BackendError, match=r"no answer .* within 0.15 s .*2 attempts"):
            writer.write(WriteRequest("summary", 0, 8, [TimedText(0, 8, "x")]))
        assert time.monotonic() - started < 1.5
    assert len(server.posts()) == 2


@pytest.mark.parametrize("mode, message", [("malformed", "malformed JSON"),
                                           ("no_choices", "without choices"),
                                           ("unauthorized", "HTTP 401")])
def test_nonsense_answers_fail_at_once(mode, message):
    with ChatServer(mode=mode) as server:
        writer = registry.create("writer", "openai:m", base_url=server.base_url, **FAST)
        with pytest.raises(BackendError, match=message):
            writer.write(WriteRequest("summary", 0, 8, [TimedText(0, 8, "x")]))
    assert len(server.posts()) == 1  # not retried: the answer will not get better


def test_transient_errors_are_retried_with_backoff():
    with ChatServer(mode="flaky", failures=2) as server:
        writer = registry.create("writer", "openai:m", base_url=server.base_url, retries=2, backoff=0.05)
        started = time.monotonic()
        out = writer.write(WriteRequest("summary", 0, 8, [TimedText(0, 8, "x")]))
        assert time.monotonic() - started >= 0.05 + 0.1  # waited 0.05 s, then 0.1 s
    assert out.title == WRITER_TITLE and len(server.posts()) == 3
