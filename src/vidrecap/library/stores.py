"""Which store a library location names: a folder (embedded SQLite + FAISS) or a database URL.

One small registry keyed by URL scheme; every command and the Python API go through
``open_library`` / ``is_library``. Stores whose module has heavy or optional dependencies are
imported only when a location names them.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
# scheme -> (module, opener name); "" is a folder
_STORES: dict[str, tuple[str, str]] = {
    "": ("vidrecap.library.collection", "RecapLibrary"),
    "postgresql": ("vidrecap.library.pg_library", "PgLibrary"),
    "postgres": ("vidrecap.library.pg_library", "PgLibrary"),
}


def scheme(location: str | Path) -> str:
    """``postgresql`` for ``postgresql://...``, ``""`` for a folder."""
    m = _URL.match(str(location))
    return m.group(1).lower() if m else ""


def is_url(location: str | Path) -> bool:
    return bool(scheme(location))


def _store(location: str | Path) -> Any:
    from ..errors import InputError

    name = scheme(location)
    if name not in _STORES:
        known = ", ".join(f"{s}://" for s in _STORES if s)
        raise InputError(f"{mask(str(location))}: unknown library store {name!r} (a folder, or {known})")
    module, attr = _STORES[name]
    return getattr(importlib.import_module(module), attr)


def open_library(location: str | Path, create: bool = False):
    """The library at ``location``: a folder, or ``postgresql://user@host/db`` (credentials from the URL,
    ``PGPASSWORD``/``PGUSER``/... or ``~/.pgpass``)."""
    return _store(location).open(location, create=create)


def is_library(location: str | Path) -> bool:
    """Whether ``location`` holds a library (a URL is always taken as one; opening it checks)."""
    if is_url(location):
        return True
    from .collection import CATALOG_FILE, LIBRARY_DIR

    return (Path(location) / LIBRARY_DIR / CATALOG_FILE).is_file()


def mask(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***``."""
    return re.sub(r"(://[^/\s:@]*:)[^@\s/]*@", r"\1***@", re.sub(r"(password=)\S+", r"\1***", text))



@contextmanager
def db_errors() -> Iterator[None]:
    """A database client's error (connection lost, permission denied) as one masked ``VidrecapError`` line."""
    from ..errors import VidrecapError

    try:
        yield
    except Exception as exc:
        if not type(exc).__module__.startswith("psycopg"):
            raise
        raise VidrecapError(f"database: {mask(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))}"
                            ) from None
