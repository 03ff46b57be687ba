"""``vidrecap run --follow``: a growing MPEG-TS file and a live HLS playlist served over HTTP, each
written by ``ffmpeg -re -c copy`` from a generated 30 s talk. Outputs are readable while
the stream runs, the run stops by itself at the end, and the final recap equals a normal run over the
recording."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from tests.media import Part, build_video
from tests.streams import Stream, serve_directory, wait_for
from vidrecap.errors import InputError
from vidrecap.pipeline.follow import _truncate, follow

PARTS = [
    Part(10, title="Cycling in the City", body="Part one: commuting by bike",
         say="Welcome. Today we look at cycling in the city and why people ride to work."),
    Part(10, footage="bikes", say="A man in a suit rides his bike past a line of cars in traffic."),
    Part(10, title="Cooking Pasta", body="Part two: dinner in ten minutes",
         say="Now something different. Boil water, add salt, and cook the spaghetti."),
]


@pytest.fixture(scope="module")
def talk(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("live") / "talk.mp4"
    build_video(path, PARTS)
    return path


class Watcher(threading.Thread):
    """Reads OUT/recap.json and live.json while the run goes on, as a reader would."""

    def __init__(self, out: Path):
        super().__init__(daemon=True)
        self.out, self.seen, self.stop = out, [], threading.Event()

    def run(self) -> None:
        while True:
            done = self.stop.is_set()  # one last read after the run returned: its final state
            for name in ("recap.json", "live.json"):
                try:
                    text = (self.out / name).read_text(encoding="utf-8")
                except FileNotFoundError:
                    continue
                self.seen.append((name, json.loads(text)))  # a torn file would raise here
            if done:
                return
            time.sleep(0.2)


def _followed(source: str, out: Path, writer: Stream):
    watcher = Watcher(out)
    watcher.start()
    result = follow(source, out, cadence=1.0, grace=4.0, stall=3.0, segment_seconds=20)
    watcher.stop.set()
    watcher.join()
    assert not writer.is_alive(), "the run stopped before the stream ended"
    assert writer.wait() == 0, writer.process.stderr.read().decode()
    return result, watcher.seen


def _normal(recording: Path, out: Path) -> dict:
    import vidrecap

    vidrecap.recap(recording, out, segment_seconds=20)
    return json.loads((out / "recap.json").read_text())


def _same_recap(followed: dict, normal: dict) -> None:
    spans = [(s["start"], s["end"]) for s in followed["segments"]]
    assert spans == [(s["start"], s["end"]) for s in normal["segments"]]
    assert [s["title"] for s in followed["segments"]] == [s["title"] for s in normal["segments"]]
    assert [c["text"] for c in followed["clips"]] == [c["text"] for c in normal["clips"]]
    assert followed["transcript"] == normal["transcript"]
    assert followed["cells"] == normal["cells"]  # every expert's evidence, key frames included
    assert followed["summary"]["text"] == normal["summary"]["text"]
    assert followed["video"]["fingerprint"] == normal["video"]["fingerprint"]


def _check_live_run(seen: list, final_duration: float) -> None:
    recaps = [body for name, body in seen if name == "recap.json"]
    states = [body for name, body in seen if name == "live.json"]
    assert any(r["video"]["duration"] < final_duration - 2 for r in recaps), "no recap while the stream ran"
    assert any(s["live"] for s in states) and not states[-1]["live"]
    assert states[-1]["status"] == "ended" and states[-1]["rounds"] >= 2


def test_follow_a_growing_file(talk, tmp_path):
    growing = tmp_path / "recording.ts"
    writer = Stream(talk, growing)
    try:
        wait_for(growing)
        result, seen = _followed(str(growing), tmp_path / "out", writer)
    finally:
        writer.close()
    final = json.loads((tmp_path / "out" / "recap.json").read_text())
    assert result.status == "ended" and final["video"]["duration"] > 29
    _check_live_run(seen, final["video"]["duration"])
    _same_recap(final, _normal(growing, tmp_path / "normal"))


def test_follow_a_live_hls_stream_over_http(talk, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    writer = Stream(talk, site / "live.m3u8", fmt="hls")
    base, server = serve_directory(site)
    try:
        wait_for(site / "live.m3u8")
        result, seen = _followed(f"{base}/live.m3u8", tmp_path / "out", writer)
    finally:
        server.shutdown()
        writer.close()
    assert "#EXT-X-ENDLIST" in (site / "live.m3u8").read_text()
    final = json.loads((tmp_path / "out" / "recap.json").read_text())
    assert result.status == "ended" and final["video"]["duration"] > 28
    _check_live_run(seen, final["video"]["duration"])
    _same_recap(final, _normal(Path(result.recording), tmp_path / "normal"))


def test_an_unreachable_stream_fails_with_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="ended before any readable media"):
        follow("http://127.0.0.1:9/none.m3u8", tmp_path / "out", cadence=0.2, grace=0.5, stall=0.5)
    assert json.loads((tmp_path / "out" / "live.json").read_text())["status"] == "failed"


def test_roll_back_keeps_only_units_well_inside_the_prefix(tmp_path):
    journal = tmp_path / "journal.jsonl"
    rows = [{"cell": c, **({"state": {}} if c % 4 == 3 else {})} for c in range(12)] + [{"cell": -1}]
    journal.write_text("".join(json.dumps(r) + "\n" for r in rows))
    _truncate(journal, "visual", 17.0)  # cells end at 2 s steps: 0..7 end by 16 s; a batch ends at cell 7
    assert [json.loads(line)["cell"] for line in journal.read_text().splitlines()] == list(range(8))
    speech = tmp_path / "speech.jsonl"
    windows = [{"until": 10, "next": 12}, {"until": 30, "next": 31}, {"until": None, "final": True}]
    speech.write_text("".join(json.dumps(w) + "\n" for w in windows))
    _truncate(speech, "speech", 20.0)
    assert [json.loads(line)["next"] for line in speech.read_text().splitlines()] == [12]


def test_cli_follow_of_a_missing_file_is_one_clear_line(tmp_path, capsys):
    from vidrecap.cli import main

    assert main(["run", str(tmp_path / "missing.ts"), "--follow", "-o", str(tmp_path / "o"), "-q"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file" in err[0] and "Traceback" not in err[0]
    assert main(["run", str(tmp_path / "missing.ts"), "--follow", "--cadence", "0", "-q"]) != 0


def test_memo_backends_send_only_new_inputs_to_the_models():
    """A round's repeated texts, clips and write requests are answered from memory; answers equal
    the model's own."""
    from vidrecap.backends.base import ClipEvidence
    from vidrecap.pipeline.live_memo import MemoBackends
    from vidrecap.pipeline.options import RunOptions

    backends = MemoBackends(RunOptions.resolve(None, None))
    encoder, captioner = backends.get("encoder"), backends.get("captioner")
    calls: list[list[str]] = []
    inner = encoder._inner.embed_text
    encoder._inner.embed_text = lambda texts: (calls.append(list(texts)), inner(texts))[1]
    first = encoder.embed_text(["cycling to work", "boiling pasta"])
    again = encoder.embed_text(["boiling pasta", "saving energy", "cycling to work"])
    assert calls == [["boiling pasta", "cycling to work"], ["saving energy"]]
    assert (again[0] == first[1]).all() and (again[2] == first[0]).all()
    direct = inner(["saving energy"])[0]
    assert abs(float(again[1] @ direct) / float(direct @ direct)) > 0.999
    clips = [ClipEvidence(0, 0.0, 4.0, speech="Welcome to the talk."), ClipEvidence(1, 4.0, 8.0, speech="Bikes.")]
    assert captioner.caption(clips) == captioner._inner.caption(clips)
    grown = [clips[0], ClipEvidence(1, 4.0, 8.0, speech="Bikes in traffic.")]  # the open clip got more words
    captioner._inner.caption = lambda batch: [f"new {c.index}" for c in batch]
    assert captioner.caption(grown)[1] == "new 1" and captioner.caption(grown)[0] != "new 0"


def test_a_growing_file_that_pauses_shows_stalled_then_recording_then_ended(tmp_path):
    from vidrecap.media.live import GrowingFile

    path = tmp_path / "rec.ts"
    path.write_bytes(b"\0" * 188)
    watcher = GrowingFile(path, grace_seconds=1.5, stall_seconds=0.5)
    states = [watcher.poll().state]
    time.sleep(0.8)  # the writer pauses: stalled, not ended
    states.append(watcher.poll().state)
    with open(path, "ab") as fh:
        fh.write(b"\0" * 188)
    states.append(watcher.poll().state)  # it grew again
    time.sleep(1.7)
    final = watcher.poll()
    assert states == ["recording", "stalled", "recording"] and final.state == "ended" and final.done


def test_an_http_outage_shows_and_loses_no_media(talk, tmp_path):
    """The HTTP server answers 503 for 3 s while ``ffmpeg -re`` keeps writing the HLS playlist: the
    state shows the outage, and the recording holds every packet exactly once."""
    import av

    from vidrecap.media.live import Recorder

    site = tmp_path / "site"
    site.mkdir()
    writer = Stream(talk, site / "live.m3u8", fmt="hls")
    base, server = serve_directory(site, outage := threading.Event())
    recorder = Recorder(f"{base}/live.m3u8", tmp_path / "rec.ts", stall_seconds=1.0, give_up_seconds=30)
    states = []
    try:
        wait_for(site / "live.m3u8")
        recorder.start()
        deadline = time.monotonic() + 120
        while not recorder.status.done and time.monotonic() < deadline:
            states.append(recorder.poll().state)
            elapsed = time.time() - writer.started
            (outage.set if 10 < elapsed < 13 else outage.clear)()
            time.sleep(0.1)
    finally:
        server.shutdown()
        writer.close()
    assert recorder.status.state == "ended"  # FFmpeg's HLS reader may ride out the outage itself
    assert "recording" in states and {"stalled", "reconnecting"} & set(states)  # the outage showed

    def video_packets(path):
        with av.open(str(path)) as c:
            return sorted(p.pts for p in c.demux(c.streams.video[0]) if p.pts is not None and p.size)

    recorded, source = video_packets(tmp_path / "rec.ts"), video_packets(talk)
    assert len(recorded) == len(source) and len(set(recorded)) == len(recorded)
