"""Append-only JSON-lines journals: the resume mechanism of long stages.

Each finished unit of work is one line, flushed and fsynced. A run killed mid-write leaves at most
one torn last line, which ``read`` ignores, so the next run resumes after the last whole unit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class Journal:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = None

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        entries, good_bytes = [], 0
        with open(self.path, "rb") as fh:
            for raw in fh:
                try:
                    entries.append(json.loads(raw))
                except ValueError:
                    break
                if not raw.endswith(b"\n"):
                    entries.pop()
                    break
                good_bytes += len(raw)
        if good_bytes != self.path.stat().st_size:
            with open(self.path, "r+b") as fh:  # drop the torn tail before appending again
                fh.truncate(good_bytes)
        return entries

    def append(self, entry: dict[str, Any]) -> None:
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
