"""Per-stage timings (wall, CPU, peak RSS, what ran alongside) and the --device check."""

from __future__ import annotations

import copy
import json
import threading
import time
from pathlib import Path

import pytest

from vidrecap.cli import main
from vidrecap.outputs.store import load_recap, save_recap
from vidrecap.pipeline.device import check_device, cuda_devices
from vidrecap.pipeline.timings import StageClock
from vidrecap.results import RunTimings


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        sum(range(1000))


def test_overlapping_stages_are_charged_their_own_cpu():
    with StageClock() as clock:
        threads = [threading.Thread(target=clock.run, args=(name, _spin, cpu))
                   for name, cpu in (("busy", 0.6), ("light", 0.15))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with clock.stage("alone"):
            _spin(0.3)
    result = clock.result()
    by = {s.stage: s for s in result.stages}
    assert set(by) == {"busy", "light", "alone"}
    assert by["busy"].concurrent == ["light"] and by["light"].concurrent == ["busy"]
    assert by["alone"].concurrent == []
    assert 0.5 <= by["busy"].cpu <= 0.75 and 0.1 <= by["light"].cpu <= 0.3  # not the other's CPU
    assert 0.25 <= by["alone"].cpu
    assert result.cpu >= by["busy"].cpu + by["light"].cpu + by["alone"].cpu - 0.05
    assert all(s.peak_rss_mib > 10 and s.wall >= 0 for s in result.stages)
    assert "busy" in result.table()


def test_recap_json_carries_timings_and_old_recaps_still_load(talk_recap, tmp_path):
    timings = talk_recap.timings
    stages = [s.stage for s in timings.stages]
    for name in ("probe", "visual", "speech", "embeddings", "captions", "segments", "write"):
        assert name in stages
    speech = next(s for s in timings.stages if s.stage == "speech")
    assert "visual" in speech.concurrent and speech.cpu > 0
    assert 0 < timings.peak_rss_mib and timings.wall >= max(s.start + s.wall for s in timings.stages) - 0.01
    loaded = load_recap(Path(talk_recap.directory))
    assert loaded.timings == timings
    old = tmp_path / "old"
    save_recap(copy.copy(talk_recap), old)  # a copy: saving re-points the shared fixture's directory
    data = json.loads((old / "recap.json").read_text())
    data.pop("timings")
    (old / "recap.json").write_text(json.dumps(data))
    assert load_recap(old).timings is None
    assert RunTimings.from_dict({"stages": [{"stage": "x"}]}) is None  # malformed: ignored, not fatal


def test_device_cpu_is_accepted_and_a_missing_gpu_is_one_line(tmp_path, capsys):
    assert check_device(None) == "cpu" and check_device("CPU") == "cpu"
    if cuda_devices():
        pytest.skip("this machine has a GPU")
    rc = main(["run", str(tmp_path / "any.mp4"), "-o", str(tmp_path / "out"), "--device", "cuda"])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "no CUDA GPU" in err and "Traceback" not in err
    rc = main(["run", str(tmp_path / "any.mp4"), "--device", "gpu0"])
    assert rc == 2 and "expected cpu, cuda" in capsys.readouterr().err
