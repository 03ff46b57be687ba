"""Recap a directory of videos: one after another here, or spread over a Ray cluster.

Each video gets ``OUT/<relative path>.recap/``; a failure is recorded and the rest go on;
``OUT/index.json`` lists every video with its status. Each finished recap joins OUT's library
(``vidrecap.library``) as it completes, in this process (Ray workers only write recap folders); a
video whose recap is already in the library and whose file has not changed since is skipped, so a
crashed batch resumes where it stopped. Scheduling across machines is Ray's job.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, VidrecapError
from ..util.fs import atomic_write_json

VIDEO_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .ts .mts .m2ts .wmv .flv .3gp .ogv .mxf .dv "
    ".mp3 .m4a .wav .flac .ogg .opus .aac".split())


@dataclass
class BatchItem:
    video: str
    out_dir: str
    ok: bool = False
    error: str = ""
    seconds: float = 0.0
    segments: int = 0
    skipped: bool = False  # already recapped and in the library, unchanged
    library: str = ""  # added | updated | unchanged | failed: why (empty when not indexed)


@dataclass
class ItemsReport:
    """Every video of a directory run (items with ``ok`` and ``error``), as ``index.json`` lists them."""

    root: str
    items: list = field(default_factory=list)

    @property
    def failed(self) -> list:
        return [i for i in self.items if not i.ok]

    def to_dict(self) -> dict[str, Any]:
        return {"root": self.root, "videos": len(self.items), "failed": len(self.failed),
                "items": [asdict(i) for i in self.items]}

    def record(self, item: Any, total: int, on_item: Callable[[Any, int, int], None] | None) -> None:
        """Add ``item``, then tell ``on_item(item, done, total)``."""
        self.items.append(item)
        if on_item:
            on_item(item, len(self.items), total)


@dataclass
class BatchReport(ItemsReport):
    items: list[BatchItem] = field(default_factory=list)


def attempt(item: Any, work: Callable[[], None]) -> None:
    """``work()``, its failure recorded as ``item.error`` and its time as ``item.seconds``."""
    start = time.perf_counter()
    try:
        work()
    except VidrecapError as exc:
        item.error = str(exc)
    except Exception as exc:  # one broken file must not stop a batch of thousands
        item.error = f"{type(exc).__name__}: {exc}"
    item.seconds = round(time.perf_counter() - start, 2)


def find_videos(root: Path) -> list[Path]:
    """Media files under ``root`` (recursively, sorted), skipping hidden paths."""
    found = [p for p in root.rglob("*") if p.suffix.lower() in VIDEO_EXTENSIONS and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(root).parts)]
    return sorted(found)


def plan(root: Path, out_root: Path) -> list[BatchItem]:
    return [BatchItem(str(v), str(out_root / f"{v.relative_to(root)}.recap")) for v in find_videos(root)]


def recap_one(video: str, out_dir: str, options: dict[str, Any]) -> BatchItem:
    """Recap one video, turning its failure into a record (runs locally or inside a Ray task)."""
    from .run import run_recap

    item = BatchItem(video, out_dir)

    def work() -> None:
        recap = run_recap(video, out_dir, quiet=True, **options)
        item.ok, item.segments = True, len(recap.segments)

    attempt(item, work)
    return item


def run_batch(root: str | Path, out_root: str | Path, *, ray_address: str | None = None, use_ray: bool = False,
              cpus_per_video: float = 2.0, on_item: Callable[[BatchItem, int, int], None] | None = None,
              library: bool | str = True, **options: Any) -> BatchReport:
    root, out_root = Path(root), Path(out_root)
    items = plan(root, out_root)
    if not items:
        raise InputError(f"{root}: no video or audio files found")
    out_root.mkdir(parents=True, exist_ok=True)
    runner = _ray_items if (use_ray or ray_address) else _local_items
    report = BatchReport(str(root))
    lib = _open_library(out_root if library is True else library) if library else None
    todo = items
    if lib is not None:
        current = [lib.is_current(i.out_dir, i.video) for i in items]
        todo = [i for i, done in zip(items, current, strict=True) if not done]
        for item, done in zip(items, current, strict=True):
            if done:
                item.ok, item.skipped, item.library = True, True, "unchanged"
                report.record(item, len(items), on_item)
    try:
        for done in runner(todo, options, ray_address=ray_address, cpus=cpus_per_video) if todo else ():
            if lib is not None and done.ok:
                outcome = lib.add_one(done.out_dir)
                done.library = outcome.status + (f": {outcome.message}" if outcome.message else "")
            report.record(done, len(items), on_item)
        if lib is not None:
            lib.compact()
    finally:
        if lib is not None:
            lib.close()
    report.items.sort(key=lambda i: i.video)
    atomic_write_json(out_root / "index.json", report.to_dict())
    return report


def _open_library(location: str | Path):
    """OUT's own library, or the one named by ``library=`` (a folder or a ``postgresql://`` URL)."""
    from ..library import open_library

    return open_library(location, create=True)


def _local_items(items: list[BatchItem], options: dict[str, Any], **_) -> Iterable[BatchItem]:
    for item in items:
        yield recap_one(item.video, item.out_dir, options)


def _ray_items(items: list[BatchItem], options: dict[str, Any], ray_address: str | None, cpus: float
               ) -> Iterable[BatchItem]:
    yield from ray_map(recap_one, [(i.video, i.out_dir, options) for i in items], ray_address, cpus)


def ray_map(fn: Callable[..., Any], calls: list[tuple], ray_address: str | None, cpus: float) -> Iterable[Any]:
    """``fn(*call)`` for each call as Ray tasks (``cpus`` each, one retry), results as they finish.

    Joins the cluster at ``ray_address`` (or starts a local one) unless Ray is already initialised."""
    try:
        import ray
    except ImportError as exc:
        raise InputError("--ray needs Ray: pip install 'vidrecap[ray]'") from exc
    env = {k: os.environ[k] for k in ("VIDRECAP_CACHE", "VIDRECAP_MODEL_CACHE") if k in os.environ}
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=ray_address, runtime_env={"env_vars": env} if env else None,
                 include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        task = ray.remote(num_cpus=cpus, max_retries=1)(fn)
        pending = [task.remote(*call) for call in calls]
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            yield ray.get(ready[0])
    finally:
        if started_here:
            ray.shutdown()
