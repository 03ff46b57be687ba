"""``vidrecap features DIR -o FEATS [--ray [ADDRESS]]``: features for every video under a directory.

Each video is recapped (the pipeline's stage cache makes a rerun cheap) here or as a Ray task — the
same scheduling as ``vidrecap run DIR --ray`` (``pipeline.batch.ray_map``) — and its cell embeddings
come back to this process, which alone writes ``FEATS/{vid}.npz`` and ``meta.json``. A video whose
features are already in ``meta.json`` is skipped, so an interrupted extraction resumes; a video that
fails is recorded in ``FEATS/index.json`` and the rest go on. The video id is the path under ``DIR``
without its extension, ``/`` written as ``__`` (``talks/intro.mp4`` → ``talks__intro``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..pipeline.batch import ItemsReport, attempt, find_videos, ray_map
from ..util.fs import atomic_write_json
from .features import merge_meta, read_meta, save_video_features, write_meta


@dataclass
class FeatureItem:
    video: str
    vid: str
    ok: bool = False
    error: str = ""
    seconds: float = 0.0
    cells: int = 0
    skipped: bool = False  # already in meta.json


@dataclass
class FeatureReport(ItemsReport):
    items: list[FeatureItem] = field(default_factory=list)


@dataclass
class Extracted:
    """One video's result as it comes back from a worker."""

    item: FeatureItem
    arrays: dict | None = None
    encoder: str = ""
    space: str = ""


def video_id(root: Path, video: Path) -> str:
    return "__".join(video.relative_to(root).with_suffix("").parts)


def recap_arrays(source: Path, options: dict[str, Any]) -> tuple[dict, str, str]:
    """``(channels, encoder spec, visual space)`` of a recap directory or of a fresh recap run."""
    import vidrecap

    recap = vidrecap.load(source) if source.is_dir() else vidrecap.recap(source, **options)
    if not recap.embeddings:
        raise InputError(f"{source}: the recap has no embeddings")
    encoder, space = str(recap.options.get("encoder", "")), str(recap.options.get("visual_space", ""))
    return dict(recap.embeddings), encoder, space


def extract_one(video: str, vid: str, options: dict[str, Any]) -> Extracted:
    """Recap one video and return its channels, a failure as a record (locally or in a Ray task)."""
    item = FeatureItem(video, vid)
    out = Extracted(item)

    def work() -> None:
        out.arrays, out.encoder, out.space = recap_arrays(Path(video), {**options, "quiet": True})
        item.ok, item.cells = True, int(next(iter(out.arrays.values())).shape[0])

    attempt(item, work)
    return out


def extract_directory(root: str | Path, out: str | Path, *, use_ray: bool = False, ray_address: str | None = None,
                      cpus_per_video: float = 2.0, on_item: Callable[[FeatureItem, int, int], None] | None = None,
                      **options: Any) -> FeatureReport:
    root, out = Path(root), Path(out)
    videos = find_videos(root)
    if not videos:
        raise InputError(f"{root}: no video or audio files found")
    out.mkdir(parents=True, exist_ok=True)
    meta = read_meta(out)
    report, todo = FeatureReport(str(root)), []
    for video in videos:
        item = FeatureItem(str(video), video_id(root, video))
        if meta is not None and item.vid in meta.videos and (out / f"{item.vid}.npz").exists():
            item.ok, item.skipped, item.cells = True, True, meta.videos[item.vid]
            report.record(item, len(videos), on_item)
        else:
            todo.append(item)
    calls = [(i.video, i.vid, options) for i in todo]
    for done in _run(calls, use_ray or bool(ray_address), ray_address, cpus_per_video) if calls else ():
        if done.item.ok:
            meta = _save(out, meta, done)
        report.record(done.item, len(videos), on_item)
    report.items.sort(key=lambda i: i.video)
    atomic_write_json(out / "index.json", report.to_dict())
    return report


def _run(calls: list[tuple], use_ray: bool, address: str | None, cpus: float) -> Iterable[Extracted]:
    if use_ray:
        return ray_map(extract_one, calls, address, cpus)
    return (extract_one(*call) for call in calls)


def _save(out: Path, meta, done: Extracted):
    """Write one video's features and ``meta.json`` (this process is the only writer)."""
    try:
        meta = merge_meta(meta, out, done.encoder, done.arrays, done.space)
    except InputError as exc:
        done.item.ok, done.item.error = False, str(exc)
        return meta
    save_video_features(out, done.item.vid, done.arrays)
    meta.videos[done.item.vid] = done.item.cells
    write_meta(out, meta)
    return meta
