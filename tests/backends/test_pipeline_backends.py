"""End to end: ``vidrecap.recap`` on a generated video with the hf and the openai backends."""

from __future__ import annotations

import json

import pytest

import vidrecap
from tests.media import Part, build_video

from .chat_server import CAPTION_REPLY, WRITER_TEXT, WRITER_TITLE, ChatServer
from .tiny import VLM_WORD, WRITER_WORD

SLIDES = [Part(12, title="Harbour Tour", body="Boats and cranes"),
          Part(12, title="Fish Market", body="Early morning")]
COMMON = dict(asr="none", ocr="embedded", segment_seconds=20)


@pytest.fixture(scope="module")
def slide_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("media") / "slides.mp4"
    build_video(path, SLIDES, with_audio=False)
    return path


def test_recap_with_hf_encoder_captioner_and_writer(slide_video, tiny_models, tmp_path):
    out = tmp_path / "hf"
    recap = vidrecap.recap(slide_video, out, encoder=f"hf:{tiny_models.clip}",
                           captioner=f"hf:{tiny_models.vlm}", writer=f"hf:{tiny_models.writer}", **COMMON)
    assert recap.options["visual_space"] == "image"  # the dual encoder embedded the key frames
    assert recap.embeddings["visual"].shape[1] == 16
    assert len(recap.clips) == 6
    assert all(c.text.split() == [VLM_WORD] for c in recap.clips)  # 40 greedy tokens: a loop, cut to one
    assert len(recap.segments) >= 1
    # the tiny writer repeats one invented word: every item is rejected (loop, unsupported), retried
    # once, then written extractively, and recap.json says so
    for item in [*recap.segments, recap.summary]:
        assert item.writer == "embedded:extractive" and WRITER_WORD not in item.text
        assert item.problems[0].startswith("hf:") and "repetition loop cut" in item.problems[0]
    saved = json.loads((out / "recap.json").read_text())
    assert saved["summary"]["writer"] == "embedded:extractive" and saved["summary"]["faithfulness"] > 0.5
    assert VLM_WORD in (out / "clips.vtt").read_text()


def test_recap_with_openai_captioner_and_writer(slide_video, tiny_models, tmp_path, monkeypatch):
    with ChatServer() as server:
        monkeypatch.setenv("VIDRECAP_OPENAI_BASE_URL", server.base_url)
        recap = vidrecap.recap(slide_video, tmp_path / "api", encoder=f"hf:{tiny_models.clip}",
                               captioner="openai:tiny-vlm", writer="openai:tiny-lm", **COMMON)
    assert [c.text for c in recap.clips] == [CAPTION_REPLY.format(n=2)] * 6  # 2 key frames per clip
    assert all(s.title == WRITER_TITLE and s.text.startswith("Server text") for s in recap.segments)
    assert recap.summary.title == WRITER_TITLE
    assert recap.summary.text.startswith(WRITER_TEXT.split("{")[0])
    posts = [r["body"] for r in server.posts()]
    caption_prompts = [b["messages"][0]["content"][0]["text"] for b in posts if b["model"] == "tiny-vlm"]
    assert len(caption_prompts) == 6
    assert any("Harbour" in p for p in caption_prompts)  # on-screen text (OCR) reached the VLM
    writer_prompts = [b["messages"][-1]["content"] for b in posts if b["model"] == "tiny-lm"]
    assert len(writer_prompts) == len(recap.segments) + 1
    assert CAPTION_REPLY.format(n=2) in writer_prompts[0]  # segments are written from the captions
    assert "Server text" in writer_prompts[-1]  # and the summary from the segment descriptions
