"""``vidrecap chapters OUT``: print a recap's chapters; ``--embed VIDEO -o COPY.mp4`` writes them into a copy."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import InputError
from ..media.probe import probe
from ..media.remux import read_chapters, write_with_chapters
from .chapters import as_json, chapters_of, chapters_webvtt, youtube_list
from .store import load_recap

DURATION_SLACK = 1.0  # seconds the embed video's duration may differ from the recap's


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("outdir", help="output directory of `vidrecap run`")
    p.add_argument("--format", choices=("youtube", "vtt", "json"), default="youtube",
                   help="youtube: `0:00 Title` lines (default); vtt: WebVTT chapters; json")
    p.add_argument("--sections", action="store_true",
                   help="youtube: each chapter's sections indented under it (json and vtt always hold them)")
    p.add_argument("--summary", action="store_true", help="print the recap's title and summary before the chapters")
    p.add_argument("--embed", metavar="VIDEO", help="the recapped video: copy it with chapter metadata")
    p.add_argument("-o", "--output", metavar="FILE", help="the chaptered copy (.mp4, .m4v, .mov or .mkv)")


def execute(args: argparse.Namespace) -> int:
    recap = load_recap(Path(args.outdir))
    chapters = chapters_of(recap.segments)
    if args.output and not args.embed:
        raise InputError("--output needs --embed VIDEO (the video to copy with chapters)")
    if args.embed:
        if not args.output:
            raise InputError("--embed needs -o FILE, where the copy with chapters is written")
        info = probe(args.embed)
        if abs(info.duration - recap.video.duration) > DURATION_SLACK:
            raise InputError(f"{args.embed}: lasts {info.duration:.1f} s but the recap is of a "
                             f"{recap.video.duration:.1f} s video; embed chapters into the recapped video")
        target = write_with_chapters(args.embed, args.output, [(c.start, c.end, c.title) for c in chapters])
        print(f"wrote {target} with {len(read_chapters(target))} chapters")
        return 0
    if args.format == "vtt":
        print(chapters_webvtt(chapters), end="")
    elif args.format == "json":
        out = {"title": recap.summary.title, "summary": recap.summary.text, "chapters": as_json(chapters)}
        print(json.dumps(out if args.summary else as_json(chapters), ensure_ascii=False))
    else:
        if args.summary:
            print(f"{recap.summary.title}\n\n{recap.summary.text}\n")
        print(youtube_list(chapters, sections=args.sections), end="")
    return 0
