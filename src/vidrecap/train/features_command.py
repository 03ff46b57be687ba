"""``vidrecap features VIDEO... -o DIR``: per-2 s-cell features for training (layout: ``features.py``).

Each input is a video (the recap pipeline runs with the given backends; its stages are cached) or a
directory written by ``vidrecap run`` (its saved embeddings are reused).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import InputError
from .features import FeatureMeta, read_meta, save_video_features, write_meta

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
    parser.add_argument("--quiet", action="store_true")


def execute(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    vids = args.vid or [Path(p).stem for p in args.inputs]
    if len(vids) != len(args.inputs):
        raise InputError(f"--vid given {len(vids)} times for {len(args.inputs)} inputs")
    meta = read_meta(out)
    for vid, source in zip(vids, args.inputs, strict=True):
        arrays, encoder, space = recap_embeddings(Path(source), args)
        meta = merge_meta(meta, out, encoder, arrays, space)
        save_video_features(out, vid, arrays)
        meta.videos[vid] = int(next(iter(arrays.values())).shape[0])
        write_meta(out, meta)
        if not args.quiet:
            print(f"{vid}: {meta.videos[vid]} cells x {meta.dim} -> {out / (vid + '.npz')}")
    return 0


def recap_embeddings(source: Path, args: argparse.Namespace) -> tuple[dict, str, str]:
    """``(channels, encoder spec, visual space)`` of a recap directory or of a fresh recap run."""
    import vidrecap

    if source.is_dir():
        recap = vidrecap.load(source)
    else:
        options = {role: getattr(args, role) for role in ROLES if getattr(args, role)}
        recap = vidrecap.recap(
            source,
            quiet=args.quiet,
            profile=args.profile,
            config=args.run_config,
            device=args.device,
            **options,
        )
    if not recap.embeddings:
        raise InputError(f"{source}: the recap has no embeddings")
    return (
        dict(recap.embeddings),
        str(recap.options.get("encoder", "")),
        str(recap.options.get("visual_space", "")),
    )


def merge_meta(meta: FeatureMeta | None, out: Path, encoder: str, arrays: dict, space: str) -> FeatureMeta:
    dim = int(next(iter(arrays.values())).shape[1])
    if meta is None:
        return FeatureMeta(encoder=encoder, dim=dim, channels=sorted(arrays), visual_space=space)
    if meta.encoder != encoder or meta.dim != dim:
        raise InputError(
            f"{out / 'meta.json'}: field 'encoder': directory holds {meta.encoder} (dim {meta.dim}) "
            f"features, not {encoder} (dim {dim}); use another -o directory"
        )
    return meta
