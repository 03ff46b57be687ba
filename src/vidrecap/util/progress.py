"""Progress bars per stage (rich), or nothing when quiet."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Cancelled(Exception):
    """Raised inside a worker when the run was interrupted."""


ProgressListener = Callable[[str, float, float], None]  # (stage, done, total)


class StageProgress:
    """``with StageProgress(quiet) as p: update = p.stage("speech", total=duration)``.

    ``listener`` (if any) is called with ``(stage, done, total)`` on every update, bars or not.
    """

    def __init__(self, quiet: bool = False, listener: ProgressListener | None = None):
        self.quiet, self.listener = quiet, listener
        self.stop = threading.Event()
        self._progress = None

    def __enter__(self) -> StageProgress:
        if not self.quiet:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(TextColumn("{task.description:<12}"), BarColumn(), TaskProgressColumn(),
                                      TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                                      console=Console(stderr=True), transient=False)
            self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def stage(self, name: str, total: float) -> Callable[[float], None]:
        """A callback setting how much of ``total`` is done; raises ``Cancelled`` after ``stop``."""
        task = self._progress.add_task(name, total=max(total, 1e-9)) if self._progress else None

        def update(done: float) -> None:
            if self.stop.is_set():
                raise Cancelled()
            if task is not None:
                self._progress.update(task, completed=min(done, total))
            if self.listener is not None:
                self.listener(name, min(done, total), total)

        return update
