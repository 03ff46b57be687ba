"""Uploads: stream a video to disk with a size limit, check its type, recap it in a background job.

Jobs run one at a time on a worker thread; the default runner recaps in a subprocess
(``python -m vidrecap.serve.worker``) that reports stage progress as JSON lines.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .config import RecapRunner

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts",
                            ".mts", ".ogv", ".wmv", ".flv", ".3gp"})
AUDIO_SUFFIXES = frozenset({".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus"})
STAGE_WEIGHTS = {"visual": 0.35, "speech": 0.35, "captions": 0.2, "segments": 0.1}
MAX_NAME_CHARS = 120


class UploadTooLarge(Exception):
    """The body is bigger than the configured limit (413)."""


class UnsupportedMedia(Exception):
    """Not a video or audio file we can read (415)."""


def upload_suffix(filename: str) -> str:
    """The lower-case extension of ``filename`` if it is a supported media type, else ``UnsupportedMedia``."""
    suffix = Path(filename.replace("\\", "/")).suffix.lower()
    if suffix not in VIDEO_SUFFIXES | AUDIO_SUFFIXES:
        raise UnsupportedMedia(f"unsupported file type {suffix or '(none)'!r}")
    return suffix


def display_name(filename: str) -> str:
    """A harmless label for an uploaded file: its base name, printable characters only, shortened."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(ch for ch in base if ch.isprintable()).strip()
    return clean[:MAX_NAME_CHARS] or "upload"


async def save_stream(chunks: AsyncIterator[bytes], target: Path, limit: int) -> int:
    """Write ``chunks`` to ``target``; delete it and raise ``UploadTooLarge`` past ``limit`` bytes."""
    written = 0
    try:
        with target.open("wb") as f:
            async for chunk in chunks:
                written += len(chunk)
                if written > limit:
                    raise UploadTooLarge(f"larger than {limit} bytes")
                f.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return written


def probe_media(path: Path) -> None:
    """Open ``path`` with PyAV; ``UnsupportedMedia`` unless it has a video or audio stream."""
    import av

    try:
        with av.open(str(path)) as container:
            kinds = {s.type for s in container.streams}
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UnsupportedMedia(f"not a readable video or audio file ({exc.__class__.__name__})") from exc
    if not kinds & {"video", "audio"}:
        raise UnsupportedMedia("the file has no video or audio stream")


@dataclass
class Job:
    """One upload being recapped; ``to_dict`` is what the status endpoint returns."""

    id: str
    name: str
    video: Path
    out_dir: Path
    state: str = "queued"  # queued | running | done | failed
    stage: str = ""
    message: str = ""
    recap_id: str | None = None
    created: float = field(default_factory=time.time)
    stage_fractions: dict[str, float] = field(default_factory=dict)

    @property
    def progress(self) -> float:
        if self.state == "done":
            return 1.0
        done = sum(STAGE_WEIGHTS.get(k, 0.0) * v for k, v in self.stage_fractions.items())
        return round(min(0.99, done), 3)

    def to_dict(self) -> dict[str, object]:
        d = asdict(self)
        for key in ("video", "out_dir", "stage_fractions"):
            d.pop(key)
        d["progress"] = self.progress
        d["recap_url"] = f"/recaps/{self.recap_id}" if self.recap_id else None
        return d


class JobManager:
    """Creates job folders under ``upload_dir`` and runs jobs one at a time."""

    def __init__(self, upload_dir: Path, runner: RecapRunner, on_done: Callable[[Path], str]):
        self.upload_dir = upload_dir
        self.runner = runner
        self.on_done = on_done  # registers a finished recap directory, returns its id
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vidrecap-upload")

    def new_job(self, filename: str, suffix: str) -> Job:
        """A job with a fresh folder; its video goes to ``job.video`` (never the client's name)."""
        job_id = uuid.uuid4().hex[:16]
        folder = self.upload_dir / job_id
        folder.mkdir(parents=True, exist_ok=False)
        return Job(job_id, display_name(filename), folder / f"source{suffix}", folder / "recap")

    def discard(self, job: Job) -> None:
        """Remove a refused upload's folder (it never became a job)."""
        shutil.rmtree(job.video.parent, ignore_errors=True)

    def submit(self, job: Job) -> Job:
        with self._lock:
            self._jobs[job.id] = job
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created)

    def _run(self, job: Job) -> None:
        job.state = "running"

        def report(stage: str, done: float, total: float) -> None:
            job.stage = stage
            job.stage_fractions[stage] = min(1.0, done / total) if total > 0 else 1.0

        try:
            self.runner(job.video, job.out_dir, report)
            job.recap_id = self.on_done(job.out_dir)
            job.state, job.stage = "done", ""
        except Exception as exc:  # a failed job is reported, never raised into the server
            job.state, job.message = "failed", str(exc) or exc.__class__.__name__

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def subprocess_runner(run_options: dict[str, object]) -> RecapRunner:
    """A runner that recaps in ``python -m vidrecap.serve.worker`` (argument list, no shell)."""

    def run(video: Path, out_dir: Path, report: Callable[[str, float, float], None]) -> None:
        cmd = [sys.executable, "-m", "vidrecap.serve.worker", str(video), str(out_dir),
               "--options", json.dumps(run_options)]
        log_path = out_dir.parent / "worker.log"
        with log_path.open("wb") as log, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log) as proc:
            for line in proc.stdout or ():
                _forward_progress(line, report)
            code = proc.wait()
        if code != 0:
            raise RuntimeError(_last_line(log_path) or f"the recap worker exited with status {code}")

    return run


def _forward_progress(line: bytes, report: Callable[[str, float, float], None]) -> None:
    try:
        msg = json.loads(line)
        report(str(msg["stage"]), float(msg["done"]), float(msg["total"]))
    except (ValueError, KeyError, TypeError):
        pass  # not a progress line


def _last_line(path: Path) -> str:
    lines = [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    return lines[-1][-300:] if lines else ""
