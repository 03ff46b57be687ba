"""``vidrecap speakers OUTDIR [S1=Maria ...]``: list who speaks, or name speakers everywhere."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from .speakers import load_names, save_names


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", help="output directory of `vidrecap run`")
    parser.add_argument("names", nargs="*", metavar="LABEL=NAME",
                        help="name a speaker (S1=Maria); LABEL= removes the name")


def execute(args: argparse.Namespace) -> int:
    from ..moments.loading import resolve_recap
    from ..moments.speakers import speaker_labels

    recap = resolve_recap(args.outdir)
    labels = speaker_labels(recap)
    if not labels:
        raise InputError(f"{args.outdir}: this recap has no speaker turns (run `vidrecap run` again)")
    if args.names:
        pairs = dict(_pair(item, labels) for item in args.names)
        save_names(Path(args.outdir), pairs, recap)
    names = load_names(Path(args.outdir))
    for label in labels:
        seconds = sum(s.end - s.start for s in recap.transcript.segments if s.speaker == label)
        words = sum(len(s.words) for s in recap.transcript.segments if s.speaker == label)
        print(f"{label:4} {names.get(label, ''):24} {seconds:8.1f} s  {words:6d} words")
    return 0


def _pair(item: str, labels: list[str]) -> tuple[str, str]:
    label, sep, name = item.partition("=")
    if not sep:
        raise InputError(f"{item!r}: expected LABEL=NAME, e.g. S1=Maria")
    label = label.strip().upper()
    if label not in labels:
        raise InputError(f"no speaker {label!r} in this recap (known: {', '.join(labels)})")
    return label, name
