"""``vidrecap run SOURCE --follow``: recap a stream or a growing recording while it plays.

The stream is one local file that grows (a growing recording itself, or a URL remuxed into one by
``media.live.Recorder``). Each *round* re-runs the ordinary cached pipeline over the prefix that is
there, under a **stream identity** instead of the content fingerprint (which changes as the file
grows). Before a round, every evidence journal is rolled back to units that lie well inside the
prefix of the round before (``MARGINS``): those were computed from the same bytes a full run reads,
so each round only decodes the new tail, and the final round — after the source ended — is a
resumed run over the complete file, equal to a normal run over it. Outputs are rewritten
atomically each round; ``live.json`` says what the source is doing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..media.live import GrowingFile, Recorder, is_url
from ..media.probe import probe
from ..results import CELL_SECONDS
from ..util.fs import atomic_write_json, cache_root
from .live_memo import MemoBackends
from .options import RunOptions
from .run import check_output_dir, run_recap

# seconds before the prefix's end that a journaled unit must end to be kept: the visual pass
# samples and probes cuts within a cell; VAD runs on 30 s blocks and windows reach 29 s past them
MARGINS = {"visual": 2 * CELL_SECONDS, "sounds": 2 * CELL_SECONDS, "speech": 75.0}
RECOMPUTED = ("speakers", "embeddings", "captions", "segments")  # whole-video stages: redone each round


@dataclass
class FollowResult:
    rounds: int
    status: str
    recording: str
    seconds: float
    round_seconds: list[float] = field(default_factory=list)  # each round's wall time


def stream_identity(source: str, recording: Path) -> str:
    """The cache identity of a followed stream: the source, the recording's inode and its first
    4 KiB (written first, never rewritten by MPEG-TS muxers), so a restarted follow of the same
    still-growing file resumes, and two streams never share journals."""
    h = hashlib.sha256(f"live\n{source}\n{recording.stat().st_ino}\n".encode())
    with open(recording, "rb") as fh:
        h.update(fh.read(4096))
    return "live-" + h.hexdigest()[:16]


def follow(source: str, out_dir: Path, *, cadence: float = 10.0, grace: float = 10.0, stall: float = 10.0,
           summary_every: float = 60.0, quiet: bool = True, profile: str | None = None, config: str | None = None,
           recording: Path | None = None, **options: Any) -> FollowResult:
    """Follow ``source`` until it ends (or Ctrl-C), writing a fresh recap to ``out_dir`` each round."""
    opts = RunOptions.resolve(profile, config, **dict(options))
    if not is_url(source) and not Path(source).is_file():
        raise InputError(f"{source}: no such file (to follow a stream, give its URL)")
    check_output_dir(out_dir)
    if is_url(source):
        recording = recording or cache_root() / "live" / _url_dir(source) / "stream.ts"
        watcher: Recorder | GrowingFile = Recorder(source, recording, stall_seconds=stall, give_up_seconds=grace * 6)
        watcher.start()
    else:
        recording = Path(source)
        watcher = GrowingFile(recording, grace_seconds=grace, stall_seconds=stall)
    live = _LiveStatus(out_dir, source, str(recording))
    rounds = _Rounds(source, recording, out_dir, opts, quiet, summary_every)
    try:
        while True:
            began = time.monotonic()
            status = watcher.poll()
            last = status.done
            info = _probe_ready(recording)
            if info is not None and (info.duration >= rounds.horizon + min(cadence, 2 * CELL_SECONDS)
                                     or last):
                live.write(status.state, rounds.count, rounds.horizon, status.reconnects, status.error)
                rounds.run(info.duration, final=last)
            live.write(status.state, rounds.count, rounds.horizon, status.reconnects, status.error)
            if last:
                break
            time.sleep(max(0.5, began + cadence - time.monotonic()) if info is not None else 1.0)
    except KeyboardInterrupt:  # a clean final recap of what arrived
        watcher.stop()
        info = _probe_ready(recording)
        if info is not None:  # the final round: the summary and the voices anew
            rounds.run(info.duration, final=True)
        live.write("ended", rounds.count, rounds.horizon, 0, "interrupted")
        return FollowResult(rounds.count, "interrupted", str(recording), rounds.horizon, rounds.took)
    if rounds.count == 0:
        live.write("failed", 0, 0.0, status.reconnects, status.error or "nothing readable arrived")
        raise InputError(f"{source}: the stream ended before any readable media arrived"
                         + (f" ({status.error})" if status.error else ""))
    return FollowResult(rounds.count, status.state, str(recording), rounds.horizon, rounds.took)


class _Rounds:
    """Runs the cached pipeline over the recording as it is, after rolling the journals back."""

    def __init__(self, source: str, recording: Path, out_dir: Path, opts: RunOptions, quiet: bool,
                 summary_every: float):
        self.source, self.recording, self.out_dir, self.opts, self.quiet = source, recording, out_dir, opts, quiet
        self.backends = MemoBackends(opts, summary_every)  # models stay loaded, and remember their answers
        self.summary = None
        self.identity: str | None = None
        self.count, self.horizon, self.took = 0, 0.0, []

    def run(self, duration: float, final: bool = False) -> None:
        began = time.monotonic()
        self.identity = self.identity or stream_identity(self.source, self.recording)
        _roll_back(self.identity, self.opts, self.horizon)
        self.backends.before_round(self.summary, final)
        if final:  # the voices are embedded in one pass over the whole file, as a normal run does
            self.backends.voices = None
        recap = run_recap(self.recording, self.out_dir, quiet=self.quiet, cache_key=self.identity,
                          backends=self.backends, **self.opts.to_dict())
        self.summary = recap.summary
        _refresh_frames(self.identity, self.opts, self.out_dir)
        self.count, self.horizon = self.count + 1, duration
        self.took.append(time.monotonic() - began)


def _url_dir(url: str) -> str:
    return hashlib.sha256(f"{url}\n{time.time_ns()}".encode()).hexdigest()[:16]


def _probe_ready(recording: Path):
    """The recording's ``VideoInfo``, or None while too little of it is there to decode."""
    try:
        return probe(recording)
    except InputError:
        return None


def _roll_back(identity: str, opts: RunOptions, horizon: float) -> None:
    """Keep only journaled units that end ``MARGINS`` before ``horizon``; drop the whole-video stages."""
    cache = cache_root() / identity
    for stage, margin in MARGINS.items():
        journal = cache / opts.stage_key(identity, stage) / "journal.jsonl"
        if journal.exists():
            _truncate(journal, stage, horizon - margin)
    for stage in RECOMPUTED:
        for path in cache.glob(f"{opts.stage_key(identity, stage)}*"):
            if path.is_file():
                path.unlink()


def _refresh_frames(identity: str, opts: RunOptions, out_dir: Path) -> None:
    """Replace OUT/frames/ key frames that a later round redrew (the store links a frame only once)."""
    source = cache_root() / identity / opts.stage_key(identity, "visual") / "frames"
    for src in source.glob("cell_*.jpg"):
        dst = out_dir / "frames" / src.name
        try:
            if not dst.exists() or dst.samefile(src) or dst.read_bytes() == src.read_bytes():
                continue
            tmp = dst.with_name(f".{dst.name}.tmp")
            tmp.unlink(missing_ok=True)
            try:
                os.link(src, tmp)
            except OSError:
                shutil.copyfile(src, tmp)
            os.replace(tmp, dst)
        except OSError:
            continue


def _truncate(journal: Path, stage: str, until: float) -> None:
    keep, size = 0, 0
    with open(journal, "rb") as fh:
        for raw in fh:
            try:
                entry = json.loads(raw)
            except ValueError:
                break
            if not raw.endswith(b"\n") or not _kept(stage, entry, until):
                break
            size += len(raw)
            if _checkpoint(stage, entry):
                keep = size
    with open(journal, "r+b") as fh:
        fh.truncate(keep)


def _kept(stage: str, entry: dict, until: float) -> bool:
    if stage == "speech":
        return entry.get("until") is not None and entry["next"] <= until
    return entry["cell"] >= 0 and (entry["cell"] + 1) * CELL_SECONDS <= until


def _checkpoint(stage: str, entry: dict) -> bool:
    """Where a resumed pass can restart: the visual pass only after a batch's state row."""
    return stage != "visual" or "state" in entry


class _LiveStatus:
    """``OUT/live.json``: the source's state for readers (``vidrecap serve`` shows it)."""

    def __init__(self, out_dir: Path, source: str, recording: str):
        self.path, self.source, self.recording = out_dir / "live.json", source, recording
        self.started = time.time()

    def write(self, state: str, rounds: int, seconds: float, reconnects: int, error: str) -> None:
        atomic_write_json(self.path, {"live": state not in ("ended", "lost", "failed"), "status": state,
                                      "source": self.source, "recording": self.recording,
                                      "seconds": round(seconds, 3), "rounds": rounds,
                                      "reconnects": reconnects, "error": error,
                                      "started": self.started, "updated": time.time()})
