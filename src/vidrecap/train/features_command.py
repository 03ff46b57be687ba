"""``vidrecap features VIDEO... -o DIR``: per-2 s-cell features for training (layout: ``features.py``).

Each input is a video (the recap pipeline runs with the given backends; its stages are cached), a
directory written by ``vidrecap run`` (its saved embeddings are reused), or a directory of videos
(every video under it, here or on a Ray cluster with ``--ray``: ``features_batch.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from .features import merge_meta, read_meta, save_video_features, write_meta
from .features_batch import extract_directory, recap_arrays

ROLES = ("encoder", "asr", "ocr", "tagger")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs", nargs="+", metavar="VIDEO", help="video files or `vidrecap run` output dirs"
    )
    parser.add_argument("-o", "--out", required=True, help="feature directory to write")
    parser.add_argument(
        "--vid",
        action="append",
        default=None,
        help="video id for each input, in order (default: the file stem)",
    )
    for role in ROLES:
        parser.add_argument(f"--{role}", default=None, help=f"{role} backend spec (default: the pipeline's)")
    parser.add_argument("--profile", default=None, help="backend profile of the recap run (docs/backends.md)")
    parser.add_argument("--run-config", default=None, help="TOML config of the recap run (docs/backends.md)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--ray", nargs="?", const="auto", metavar="ADDRESS",
                        help="a directory of videos on a Ray cluster (ADDRESS, or a local one when omitted)")
    parser.add_argument("--cpus-per-video", type=float, default=2.0, help="Ray CPUs reserved per video")
    parser.add_argument("--quiet", action="store_true")


def execute(args: argparse.Namespace) -> int:
    out = Path(args.out)
    options = {role: getattr(args, role) for role in ROLES if getattr(args, role)}
    options.update(quiet=args.quiet, profile=args.profile, config=args.run_config, device=args.device)
    batch = [Path(p) for p in args.inputs if Path(p).is_dir() and not (Path(p) / "recap.json").exists()]
    if batch:
        if len(args.inputs) > 1 or args.vid:
            raise InputError("features: give one directory of videos alone (without --vid)")
        return _execute_directory(batch[0], out, args, options)
    if args.ray is not None:
        raise InputError("--ray needs a directory of videos")
    out.mkdir(parents=True, exist_ok=True)
    vids = args.vid or [Path(p).stem for p in args.inputs]
    if len(vids) != len(args.inputs):
        raise InputError(f"--vid given {len(vids)} times for {len(args.inputs)} inputs")
    meta = read_meta(out)
    for vid, source in zip(vids, args.inputs, strict=True):
        arrays, encoder, space = recap_arrays(Path(source), options)
        meta = merge_meta(meta, out, encoder, arrays, space)
        save_video_features(out, vid, arrays)
        meta.videos[vid] = int(next(iter(arrays.values())).shape[0])
        write_meta(out, meta)
        if not args.quiet:
            print(f"{vid}: {meta.videos[vid]} cells x {meta.dim} -> {out / (vid + '.npz')}")
    return 0


def _execute_directory(root: Path, out: Path, args: argparse.Namespace, options: dict) -> int:
    def report(item, done: int, total: int) -> None:
        if not args.quiet:
            status = "already extracted" if item.skipped else f"{item.cells} cells" if item.ok else "FAILED"
            print(f"[{done}/{total}] {item.video}: {status} ({item.seconds:.0f} s)", file=sys.stderr)

    options.pop("quiet")
    address = None if args.ray in (None, "auto") else args.ray
    result = extract_directory(root, out, use_ray=args.ray is not None, ray_address=address,
                               cpus_per_video=args.cpus_per_video, on_item=report, **options)
    failed = result.failed
    print(f"features for {len(result.items) - len(failed)} of {len(result.items)} files in {out}/ (index.json)"
          f"{'; failures:' if failed else ''}", file=sys.stderr)
    for item in failed:
        print(f"  {item.video}: {item.error}", file=sys.stderr)
    return 1 if failed else 0


