"""Where a run's time and memory went: wall, CPU and peak RSS per stage, and what ran alongside.

A stage's CPU seconds are those of the threads working for it. A stage that ran alone is charged
the whole process's CPU over its interval. Stages that overlap (the visual, speech and sound
passes) are told apart on Linux by thread name: a stage names its thread ``vr-STAGE`` while it
runs, and threads that model runtimes start from it (CTranslate2, onnxruntime, torch pools)
inherit that name, so their CPU is charged to it too. Elsewhere an overlapping stage is charged
its own thread's CPU only. Peak RSS is the process's largest resident size sampled (every 0.2 s)
while the stage ran: overlapping stages share one figure.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..results import RunTimings, StageTiming

SAMPLE_SECONDS = 0.2
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TASKS = Path("/proc/self/task")


class StageClock:
    """``with StageClock() as clock: with clock.stage("speech"): ...``; ``clock.result()`` after."""

    def __init__(self) -> None:
        self._t0 = time.perf_counter()
        self._cpu0 = _process_cpu()
        self._lock = threading.Lock()
        self._active: dict[str, dict[str, Any]] = {}
        self._done: list[StageTiming] = []
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None

    def __enter__(self) -> StageClock:
        self._sampler = threading.Thread(target=self._sample, name="vr-rss-sampler", daemon=True)
        self._sampler.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name`` (run in the thread doing the stage's work)."""
        tag = f"vr-{name}"[:15]
        old_name = _thread_name()
        _set_thread_name(tag)
        rss = _rss_mib()
        state = {"start": time.perf_counter(), "cpu": _process_cpu(), "threads": _thread_cpu(),
                 "own": time.thread_time(), "peak": rss, "seen": set(), "tag": tag}
        with self._lock:
            for other in self._active.values():
                other["seen"].add(name)
                state["seen"].add(other["name"])
            state["name"] = name
            self._active[name] = state
        try:
            yield
        finally:
            self._finish(name, state)
            if old_name:
                _set_thread_name(old_name)

    def run(self, name: str, fn, *args):
        """``fn(*args)`` timed as stage ``name`` (for a worker thread)."""
        with self.stage(name):
            return fn(*args)

    def _finish(self, name: str, state: dict[str, Any]) -> None:
        end, rss = time.perf_counter(), _rss_mib()
        with self._lock:
            self._active.pop(name, None)
            concurrent = sorted(state["seen"])
            peak = max(state["peak"], rss)
        if not concurrent:
            cpu = _process_cpu() - state["cpu"]
        else:
            now = _thread_cpu()
            if now:
                cpu = sum(c - state["threads"].get(tid, (comm, 0.0))[1]
                          for tid, (comm, c) in now.items() if comm == state["tag"])
            else:
                cpu = time.thread_time() - state["own"]
        timing = StageTiming(name, round(state["start"] - self._t0, 3), round(end - state["start"], 3),
                             round(max(cpu, 0.0), 3), round(peak, 1), concurrent)
        with self._lock:
            self._done.append(timing)

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            rss = _rss_mib()
            with self._lock:
                for state in self._active.values():
                    state["peak"] = max(state["peak"], rss)

    def result(self) -> RunTimings:
        """Every finished stage, in start order, and the run so far."""
        with self._lock:
            stages = sorted(self._done, key=lambda s: s.start)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        return RunTimings(stages, round(time.perf_counter() - self._t0, 3),
                          round(_process_cpu() - self._cpu0, 3), round(peak, 1))


def _process_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE / 2**20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _thread_cpu() -> dict[int, tuple[str, float]]:
    """``{tid: (name, CPU seconds)}`` for every thread of this process (Linux), else ``{}``."""
    out = {}
    try:
        tasks = list(_TASKS.iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            raw = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended
        head, _, rest = raw.rpartition(")")
        fields = rest.split()
        out[int(task.name)] = (head.partition("(")[2], (int(fields[11]) + int(fields[12])) / _TICK)
    return out


def _thread_name() -> str:
    try:
        return (_TASKS / str(threading.get_native_id()) / "comm").read_text().strip()
    except OSError:
        return ""


def _set_thread_name(name: str) -> None:
    try:
        with open(_TASKS / str(threading.get_native_id()) / "comm", "w") as fh:
            fh.write(name[:15])
    except OSError:
        pass
