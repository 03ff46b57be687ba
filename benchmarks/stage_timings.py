"""Where a whole run's time goes, per stage, on a narrated, a slide-heavy and a footage-heavy video,
against a plain faster-whisper transcription of the same file.

    python benchmarks/stage_timings.py [--minutes 15] [--kinds narrated slides footage] [--workdir DIR]
                                       [--before /other/checkout/src]

Each video is a generated 1-minute block (tests/media.py: packaged footage, espeak-ng narration,
drawn slides) repeated by remuxing to ``--minutes``. For each it prints the run's stage table
(wall, CPU seconds, peak RSS, what ran alongside; the same figures ``recap.json`` keeps) and the
ratios whole run / plain transcription in wall and in CPU seconds (the steadier figure on a shared
machine). Each measurement runs in a fresh process with an empty stage cache (``_child.py``); the
model cache (joined Whisper, ONNX encoder) is kept, so no measurement pays a one-time preparation.
With ``--before`` the same runs are also made with another checkout's sources, interleaved.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _child import Meter, answer_child, child_parser, run_child  # noqa: E402
from speech import SENTENCES  # noqa: E402

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
    meter, table = Meter(), None
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
        table = recap.timings.table()
    return {"mode": mode, **meter.figures(), "table": table}


def child(mode: str, video: Path, src: Path | None) -> dict:
    models = os.environ.get("VIDRECAP_MODEL_CACHE", str(Path.home() / ".cache/vidrecap/models"))
    env = {"VIDRECAP_MODEL_CACHE": models}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return run_child(__file__, mode, video, env)


def main() -> int:
    ap = child_parser(__doc__, [15], int)
    ap.add_argument("--kinds", nargs="+", default=["narrated", "slides", "footage"])
    ap.add_argument("--before", type=Path, help="another checkout's src/, measured too (interleaved)")
    ap.add_argument("--build-only", action="store_true", help="only build the videos")
    args = ap.parse_args()
    if answer_child(args, measure):
        return 0
    trees = {"before": args.before.resolve(), "after": ROOT / "src"} if args.before else {"after": None}
    for minutes in args.minutes:
        for kind in args.kinds:
            video = video_of(kind, minutes, args.workdir)
            if args.build_only:
                continue
            load = os.getloadavg()[0]
            plain = child("plain", video, None)
            fulls = {tree: child("full", video, src) for tree, src in trees.items()}
            print(f"\n== {kind}, {minutes} min (load average {load:.1f} -> {os.getloadavg()[0]:.1f}) ==")
            print(f"plain faster-whisper: wall {plain['wall']:.1f} s, CPU {plain['cpu']:.1f} s, "
                  f"peak RSS {plain['peak_rss_mib']:.0f} MiB")
            for tree, full in fulls.items():
                print(f"-- {tree}:\n{full['table']}")
                print(f"{tree}: whole run / plain: wall {full['wall'] / plain['wall']:.2f}, "
                      f"CPU {full['cpu'] / plain['cpu']:.2f}; run wall {full['wall']:.1f} s, "
                      f"peak RSS {full['peak_rss_mib']:.0f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
