"""`vidrecap run --follow` on a live stream: how long after content arrives its caption and its
chapter appear in OUT/recap.json, and the CPU share the follower takes while it waits for content.

A generated talk (slides, footage, espeak narration; --seconds long) is remuxed in real time into a
growing MPEG-TS file (``--source file``) or an HLS playlist served on 127.0.0.1 (``--source hls``),
the way ``ffmpeg -re -c copy`` would. A reader thread polls recap.json as a page would.

    python benchmarks/live.py [--seconds 40] [--source file|hls] [--cadence 5] [--workdir DIR]

Prints: caption delay (p50/max over clips: first recap.json holding a clip's caption minus the
wall time its last frame was written), chapter delay (for each closed chapter of the final recap:
first recap.json with that chapter's end minus the time its last frame arrived), rounds, CPU
seconds / wall seconds of the follower process over the stream, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.media import Part, build_video  # noqa: E402
from tests.streams import hls_options, serve_directory, start_paced  # noqa: E402

SCRIPT = [
    ("Cycling in the City", None, "Riding a bicycle to work is cheaper than driving and often faster."),
    (None, "bikes", "A man in a suit rides past a line of cars stuck in the morning traffic."),
    ("Cooking Pasta", None, "Boil plenty of salted water, add the spaghetti and stir for eight minutes."),
    (None, "vtest", "Pedestrians cross the square while shop keepers open their doors."),
    ("Saving Energy", None, "Turning the heating down by one degree saves about six percent."),
]


def talk(path: Path, seconds: float) -> None:
    parts, per = [], 10.0
    for k in range(max(1, int(round(seconds / per)))):
        title, footage, say = SCRIPT[k % len(SCRIPT)]
        parts.append(Part(per, footage=footage, title=title or "", body="", say=say))
    build_video(path, parts)


class Reader(threading.Thread):
    """First wall time each clip end / chapter end shows up in recap.json."""

    def __init__(self, out: Path):
        super().__init__(daemon=True)
        self.out, self.stop = out, threading.Event()
        self.clip_seen: dict[float, float] = {}
        self.chapter_seen: dict[float, float] = {}

    def run(self) -> None:
        last = None
        while not self.stop.is_set():
            try:
                stat = (self.out / "recap.json").stat().st_mtime_ns
                if stat != last:
                    last, now = stat, time.time()
                    recap = json.loads((self.out / "recap.json").read_text())
                    for c in recap["clips"]:
                        self.clip_seen.setdefault(round(c["end"], 2), now)
                    for s in recap["segments"][:-1]:  # the last chapter is still open
                        self.chapter_seen.setdefault(round(s["end"], 2), now)
            except (OSError, ValueError):
                pass
            time.sleep(0.1)


def arrival(arrivals: dict[float, float], t: float) -> float:
    """Wall time the frame at media time ``t`` (or the last before it) was written."""
    before = [a for a in arrivals if a <= t + 1e-3]
    return arrivals[max(before)] if before else min(arrivals.values())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=40)
    p.add_argument("--source", choices=("file", "hls"), default="file")
    p.add_argument("--cadence", type=float, default=5.0)
    p.add_argument("--workdir", type=Path)
    args = p.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="vidrecap-live-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("VIDRECAP_CACHE", str(work / "cache"))
    from vidrecap.pipeline.follow import follow

    video = work / f"talk-{int(args.seconds)}.mp4"
    if not video.exists():
        talk(video, args.seconds)
    out, arrivals = work / f"out-{time.time_ns()}", {}
    reader = Reader(out)
    reader.start()
    if args.source == "file":
        target = work / f"growing-{time.time_ns()}.ts"
        writer = start_paced(video, target, arrivals=arrivals)
        while not target.exists():
            time.sleep(0.05)
        source, server = str(target), None
    else:
        site = work / f"site-{time.time_ns()}"
        site.mkdir()
        writer = start_paced(video, site / "live.m3u8", fmt="hls", options=hls_options(2.0), arrivals=arrivals)
        base, server = serve_directory(site)
        while not (site / "live.m3u8").exists():
            time.sleep(0.05)
        source = f"{base}/live.m3u8"
    cpu0, wall0 = time.process_time(), time.time()
    result = follow(source, out, cadence=args.cadence, grace=5.0, segment_seconds=20)
    cpu, wall = time.process_time() - cpu0, time.time() - wall0
    reader.stop.set()
    reader.join()
    writer.join()
    if server is not None:
        server.shutdown()
    final = json.loads((out / "recap.json").read_text())
    caption = sorted(reader.clip_seen[round(c["end"], 2)] - arrival(arrivals, c["end"])
                     for c in final["clips"] if round(c["end"], 2) in reader.clip_seen)
    chapter = sorted(reader.chapter_seen[round(s["end"], 2)] - arrival(arrivals, s["end"])
                     for s in final["segments"][:-1] if round(s["end"], 2) in reader.chapter_seen)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"source={args.source} stream={args.seconds:.0f}s cadence={args.cadence:g}s rounds={result.rounds} "
          f"status={result.status}")
    for name, d in (("caption delay", caption), ("chapter delay", chapter)):
        if d:
            print(f"{name}: p50 {d[len(d) // 2]:.1f} s, max {d[-1]:.1f} s over {len(d)}")
        else:
            print(f"{name}: none closed during the stream")
    print(f"follower: wall {wall:.1f} s, CPU {cpu:.1f} s, CPU share {cpu / wall:.2f} cores, "
          f"wall after the stream ended {wall - (max(arrivals.values()) - wall0):.1f} s, peak RSS {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
