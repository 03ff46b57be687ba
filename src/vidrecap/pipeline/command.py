"""``vidrecap run VIDEO [-o OUT]``: the main job."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..registry import ROLES
from .options import RunOptions
from .run import run_recap


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("video", help="video or audio file")
    p.add_argument("-o", "--out", help="output directory (default: VIDEO's name + .recap)")
    for role in ROLES:
        p.add_argument(f"--{role}", metavar="SPEC", help=f"{role} backend (default: embedded)")
    p.add_argument("--profile", help="backend profile: offline (default), hf, api, gguf (see `vidrecap models`)")
    p.add_argument("--config", help="TOML file with backend specs and options (docs/backends.md)")
    p.add_argument("--language", help="speech language code (default: detect)")
    p.add_argument("--segment-seconds", type=float, help="target segment length (default 180)")
    p.add_argument("--frame-side", type=int, help="key-frame size in pixels (default 480)")
    p.add_argument("--device", help="cpu (default) or cuda")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def execute(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path(Path(args.video).name + ".recap")
    options = {role: getattr(args, role) for role in ROLES}
    options.update(language=args.language, segment_seconds=args.segment_seconds,
                   frame_side=args.frame_side, device=args.device)
    RunOptions.resolve(args.profile, args.config, **options)  # validate before any work
    recap = run_recap(args.video, out, quiet=args.quiet, profile=args.profile, config=args.config, **options)
    if not args.quiet:
        print(f"{recap.summary.title or Path(args.video).name}\n\n{recap.summary.text}\n", file=sys.stdout)
    print(f"wrote {out}/ (recap.json, clips.vtt, segments.vtt, summary.md, transcript.srt, "
          f"embeddings.npz, frames/): {len(recap.clips)} clips, {len(recap.segments)} segments",
          file=sys.stderr if args.quiet else sys.stdout)
    return 0
