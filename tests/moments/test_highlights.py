"""Highlights, highlight reels and the cross-modal summary on a generated video."""

from __future__ import annotations

import dataclasses
import json

import av
import numpy as np
import pytest

from vidrecap.cli import main
from vidrecap.moments import highlights, make_reel, xsum
from vidrecap.moments.highlighting import select_spans, text_novelty
from vidrecap.moments.scoring import Window

from .. import media
from .synth import PARTS, build_recap


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    """48 s: a slide with narration (part 0 of the synthetic recap), then real footage (part 1)."""
    path = tmp_path_factory.mktemp("media") / "two_parts.mp4"
    media.build_video(path, [
        media.Part(24, title="Margherita recipe", say="knead the dough and add mozzarella"),
        media.Part(24, footage="bikes", say="we hiked up the volcano"),
    ])
    return path


@pytest.fixture(scope="module")
def video_recap(video, encoder):
    return build_recap(PARTS[:2], encoder=encoder, vid="two_parts", path=str(video))


def probe(path):
    with av.open(str(path)) as c:
        n = sum(1 for _ in c.decode(video=0))
        rate = float(c.streams.video[0].average_rate)
        has_audio = bool(c.streams.audio)
    with av.open(str(path)) as c:
        samples = sum(f.samples for f in c.decode(audio=0)) if has_audio else 0
        sr = c.streams.audio[0].rate if has_audio else 1
    return n / rate, has_audio, samples / sr


def test_highlights_saliency_and_windows(recap, encoder):
    hl = highlights(recap, top_k=5, encoder=encoder)
    assert len(hl.saliency) == len(recap.cells) and len(hl.windows) == 5
    assert all(0 <= s <= 1 for s in hl.saliency)
    assert all(w.end - w.start <= 30 for w in hl.windows)
    assert set(hl.signals) == {"centrality", "speech", "change", "novelty", "reaction"}
    json.dumps(hl.to_dict())


def test_text_novelty_marks_new_slides(recap):
    nov = text_novelty(recap)
    cells = recap.cells
    firsts = [i for i, c in enumerate(cells) if c.on_screen and (i == 0 or not cells[i - 1].on_screen)]
    assert all(nov[i] == 1 for i in firsts) and nov.sum() < 4 * len(firsts)


def test_select_spans_fills_the_budget():
    ws = [Window(20, 30, 0.9), Window(0, 8, 0.8), Window(40, 60, 0.5)]
    spans = select_spans(ws, 25, 60)
    assert spans == [(0, 8), (20, 30), (40, 47)]
    assert sum(e - s for s, e in select_spans(ws, 500, 60)) == 38


def test_reel_has_requested_length_and_audio(video, video_recap, encoder, tmp_path):
    hl = highlights(video_recap, encoder=encoder)
    reel = make_reel(video, hl.spans(20), tmp_path / "reel.mp4")
    seconds, has_audio, audio_seconds = probe(reel.path)
    assert abs(seconds - 20) <= 2 and has_audio and abs(audio_seconds - seconds) < 0.2
    assert reel.has_audio and reel.video_codec in ("libx264", "mpeg4")


def test_reel_without_audio(tmp_path):
    src = tmp_path / "silent.mp4"
    media.build_video(src, [media.Part(8, title="Silent")], with_audio=False)
    reel = make_reel(src, [(1.0, 3.0), (5.0, 7.5)], tmp_path / "r.mp4", max_height=180)
    seconds, has_audio, _ = probe(reel.path)
    assert abs(seconds - 4.5) < 0.2 and not has_audio and reel.height == 180


def test_highlights_cli_writes_reel(outdir, video, video_recap, tmp_path, capsys, monkeypatch):
    from vidrecap.moments import loading

    saved = dataclasses.replace(video_recap, directory=str(outdir))
    monkeypatch.setattr(loading, "load_recap", lambda d: saved)
    reel = tmp_path / "reel.mp4"
    rc = main(["highlights", str(outdir), "--reel", str(reel), "--seconds", "12"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "reel:" in out and abs(probe(reel)[0] - 12) <= 2
    data = json.loads((outdir / "highlights.json").read_text())
    assert data["reel"]["has_audio"] and len(data["saliency"]) == len(video_recap.cells)
    rc = main(["highlights", str(outdir), "--reel", str(reel), "--source", "/no/video.mp4"])
    assert rc != 0 and "not found" in capsys.readouterr().err


def test_xsum_picks_15_percent_with_key_frames(video, video_recap, encoder, tmp_path):
    result = xsum(video_recap, tmp_path, encoder=encoder)
    n = len(video_recap.cells)
    assert len(result.clips) == int(np.ceil(0.15 * n))
    assert [c.start for c in result.clips] == sorted(c.start for c in result.clips)
    assert result.vt_score is not None and -1 <= result.vt_score <= 1
    from PIL import Image

    for clip in result.clips:
        assert clip.frame and clip.frame.endswith(".jpg")
        with Image.open(tmp_path / clip.frame) as im:
            assert im.format == "JPEG" and im.size == (media.W, media.H)
    data = json.loads((tmp_path / "xsum.json").read_text())
    assert data["vt_score"] == result.vt_score and len(data["clips"]) == len(result.clips)


def test_xsum_cli(outdir, capsys):
    rc = main(["xsum", str(outdir), "--fraction", "0.1"])
    out, err = capsys.readouterr()
    assert rc == 0, err and "VT-score" in out
    data = json.loads((outdir / "xsum.json").read_text())
    assert len(data["clips"]) == int(np.ceil(0.1 * len(data["relevance"])))
    rc = main(["xsum", str(outdir), "--fraction", "2"])
    assert rc != 0 and "fraction" in capsys.readouterr().err
