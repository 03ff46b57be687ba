"""Bad and unusual inputs: one clear error line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import vidrecap
from tests.media import footage, speech
from vidrecap.cli import main


def _write_video(path: Path, w: int, h: int, n: int, rate: int = 10, codec: str = "libx264",
                 rotation: int | None = None, pts_step=None) -> Path:
    import av

    with av.open(str(path), "w") as out:
        s = out.add_stream(codec, rate=rate)
        s.width, s.height, s.pix_fmt = w, h, "yuv420p" if codec != "mjpeg" else "yuvj420p"
        s.codec_context.time_base = Fraction(1, rate * 10)
        if rotation is not None:
            s.set_display_rotation(rotation)
        pts = 0
        for i in range(n):
            a = np.zeros((h, w, 3), np.uint8)
            a[:, : w // 2] = 255
            a[: h // 4] = (i * 7) % 255
            f = av.VideoFrame.from_ndarray(a, format="rgb24")
            f.pts, f.time_base = pts, Fraction(1, rate * 10)
            pts += pts_step(i) if pts_step else 10
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    return path


def _run_cli(capsys, *args: str) -> tuple[int, str]:
    rc = main(["run", *args, "-q"])
    err = capsys.readouterr().err
    return rc, err


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, talk_video):
    d = tmp_path_factory.mktemp("bad")
    (d / "no-videos").mkdir()
    (d / "no-videos" / "readme.txt").write_text("nothing to see")
    (d / "empty.mp4").write_bytes(b"")
    (d / "notes.mp4").write_text("this is not a video\n" * 100)
    data = talk_video[0].read_bytes()
    (d / "truncated.mp4").write_bytes(data[: len(data) // 3])  # mp4 index is at the end: unreadable
    (d / "noise.mkv").write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    _write_video(d / "huge.avi", 8200, 8200, 1, rate=1, codec="mjpeg")
    from PIL import Image

    Image.new("RGB", (64, 64), "red").save(d / "still.png")
    return {
        "missing": (d / "nope.mp4", "no such file"),
        "directory": (d / "no-videos", "no video or audio files found"),
        "empty": (d / "empty.mp4", "empty file"),
        "text": (d / "notes.mp4", "not a media file"),
        "truncated": (d / "truncated.mp4", "not a media file"),
        "noise": (d / "noise.mkv", "not a media file"),
        "huge": (d / "huge.avi", "larger than supported"),
        "still image": (d / "still.png", "zero-length"),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "text", "truncated", "noise", "huge",
                                  "still image"])
def test_bad_input_gives_one_clear_line(case, bad_inputs, capsys, tmp_path):
    path, expected = bad_inputs[case]
    rc, err = _run_cli(capsys, str(path), "-o", str(tmp_path / "out"))
    assert rc != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vidrecap: error:"), err
    assert expected in lines[0]
    assert "Traceback" not in err


def test_unwritable_output_dir(talk_video, capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    rc, err = _run_cli(capsys, str(talk_video[0]), "-o", str(blocker / "out"))
    assert rc != 0 and "not writable" in err and len(err.strip().splitlines()) == 1


def test_bad_options_are_refused(talk_video, capsys, tmp_path):
    rc, err = _run_cli(capsys, str(talk_video[0]), "-o", str(tmp_path), "--segment-seconds", "1")
    assert rc == 2 and "segment_seconds" in err
    rc, err = _run_cli(capsys, str(talk_video[0]), "-o", str(tmp_path), "--writer", "nonsense")
    assert rc != 0 and "no writer backend named 'nonsense'" in err


def test_cli_subprocess_has_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "vidrecap", "run", str(tmp_path / "missing.mov"), "-q"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"vidrecap: error: {tmp_path / 'missing.mov'}: no such file"


def test_audio_only_file(tmp_path):
    import av

    path = tmp_path / "voice.m4a"
    # 45 s of silence, then speech: faster-whisper's own VAD filter is known to shift words after
    # long silences; our windows carry absolute offsets, so the words must start at ~45 s
    voice = speech("The library opens at nine in the morning.")
    audio = np.concatenate([np.zeros(16000 * 45, np.float32), voice, np.zeros(16000 * 20, np.float32), voice])
    with av.open(str(path), "w") as out:
        s = out.add_stream("aac", rate=16000, layout="mono")
        for i in range(0, audio.size, 1024):
            f = av.AudioFrame.from_ndarray(audio[i:i + 1024].reshape(1, -1).copy(), format="flt", layout="mono")
            f.sample_rate, f.pts, f.time_base = 16000, i, Fraction(1, 16000)
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    r = vidrecap.recap(path, tmp_path / "out")
    assert not r.video.has_video and "library" in r.transcript.text.lower()
    first, second = r.transcript.segments[0], r.transcript.segments[-1]
    assert 44.0 <= first.start <= 46.5 and first.words[0].start >= 44.0
    gap_end = 45 + voice.size / 16000 + 20
    assert gap_end - 1.0 <= second.start <= gap_end + 1.5
    assert int(second.words[-1].end // 4) == int((gap_end + voice.size / 16000 - 0.3) // 4)
    assert all(c.frame is None and not c.tags for c in r.cells)
    assert "library" in r.summary.text.lower()


def test_video_without_audio_and_odd_frame_rate(tmp_path):
    # vtest.avi: real 80 s street footage, 10 fps, MS-MPEG4, no audio; trim to keep the test fast
    import av

    src, path = footage("vtest"), tmp_path / "street.mkv"
    with av.open(str(src)) as inp, av.open(str(path), "w") as out:
        s = out.add_stream("mpeg4", rate=Fraction(30000, 1001))
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        for i, frame in enumerate(inp.decode(video=0)):
            if i >= 200:
                break
            f = av.VideoFrame.from_ndarray(frame.to_ndarray(width=320, height=240, format="rgb24"), format="rgb24")
            f.pts = i * 3  # 1/10 s per frame on a 30000/1001 time base: odd rate, real timestamps
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    r = vidrecap.recap(path, tmp_path / "out")
    assert not r.video.has_audio and r.transcript.segments == []
    assert r.video.duration == pytest.approx(20.0, abs=1.5)
    assert len(r.cells) == pytest.approx(10, abs=1) and all(c.frame for c in r.cells[:9])


def test_variable_frame_rate_and_rotation(tmp_path):
    steps = [3, 17, 5, 40, 10]  # uneven frame durations (×0.01 s)
    path = _write_video(tmp_path / "vfr.mp4", 162, 98, 60, rotation=90, pts_step=lambda i: steps[i % 5])
    r = vidrecap.recap(path, tmp_path / "out", asr="none")
    assert r.video.rotation == 90
    from PIL import Image

    with Image.open(Path(r.directory) / r.cells[0].frame) as im:
        w, h = im.size
    assert h > w  # shown upright: the 90° display rotation was applied
    assert len(r.cells) == r.video.n_cells and all(c.frame for c in r.cells[:-1])


def test_audio_with_a_damaged_packet_still_decodes():
    """opencv-doc's Megamind.avi (real trailer footage): its first AC-3 packet of 353 does not decode.
    The audio used to end the run ('audio stream cannot be decoded'); the packet is now skipped."""
    from vidrecap.media.audio import SAMPLE_RATE, iter_audio_blocks

    blocks = list(iter_audio_blocks(str(footage("megamind")), block_seconds=4.0))
    assert blocks[0][0] < 0.1  # the first decoded frame's own time: 32 ms
    assert [round(t - blocks[0][0], 3) for t, _ in blocks] == [4.0 * i for i in range(len(blocks))]
    audio = np.concatenate([b for _, b in blocks])
    assert 10.5 < audio.size / SAMPLE_RATE < 11.5  # 11.26 s of sound
    assert float(np.sqrt(np.mean(audio**2))) > 0.01  # the trailer's sound, not silence
