"""Where a whole run's time goes, per stage, on a narrated, a slide-heavy and a footage-heavy video,
against a plain faster-whisper transcription of the same file.

    python benchmarks/stage_timings.py [--minutes 15] [--kinds narrated slides footage] [--workdir DIR]

Each video is a generated 1-minute block (tests/media.py: packaged footage, espeak-ng narration,
drawn slides) repeated by remuxing to ``--minutes``. For each it prints the run's stage table
(wall, CPU seconds, peak RSS, what ran alongside; the same figures ``recap.json`` keeps) and the
ratios whole run / plain transcription in wall and in CPU seconds (the steadier figure on a shared
machine). Each measurement runs in a fresh process with an empty stage cache; the model cache
(joined Whisper, ONNX encoder) is kept, so no measurement pays a one-time preparation.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SENTENCES = [
    "Riding a bicycle to work is cheaper than driving and often faster in heavy traffic.",
    "Pedestrians cross the square while shop keepers open their doors for the day.",
    "Boil plenty of salted water, add the spaghetti and stir it for about eight minutes.",
    "Turning down the heating by one degree saves about six percent of the energy bill.",
    "Animators draw thousands of frames, and each second of film needs twenty four of them.",
    "Insulating the roof is usually the first and most effective step for an old house.",
]
FOOTAGE = ["bikes", "vtest", "bunny", "carphone", "megamind", "tree"]


def block_parts(kind: str) -> list:
    """One minute of video of ``kind``, narrated throughout."""
    from tests.media import Part

    def say(i: int, n: int = 2) -> str:
        return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(n))

    if kind == "narrated":  # one title slide, a talk over it
        return [Part(20, title="Saving energy at home", say=say(i, 3), say_at=0.3) for i in range(3)]
    if kind == "slides":  # a new slide every 6 s
        return [Part(6, title=f"Point {i + 1}", body=SENTENCES[i % len(SENTENCES)][:40], say=say(i, 1),
                     say_at=0.2) for i in range(10)]
    if kind == "footage":  # a different real clip every 10 s
        return [Part(10, footage=FOOTAGE[i % len(FOOTAGE)], say=say(i, 1), say_at=0.5) for i in range(6)]
    raise SystemExit(f"unknown kind {kind!r}")


def video_of(kind: str, minutes: int, workdir: Path) -> Path:
    from throughput import repeat_remux

    from tests.media import build_video

    block = workdir / f"{kind}-block.mp4"
    if not block.exists():
        build_video(block, block_parts(kind))
    path = workdir / f"{kind}-{minutes}min.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        repeat_remux(block, tmp, max(1, minutes))
        tmp.replace(path)
    return path


def measure(mode: str, video: str) -> dict:
    """In a fresh process: ``plain`` faster-whisper, or the ``full`` run."""
    start, cpu0 = time.perf_counter(), _cpu()
    timings = None
    if mode == "plain":
        from faster_whisper import WhisperModel

        from vidrecap.backends.embedded import whisper_base_dir

        model = WhisperModel(str(whisper_base_dir()), device="cpu", compute_type="int8", cpu_threads=2)
        segments, _ = model.transcribe(video, beam_size=1, word_timestamps=True, temperature=[0.0],
                                       condition_on_previous_text=False)
        sum(1 for _ in segments)
    else:
        import vidrecap

        options = json.loads(os.environ.get("VIDRECAP_BENCH_OPTIONS", "{}"))  # e.g. experts off
        with tempfile.TemporaryDirectory() as tmp:
            recap = vidrecap.recap(video, Path(tmp) / "out", **options)
        timings = recap.timings.table()
    return {"mode": mode, "wall": time.perf_counter() - start, "cpu": _cpu() - cpu0,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "table": timings}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def run_child(mode: str, video: Path) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "VIDRECAP_CACHE": cache,
               "VIDRECAP_MODEL_CACHE": os.environ.get("VIDRECAP_MODEL_CACHE",
                                                      str(Path.home() / ".cache/vidrecap/models"))}
        out = subprocess.run([sys.executable, __file__, "--measure", mode, str(video)], env=env,
                             capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=15)
    ap.add_argument("--kinds", nargs="+", default=["narrated", "slides", "footage"])
    ap.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "vidrecap-bench")
    ap.add_argument("--measure", nargs=2, metavar=("MODE", "VIDEO"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    for kind in args.kinds:
        video = video_of(kind, args.minutes, args.workdir)
        load = os.getloadavg()[0]
        plain, full = run_child("plain", video), run_child("full", video)
        print(f"\n== {kind}, {args.minutes} min (load average {load:.1f} -> {os.getloadavg()[0]:.1f}) ==")
        print(full["table"])
        print(f"plain faster-whisper: wall {plain['wall']:.1f} s, CPU {plain['cpu']:.1f} s, "
              f"peak RSS {plain['peak_rss_mib']:.0f} MiB")
        print(f"whole run / plain: wall {full['wall'] / plain['wall']:.2f}, CPU {full['cpu'] / plain['cpu']:.2f}; "
              f"run peak RSS {full['peak_rss_mib']:.0f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
