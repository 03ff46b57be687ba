"""``vidrecap run VIDEO [-o OUT]``: the main job."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import InputError
from ..library.stores import db_errors, is_url, mask
from ..registry import PIPELINE_ROLES
from .batch import BatchItem, run_batch
from .device import check_device
from .options import RunOptions
from .run import run_recap


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video or audio file, or a directory of them (batch)")
    p.add_argument("-o", "--out", help="output directory (default: VIDEO's name + .recap)")
    p.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS",
                   help="batch on a Ray cluster (ADDRESS, or a local one when omitted)")
    p.add_argument("--library", metavar="ROOT",
                   help="batch: the library every finished recap joins (default: OUT itself); a "
                        "postgresql://USER@HOST/DB URL for one shared by many machines (docs/library.md)")
    p.add_argument("--cpus-per-video", type=float, default=2.0, help="Ray CPUs per video (default 2)")
    for role in PIPELINE_ROLES:
        p.add_argument(f"--{role}", metavar="SPEC", help=f"{role} backend (default: embedded)"
                       + ("; whisper:small, whisper:large-v3 or a CTranslate2 directory" if role == "asr" else ""))
    p.add_argument("--profile", help="backend profile: offline (default), hf, api, gguf (see `vidrecap models`)")
    p.add_argument("--config", help="TOML file with backend specs and options (docs/backends.md)")
    p.add_argument("--language", help="speech language code (default: detect)")
    p.add_argument("--translate", action="store_true", help="write the speech in English (Whisper translate)")
    p.add_argument("--no-hotwords", action="store_true",
                   help="do not give words read on screen to the speech recogniser (default: names as shown)")
    p.add_argument("--speakers", type=int, metavar="N",
                   help="how many people speak (default: found automatically; --diarizer none: no speaker turns)")
    p.add_argument("--segment-seconds", type=float,
                   help="chapter length: a soft target, and 1.5x it a ceiling (default 180)")
    p.add_argument("--segmentation", choices=("content", "fixed"),
                   help="content: chapters follow the content (default); fixed: ~segment-seconds each (Video ReCap)")
    p.add_argument("--frame-side", type=int, help="key-frame size in pixels (default 480)")
    p.add_argument("--device", help="cpu (default), or cuda[:N]: Whisper, the tagger and the sentence encoder "
                   "on the GPU (never required; a clear error when there is none)")
    p.add_argument("--offline", action="store_true", help="never download models (HF_HUB_OFFLINE=1)")
    p.add_argument("--follow", action="store_true",
                   help="VIDEO is a live URL (HLS .m3u8, RTSP, SRT, RTMP, HTTP) or a file still being written: "
                        "recap it as it grows, until it ends (docs/live.md)")
    p.add_argument("--cadence", type=float, default=10.0, help="--follow: seconds between rounds (default 10)")
    p.add_argument("--grace", type=float, default=10.0,
                   help="--follow: seconds a file must stop growing to count as ended (default 10)")
    p.add_argument("--summary-every", type=float, default=60.0,
                   help="--follow: seconds between summary rewrites; the final round always writes it (default 60)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print where the time went: wall, CPU and peak RSS per stage (also in recap.json)")


def execute(args: argparse.Namespace) -> int:
    if args.offline:
        os.environ["HF_HUB_OFFLINE"] = "1"
    if args.out and is_url(args.out):
        raise InputError("-o is the folder the recaps are written to: name a shared library with --library URL")
    out = Path(args.out) if args.out else Path(Path(args.video).name + ".recap")
    options = {role: getattr(args, role) for role in PIPELINE_ROLES}
    options.update(language=args.language, translate=args.translate or None, speakers=args.speakers,
                   hotwords=False if args.no_hotwords else None, segment_seconds=args.segment_seconds,
                   segmentation=args.segmentation,
                   frame_side=args.frame_side, device=args.device)
    check_device(RunOptions.resolve(args.profile, args.config, **options).device)  # validate before any work
    if args.follow:
        return _execute_follow(args, out, options)
    if Path(args.video).is_dir():
        return _execute_batch(args, out, options)
    recap = run_recap(args.video, out, quiet=args.quiet, profile=args.profile, config=args.config, **options)
    if not args.quiet:
        print(f"{recap.summary.title or Path(args.video).name}\n\n{recap.summary.text}\n", file=sys.stdout)
    if args.verbose and recap.timings is not None:
        print(recap.timings.table(), file=sys.stderr)
    print(f"wrote {out}/ (recap.json, clips.vtt, segments.vtt, chapters.txt, chapters.vtt, summary.md, transcript.srt, "
          f"embeddings.npz, frames/): {_count(recap.clips, 'clip')}, {_count(recap.segments, 'segment')}",
          file=sys.stderr if args.quiet else sys.stdout)
    return 0


def _execute_follow(args: argparse.Namespace, out: Path, options: dict) -> int:
    from ..errors import InputError
    from .follow import follow

    if args.cadence <= 0 or args.grace <= 0 or args.summary_every < 0:
        raise InputError("--cadence and --grace must be positive seconds, --summary-every not negative")
    result = follow(args.video, out, cadence=args.cadence, grace=args.grace, summary_every=args.summary_every,
                    quiet=args.quiet,
                    profile=args.profile, config=args.config, **options)
    print(f"followed {args.video} for {result.seconds:.0f} s in {result.rounds} rounds ({result.status}); "
          f"wrote {out}/ (recording: {result.recording})", file=sys.stderr)
    return 0


def _execute_batch(args: argparse.Namespace, out: Path, options: dict) -> int:
    def report(item: BatchItem, done: int, total: int) -> None:
        if not args.quiet:
            status = "already in the library" if item.skipped else "ok" if item.ok else "FAILED"
            print(f"[{done}/{total}] {item.video}: {status} ({item.seconds:.0f} s)", file=sys.stderr)

    address = None if args.ray in (None, "auto") else args.ray
    with db_errors():
        result = run_batch(args.video, out, use_ray=args.ray is not None, ray_address=address,
                           cpus_per_video=args.cpus_per_video, on_item=report, library=args.library or True,
                           profile=args.profile, config=args.config, **options)
    failed = result.failed
    print(f"recapped {len(result.items) - len(failed)} of {len(result.items)} files into {out}/ "
          f"(index.json; search them all: vidrecap search {mask(args.library or str(out))} \"...\")"
          f"{'; failures:' if failed else ''}", file=sys.stderr)
    for item in failed:
        print(f"  {item.error if item.video in item.error else f'{item.video}: {item.error}'}", file=sys.stderr)
    return 1 if failed else 0


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
