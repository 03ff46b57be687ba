"""A run killed (kill -9) at several points and resumed writes the same recap as an uninterrupted one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import vidrecap


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


def _run_until(video: Path, out: Path, cache: Path, reached) -> bool:
    """Run a recap in a subprocess; kill -9 it once ``reached()``; True if it was killed mid-way."""
    code = f"import vidrecap; vidrecap.recap({str(video)!r}, {str(out)!r}, segment_seconds=24)"
    proc = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "VIDRECAP_CACHE": str(cache)},
                            start_new_session=True)
    deadline = time.time() + 300
    while proc.poll() is None and time.time() < deadline and not reached():
        time.sleep(0.05)
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return killed


def _comparable(recap_json: Path) -> dict:
    data = json.loads(recap_json.read_text())
    data["video"].pop("path", None)
    data.pop("timings", None)  # where this run's time went: differs between any two runs
    return data


def test_killed_and_resumed_run_writes_the_same_recap(talk_video, talk_recap, tmp_path, monkeypatch):
    cache, out = tmp_path / "cache", tmp_path / "resumed"
    video = talk_video[0]

    def visual_rows(n):
        return lambda: len(_journal_rows(cache, "visual")) >= n

    kills = [
        visual_rows(13),  # mid-batch, after one checkpoint: the unfinished batch is redone
        visual_rows(30),
        lambda: any(cache.glob("*/captions-*.jsonl")),  # evidence done, clip captions under way
    ]
    killed = 0
    for reached in kills:
        if _run_until(video, out, cache, reached):
            killed += 1
            assert not (out / "recap.json").exists()
        else:  # finished before the kill point: start the output over
            (out / "recap.json").unlink()
    assert killed >= 2, "the runs should have been killed mid-way"
    cells = [r["cell"] for r in _journal_rows(cache, "visual") if r["cell"] >= 0]
    assert len(cells) < 2 * len(set(cells))  # a kill redoes at most the unfinished batch

    monkeypatch.setenv("VIDRECAP_CACHE", str(cache))
    vidrecap.recap(video, out, segment_seconds=24)
    assert _comparable(out / "recap.json") == _comparable(Path(talk_recap.directory) / "recap.json")
    speech = _journal_rows(cache, "speech")
    assert speech[-1].get("final") and all(r["until"] is None or r["until"] <= talk_recap.video.duration
                                           for r in speech)
