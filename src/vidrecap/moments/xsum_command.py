"""``vidrecap xsum OUTDIR``: key frames aligned with the text summary, ``xsum.json`` + JPEGs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .command import clock
from .crossmodal import FRACTION, CrossModalSummary, xsum
from .highlights_command import _source_path
from .loading import resolve_recap


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", help="output directory of `vidrecap run`")
    parser.add_argument("--fraction", type=float, default=FRACTION, help="share of 2 s clips to keep (0.15)")
    parser.add_argument("--output", metavar="DIR", help="where to write xsum.json and xsum/ (default OUTDIR)")
    parser.add_argument("--source", metavar="VIDEO", help="source video for key frames the recap lacks")
    parser.add_argument("--json", action="store_true", help="print xsum.json's content")
    parser.add_argument("--model", metavar="SPEC", help="a trained model instead of the rule: xsum:RUN_DIR")


def execute(args: argparse.Namespace) -> int:
    recap = resolve_recap(args.outdir)
    source = args.source or _source_path(recap.video.path, Path(args.outdir))
    out = Path(args.output or args.outdir)
    if args.model:
        from .. import registry
        from .crossmodal import save_xsum

        result = registry.create("xsum", args.model).summarize(recap, args.fraction)
        save_xsum(result, recap, out, source)
    else:
        result = xsum(recap, out, fraction=args.fraction, source=source)
    print(json.dumps(result.to_dict(), ensure_ascii=False) if args.json else format_xsum(result))
    return 0


def format_xsum(result: CrossModalSummary) -> str:
    vt = "n/a" if result.vt_score is None else f"{result.vt_score:.3f}"
    framed = sum(1 for c in result.clips if c.frame)
    return (f"{result.vid}: {len(result.clips)} clips ({result.fraction:.0%}), {framed} key frames, "
            f"VT-score {vt}\nwrote {result.path}\n"
            + "\n".join(f"  {clock(c.start):>8}  {c.relevance:.2f}  {c.frame or '-'}"
                        for c in result.clips[:20])
            + ("\n  ..." if len(result.clips) > 20 else ""))
