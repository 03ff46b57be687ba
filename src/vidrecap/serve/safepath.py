"""Resolve a client-supplied relative path inside a root directory, or refuse it.

Refused (``Forbidden``): absolute paths, drive letters, backslashes, NUL bytes, ``..`` segments in the
path as given or after up to two more rounds of percent-decoding (double-encoded variants), and any
path whose real location (symlinks resolved) lies outside the root. Missing files are ``NotFound``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

_DRIVE = re.compile(r"^[A-Za-z]:")
_DECODE_ROUNDS = 3


class Forbidden(Exception):
    """The path tries to leave its root."""


class NotFound(Exception):
    """No regular file at that path."""


def decoded_variants(path: str) -> list[str]:
    """``path`` and its successive percent-decodings (until stable)."""
    variants = [path]
    for _ in range(_DECODE_ROUNDS):
        nxt = unquote(variants[-1])
        if nxt == variants[-1]:
            break
        variants.append(nxt)
    return variants


def is_suspicious(path: str) -> bool:
    """True if any decoding of ``path`` is absolute or climbs out with ``..``."""
    for text in decoded_variants(path):
        if "\x00" in text or "\\" in text or text.startswith(("/", "~")) or _DRIVE.match(text):
            return True
        if ".." in PurePosixPath(text).parts:
            return True
    return False


def resolve_inside(root: Path, relative: str) -> Path:
    """The real path of file ``relative`` under ``root``; ``Forbidden`` if it escapes, else ``NotFound``."""
    if not relative or is_suspicious(relative):
        raise Forbidden(relative)
    real_root = root.resolve()
    try:
        target = (real_root / relative).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise NotFound(relative) from exc
    except (OSError, RuntimeError) as exc:  # symlink loops, name too long
        raise Forbidden(relative) from exc
    if not target.is_relative_to(real_root):
        raise Forbidden(relative)
    if not target.is_file():
        raise NotFound(relative)
    return target
