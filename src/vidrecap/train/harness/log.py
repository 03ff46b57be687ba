"""The metrics log every trainer writes: ``OUT/metrics.csv``."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from .distributed import is_main


class MetricsLog:
    """Append-only CSV: ``time,stage,step,split,metric,value`` (one row per number); under
    ``torchrun`` only rank 0 writes it."""

    HEADER = ("time", "stage", "step", "split", "metric", "value")

    def __init__(self, path: Path):
        self.path, self.enabled = path, is_main()
        if not self.enabled:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            with open(path, "w", newline="") as fh:
                csv.writer(fh).writerow(self.HEADER)

    def write(self, stage: str, step: int, split: str, metrics: dict[str, float]) -> None:
        if not self.enabled:
            return
        now = f"{time.time():.3f}"
        with open(self.path, "a", newline="") as fh:
            writer = csv.writer(fh)
            for name, value in metrics.items():
                if isinstance(value, int | float) and value is not None:
                    writer.writerow((now, stage, step, split, name, f"{float(value):.6g}"))
