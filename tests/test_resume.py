"""A run killed mid-way resumes without redoing finished work."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import vidrecap
from vidrecap import registry


def _journal_rows(cache: Path, stage: str) -> list[dict]:
    files = list(cache.glob(f"*/{stage}-*/journal.jsonl"))
    if not files:
        return []
    rows = []
    for line in files[0].read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except ValueError:
            break
    return rows


def _counting(monkeypatch) -> dict[str, int]:
    counts = {"tagged_frames": 0, "asr_seconds": 0.0}
    real_create = registry.create

    def create(role, spec, **kw):
        backend = real_create(role, spec, **kw)
        if role == "tagger":
            tag = backend.tag

            def counted_tag(images):
                counts["tagged_frames"] += len(images)
                return tag(images)

            backend.tag = counted_tag
        if role == "asr":
            transcribe = backend.transcribe

            def counted(audio, offset):
                counts["asr_seconds"] += audio.size / 16000
                return transcribe(audio, offset)

            backend.transcribe = counted
        return backend

    monkeypatch.setattr(registry, "create", create)
    return counts


def test_killed_run_resumes_without_redoing_work(talk_video, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("VIDRECAP_CACHE", str(cache))
    video = talk_video[0]
    code = f"import vidrecap; vidrecap.recap({str(video)!r}, {str(tmp_path / 'first')!r})"
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "VIDRECAP_CACHE": str(cache)},
                            start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline and len(_journal_rows(cache, "visual")) < 12:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    visual_before = [r["cell"] for r in _journal_rows(cache, "visual")]
    speech_before = _journal_rows(cache, "speech")
    assert 12 <= len(visual_before) < 36, "the run should have been killed mid-way"
    assert not (tmp_path / "first" / "recap.json").exists()

    counts = _counting(monkeypatch)
    recap = vidrecap.recap(video, tmp_path / "second")

    visual_after = [r["cell"] for r in _journal_rows(cache, "visual")]
    assert visual_after[: len(visual_before)] == visual_before
    real_cells = [c for c in visual_after if c >= 0]
    assert real_cells == list(range(len(recap.cells)))  # every cell exactly once: nothing redone
    assert counts["tagged_frames"] <= len(recap.cells) - len(visual_before) + 6  # + scene-cut frames
    speech_after = _journal_rows(cache, "speech")
    assert speech_after[: len(speech_before)] == speech_before
    untils = [r["until"] for r in speech_after]
    assert untils == sorted(untils)
    done_until = speech_before[-1]["until"] if speech_before else 0.0
    assert counts["asr_seconds"] <= recap.video.duration - done_until + 1.0
    texts = [s.text for s in recap.transcript.segments]
    assert len(texts) == len(set(texts))  # no utterance transcribed twice
    assert "spaghetti" in recap.transcript.text.lower()
