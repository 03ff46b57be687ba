"""`vidrecap run --follow` on live streams written by the ffmpeg CLI (``ffmpeg -re -c copy``).

``delay``: a generated talk (slides, footage, espeak narration; ``--seconds`` long) streams in real
time into a growing MPEG-TS file (``--source file``) or a live HLS playlist served on 127.0.0.1
(``--source hls``). A reader thread polls recap.json as a page would. Prints the delay from a
moment of content being written (``ffmpeg -re`` writes media time t at start + t) to the first
recap.json holding the caption of the clip that ends there (p50 / p95 / max over clips), the same
for each chapter boundary of the final recap, each round's wall time, and the follower's CPU share
(its process CPU seconds / wall seconds; ffmpeg is a separate process).

``long``: a shorter generated talk looped (``-stream_loop``) into a ``--minutes`` long growing file,
fed ``--rate`` times faster than real time. Prints the follower's RSS and round wall time by
quarter of the stream, to show whether memory and per-round cost stay flat as the stream grows.

    python benchmarks/live.py delay [--seconds 120] [--source file|hls] [--cadence 5]
    python benchmarks/live.py long [--minutes 30] [--rate 8] [--loop-seconds 120] [--cadence 10] [--light]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.media import Part, build_video  # noqa: E402
from tests.streams import Stream, serve_directory, wait_for  # noqa: E402

SCRIPT = [
    ("Cycling in the City", None, "Riding a bicycle to work is cheaper than driving and often faster."),
    (None, "bikes", "A man in a suit rides past a line of cars stuck in the morning traffic."),
    ("Cooking Pasta", None, "Boil plenty of salted water, add the spaghetti and stir for eight minutes."),
    (None, "vtest", "Pedestrians cross the square while shop keepers open their doors."),
    ("Saving Energy", None, "Turning the heating down by one degree saves about six percent."),
    ("Learning Languages", None, "Ten minutes of practice every day beats one long lesson a week."),
]


LIGHT = ("ocr", "faces", "picture", "objects", "sounds")
EVIDENCE = ("visual", "speech", "sounds")
WHOLE = ("speakers", "embeddings", "captions", "segments", "write")


def talk(path: Path, seconds: float) -> None:
    parts, per = [], 10.0
    for k in range(max(1, int(round(seconds / per)))):
        title, footage, say = SCRIPT[k % len(SCRIPT)]
        parts.append(Part(per, footage=footage, title=title or "", body=f"Part {k + 1}" if title else "", say=say))
    build_video(path, parts)


class Reader(threading.Thread):
    """First wall time each clip end / chapter boundary shows up in recap.json; RSS samples."""

    def __init__(self, out: Path, verbose: bool = False):
        super().__init__(daemon=True)
        self.out, self.stop, self.verbose, self.began = out, threading.Event(), verbose, time.time()
        self.clip_seen: dict[float, float] = {}
        self.chapter_seen: dict[float, float] = {}
        self.rss: list[tuple[float, float]] = []  # (media seconds in recap.json, RSS MiB)
        self.stages: list[tuple[float, dict[str, float]]] = []  # each round's whole-video stage walls

    def run(self) -> None:
        last, seconds = None, 0.0
        while not self.stop.is_set():
            try:
                stat = (self.out / "recap.json").stat().st_mtime_ns
                if stat != last:
                    last, now = stat, time.time()
                    recap = json.loads((self.out / "recap.json").read_text())
                    seconds = recap["video"]["duration"]
                    walls = {t["stage"]: t["wall"] for t in (recap.get("timings") or {}).get("stages", [])}
                    self.stages.append((seconds, walls))
                    if self.verbose:  # a killed run still shows how far it got
                        stages = ", ".join(f"{k} {walls.get(k, 0):.2f}" for k in WHOLE)
                        print(f"  t={now - self.began:5.0f} s: recap of {seconds / 60:5.1f} min, "
                              f"RSS {rss_mib():.0f} MiB, round stages {stages}", flush=True)
                    for c in recap["clips"]:
                        self.clip_seen.setdefault(round(c["end"], 2), now)
                    for s in recap["segments"][:-1]:  # the last chapter is still open
                        self.chapter_seen.setdefault(round(s["end"], 2), now)
            except (OSError, ValueError, KeyError):
                pass
            self.rss.append((seconds, rss_mib()))
            time.sleep(0.2)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def spread(values: list[float]) -> str:
    if not values:
        return "none"
    return f"p50 {pct(values, 0.5):.1f} s, p95 {pct(values, 0.95):.1f} s, max {max(values):.1f} s over {len(values)}"


def follow_stream(work: Path, stream: Stream, source: str, cadence: float, verbose: bool = False, **kwargs):
    from vidrecap.pipeline.follow import follow

    out = work / f"out-{time.time_ns()}"
    reader = Reader(out, verbose)
    reader.start()
    cpu0, wall0 = time.process_time(), time.time()
    result = follow(source, out, cadence=cadence, grace=5.0, **kwargs)
    cpu, wall = time.process_time() - cpu0, time.time() - wall0
    reader.stop.set()
    reader.join()
    stream.wait()
    return result, reader, out, cpu, wall, wall0


def delay(args, work: Path) -> None:
    video = work / f"talk-{int(args.seconds)}.mp4"
    if not video.exists():
        talk(video, args.seconds)
    server = None
    if args.source == "file":
        target = work / f"growing-{time.time_ns()}.ts"
        stream = Stream(video, target)
        wait_for(target)
        source = str(target)
    else:
        site = work / f"site-{time.time_ns()}"
        site.mkdir()
        stream = Stream(video, site / "live.m3u8", fmt="hls")
        base, server = serve_directory(site)
        wait_for(site / "live.m3u8")
        source = f"{base}/live.m3u8"
    result, reader, out, cpu, wall, wall0 = follow_stream(work, stream, source, args.cadence, segment_seconds=30)
    if server is not None:
        server.shutdown()
    final = json.loads((out / "recap.json").read_text())
    ended = stream.arrival(final["video"]["duration"])
    caption = [reader.clip_seen[round(c["end"], 2)] - stream.arrival(c["end"])
               for c in final["clips"] if round(c["end"], 2) in reader.clip_seen]
    chapter = [reader.chapter_seen[round(s["end"], 2)] - stream.arrival(s["end"])
               for s in final["segments"][:-1] if round(s["end"], 2) in reader.chapter_seen]
    live_cpu = cpu  # CPU of the whole follow; the share below is over the stream's real-time span
    print(f"source={args.source} stream={final['video']['duration']:.0f}s cadence={args.cadence:g}s "
          f"rounds={result.rounds} status={result.status} chapters={len(final['segments'])}")
    print(f"caption delay: {spread(caption)}")
    print(f"chapter delay: {spread(chapter)}")
    print(f"round wall: {spread(result.round_seconds)}")
    walls = [w for _, w in reader.stages]
    print("round stage wall p50 s: " + ", ".join(f"{k} {pct([w.get(k, 0.0) for w in walls], 0.5):.2f}"
                                                 for k in (*EVIDENCE, *WHOLE)))
    print(f"follower: wall {wall:.1f} s (stream {ended - wall0:.1f} s + {wall - (ended - wall0):.1f} s after its "
          f"end), CPU {live_cpu:.1f} s, CPU share {live_cpu / wall:.2f} cores, "
          f"peak RSS {max(r for _, r in reader.rss):.0f} MiB")


def long(args, work: Path) -> None:
    video = work / f"talk-{int(args.loop_seconds)}.mp4"
    if not video.exists():
        talk(video, args.loop_seconds)
    loops = max(0, int(round(args.minutes * 60 / args.loop_seconds)) - 1)
    target = work / f"long-{time.time_ns()}.ts"
    stream = Stream(video, target, rate=args.rate, loops=loops)
    wait_for(target)
    light = {role: "none" for role in LIGHT} if args.light else {}
    result, reader, out, cpu, wall, _ = follow_stream(work, stream, str(target), args.cadence, True, **light)
    total = json.loads((out / "recap.json").read_text())["video"]["duration"]
    print(f"long: {total / 60:.1f} min stream fed at {args.rate:g}x, cadence {args.cadence:g}s, "
          f"rounds {result.rounds}, "
          f"wall {wall:.0f} s, CPU share {cpu / wall:.2f} cores")
    took, n = result.round_seconds, len(result.round_seconds)
    for q in range(4):
        lo, hi = q * total / 4, (q + 1) * total / 4
        rss = [r for s, r in reader.rss if lo < s <= hi] or [0.0]
        rounds = took[q * n // 4:(q + 1) * n // 4] or [0.0]
        walls = [w for s, w in reader.stages if lo < s <= hi]
        per = ", ".join(f"{k} {pct([w.get(k, 0.0) for w in walls], 0.5):.2f}" for k in WHOLE) if walls else ""
        print(f"  stream {lo / 60:4.1f}-{hi / 60:4.1f} min: RSS max {max(rss):.0f} MiB, "
              f"round wall p50 {pct(rounds, 0.5):.1f} s max {max(rounds):.1f} s; stage p50 s: {per}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("delay", "long"))
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--source", choices=("file", "hls"), default="file")
    p.add_argument("--cadence", type=float, default=5.0)
    p.add_argument("--minutes", type=float, default=30)
    p.add_argument("--rate", type=float, default=8.0)
    p.add_argument("--loop-seconds", type=float, default=120)
    p.add_argument("--light", action="store_true",
                   help=f"long: no {', '.join(LIGHT)} experts (speech, speakers, tags, captions and chapters stay)")
    p.add_argument("--workdir", type=Path)
    args = p.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="vidrecap-live-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("VIDRECAP_CACHE", str(work / "cache"))
    delay(args, work) if args.mode == "delay" else long(args, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
