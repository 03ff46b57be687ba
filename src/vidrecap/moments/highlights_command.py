"""``vidrecap highlights OUTDIR [--reel reel.mp4 --seconds 60]``: query-free highlights and a reel."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import InputError
from .command import clock
from .highlighting import Highlights, highlights
from .loading import resolve_recap

JSON_NAME = "highlights.json"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", help="output directory of `vidrecap run`")
    parser.add_argument("--top-k", type=int, default=10, help="windows to list (default 10)")
    parser.add_argument("--reel", metavar="MP4", help="write a highlight reel here")
    parser.add_argument("--seconds", type=float, default=60.0, help="reel length (default 60)")
    parser.add_argument("--source", metavar="VIDEO", help="source video (default: the recap's video path)")
    parser.add_argument("--height", type=int, default=720, help="scale the reel down to this height")
    parser.add_argument("--json", action="store_true", help="print the highlights as JSON")


def execute(args: argparse.Namespace) -> int:
    if args.top_k < 1:
        raise InputError("--top-k must be at least 1")
    if args.reel and not args.seconds > 0:
        raise InputError("--seconds must be positive")
    recap = resolve_recap(args.outdir)
    result = highlights(recap, top_k=args.top_k)
    if args.reel:
        from .reel import make_reel

        source = args.source or _source_path(recap.video.path, Path(args.outdir))
        result.reel = make_reel(source, result.spans(args.seconds), args.reel, max_height=args.height)
    from ..util.fs import atomic_write_json

    atomic_write_json(Path(args.outdir) / JSON_NAME, result.to_dict())
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else format_highlights(result))
    return 0


def _source_path(path: str, outdir: Path) -> str:
    """The recap's video path, also tried relative to the output directory."""
    p = Path(path)
    if p.is_file() or p.is_absolute():
        return str(p)
    alt = outdir / p
    return str(alt if alt.is_file() else p)


def format_highlights(result: Highlights) -> str:
    lines = [f"{result.vid}: top {len(result.windows)} highlights",
             f"{'#':>2}  {'start':>8}  {'end':>8}  score"]
    lines += [f"{i:>2}  {clock(w.start):>8}  {clock(w.end):>8}  {w.score:5.2f}"
              for i, w in enumerate(result.windows, 1)]
    if result.reel is not None:
        r = result.reel
        lines.append(f"reel: {r.path} ({r.duration:.1f} s, {len(r.spans)} cuts, {r.video_codec}"
                     f"{', with audio' if r.has_audio else ''})")
    return "\n".join(lines)
