"""The real pipeline on real footage with real (TTS) speech: transcript, OCR, hierarchy, outputs."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import vidrecap
from tests.conftest import TALK_PARTS
from vidrecap.text.salience import content_tokens


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower())


def test_speech_is_recognised(talk_recap):
    text = _norm(talk_recap.transcript.text)
    for word in ["cycling", "bicycle", "traffic", "square", "spaghetti", "rabbit", "trees"]:
        assert word in text, word
    assert talk_recap.transcript.language == "en"


def test_words_land_in_the_right_clip(talk_recap, talk_video):
    _, spans = talk_video
    clips = talk_recap.clips
    # every recognised word appears in the caption of the clip holding its midpoint
    for word in talk_recap.transcript.words():
        mid = (word.start + word.end) / 2
        k = min(len(clips) - 1, int(mid // 4))
        token = _norm(word.text)
        if token:
            assert token in _norm(clips[k].text), (word, clips[k].text)
    # each part's utterance starts when it was spoken (±1 clip) and holds that part's words
    for part, (start, _) in zip(TALK_PARTS, spans, strict=True):
        said_at = start + part.say_at
        said = set(content_tokens(part.say))
        heard = [u for u in talk_recap.transcript.segments
                 if abs(int(u.start // 4) - int(said_at // 4)) <= 1 and said & set(content_tokens(u.text))]
        assert heard, (part.say, said_at)


def test_slide_titles_are_read(talk_recap, talk_video):
    _, spans = talk_video
    for part, (start, end) in zip(TALK_PARTS, spans, strict=True):
        if part.footage is None:
            shown = " ".join(c.on_screen for c in talk_recap.cells if start <= c.start < end)
            assert part.title.lower() in shown.lower(), (part.title, shown)
    titles = [s.title for s in talk_recap.segments]
    assert "Cycling in the City" in titles


def test_cells_cover_the_grid(talk_recap):
    cells = talk_recap.cells
    assert [c.index for c in cells] == list(range(len(cells)))
    assert cells[-1].end == pytest.approx(talk_recap.video.duration, abs=0.05)
    assert all(c.frame for c in cells)
    assert any(c.scene_cut for c in cells)  # slide → footage changes


def test_segments_respect_boundaries(talk_recap):
    segs, clips = talk_recap.segments, talk_recap.clips
    assert len(segs) >= 2
    assert segs[0].start == 0 and segs[-1].end == pytest.approx(talk_recap.video.duration, abs=0.05)
    for a, b in zip(segs, segs[1:], strict=False):
        assert a.end == b.start
        for utterance in talk_recap.transcript.segments:  # no sentence cut in half
            assert not (utterance.start + 0.1 < a.end < utterance.end - 0.1), (a.end, utterance.text)
    assert sorted(i for s in segs for i in s.children) == list(range(len(clips)))
    for s in segs:
        assert clips[s.children[0]].start == s.start and clips[s.children[-1]].end == s.end
        assert 10 <= s.end - s.start <= 40


def test_segment_text_comes_from_its_span(talk_recap):
    for seg in talk_recap.segments:
        inside = " ".join(u.text for u in talk_recap.transcript.segments
                          if seg.start <= (u.start + u.end) / 2 < seg.end)
        assert set(content_tokens(seg.text)) & set(content_tokens(inside)), seg


def test_summary_mentions_every_segment(talk_recap):
    summary = set(content_tokens(talk_recap.summary.text))
    for seg in talk_recap.segments:
        assert summary & set(content_tokens(seg.text + " " + seg.title)), seg.text


def test_embeddings_channels(talk_recap):
    n = len(talk_recap.cells)
    for name in ("visual", "speech", "on_screen", "fused"):
        emb = talk_recap.embeddings[name]
        assert emb.shape == (n, 384) and emb.dtype == np.float32
        norms = np.linalg.norm(emb, axis=1)
        assert np.all((np.abs(norms - 1) < 1e-3) | (norms == 0))
    assert talk_recap.options["visual_space"] == "labels"


def test_outputs_round_trip(talk_recap):
    out = talk_recap.directory
    loaded = vidrecap.load(out)
    assert loaded.summary == talk_recap.summary
    assert loaded.segments == talk_recap.segments and loaded.clips == talk_recap.clips
    assert np.array_equal(loaded.embeddings["fused"], talk_recap.embeddings["fused"])
    data = json.loads((loaded_path := __import__("pathlib").Path(out) / "recap.json").read_text())
    assert data["schema_version"] == "1.1" and data["video"]["has_audio"] is True
    vtt = (loaded_path.parent / "clips.vtt").read_text()
    assert vtt.startswith("WEBVTT\n") and vtt.count(" --> ") == len(talk_recap.clips)
    assert "00:00:04.000 --> 00:00:08.000" in vtt
    assert (loaded_path.parent / "segments.vtt").read_text().count(" --> ") == len(talk_recap.segments)
    summary_md = (loaded_path.parent / "summary.md").read_text()
    assert "## Summary" in summary_md and "written by embedded:extractive" in summary_md
    assert all(s["writer"] == "embedded:extractive" and 0 <= s["faithfulness"] <= 1 for s in data["segments"])
    for cell in talk_recap.cells:
        assert (loaded_path.parent / cell.frame).stat().st_size > 1000


def test_second_run_loads_no_model(talk_video, talk_recap, tmp_path, monkeypatch):
    from vidrecap import registry

    def refuse(*a, **k):
        raise AssertionError("a model was loaded although every stage is cached")

    monkeypatch.setattr(registry, "create", refuse)
    again = vidrecap.recap(talk_video[0], tmp_path / "again", segment_seconds=24)
    assert again.summary.text == talk_recap.summary.text


def test_options_change_the_cache_key(talk_video, talk_recap, tmp_path):
    other = vidrecap.recap(talk_video[0], tmp_path / "long", segment_seconds=600, segmentation="fixed")
    assert len(other.segments) == 1 and len(talk_recap.segments) >= 2
    assert other.options["segmentation"] == "fixed" and talk_recap.options["segmentation"] == "content"
    assert other.transcript.text == talk_recap.transcript.text
