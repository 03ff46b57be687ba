"""One search box over the recap libraries among the served folders (``vidrecap library``).

Each hit names its recap by the server's opaque id and links the recap page and the video at the
moment's start (``#t=START``: the recap page seeks there; the raw video URL uses the standard media
fragment, so browsers start playing there too).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from ..library import is_library, open_library
from ..library.stores import db_errors
from .library import Library


class LibrarySearch:
    """The libraries under the served folders, searched together (hits merged by their absolute score)."""

    def __init__(self, outdirs: list[Path], recaps: Library, urls: list[str] | None = None):
        self.recaps = recaps
        with db_errors():
            self.libraries = [open_library(d) for d in [*(d for d in outdirs if is_library(d)), *(urls or [])]]
        self._lock = threading.Lock()  # one connection per library, used by one thread at a time
        self.register_recaps()

    @property
    def enabled(self) -> bool:
        return bool(self.libraries)

    def register_recaps(self) -> None:
        """Make every recap of the libraries (nested folders too) known to the page's recap list."""
        with self._lock:
            entries = [e for lib in self.libraries for e in lib.entries() if e.status != "missing"]
        for e in entries:
            self.recaps.add(Path(e.directory))

    def search(self, query: str, top_k: int) -> dict[str, Any]:
        with self._lock, db_errors():
            results = [lib.search(query, top_k) for lib in self.libraries]
        hits = sorted((h for r in results for h in r.hits), key=lambda h: -h.score)[:top_k]
        return {"query": results[0].query if results else query,
                "hits": [self._hit(h) for h in hits],
                "missing": sorted({m for r in results for m in r.missing})}

    def _hit(self, hit) -> dict[str, Any]:
        rid = self.recaps.add(Path(hit.directory)).id
        return {"recap_id": rid, "title": hit.title, "vid": hit.vid, "start": hit.start, "end": hit.end,
                "score": hit.score, "said": hit.said, "shown": hit.shown,
                "url": f"/recaps/{rid}#t={hit.start:g}",
                "video_url": f"/recaps/{rid}/video#t={hit.start:g},{hit.end:g}"}
