"""Atomic file writes and the cache location."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_root() -> Path:
    """``$VIDRECAP_CACHE``, else ``$XDG_CACHE_HOME/vidrecap``, else ``~/.cache/vidrecap``."""
    env = os.environ.get("VIDRECAP_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "vidrecap"


def model_cache_root() -> Path:
    """Where prepared model files live: ``$VIDRECAP_MODEL_CACHE``, else ``cache_root()/models``."""
    env = os.environ.get("VIDRECAP_MODEL_CACHE")
    return Path(env) if env else cache_root() / "models"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=1) + "\n")


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; ``InputError`` naming the file for a missing, non-UTF-8 or invalid one."""
    import tomllib

    from ..errors import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: config file not found")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
