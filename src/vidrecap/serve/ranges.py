"""HTTP byte ranges (RFC 9110 §14) for serving large videos: parse ``Range``, stream one part.

One range gets a 206 with ``Content-Range``; a suffix range ``bytes=-N`` means the last N bytes; an
end past the file is clamped. Malformed or unsatisfiable byte ranges are ``RangeNotSatisfiable``
(416). Other units and multi-range requests are ignored (the whole file, 200), as RFC 9110 allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 256 * 1024
_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(Exception):
    """The Range header asks for bytes the file does not have, or cannot be parsed."""


@dataclass(frozen=True)
class ByteRange:
    """Bytes ``start..end`` inclusive of a file of ``size`` bytes."""

    start: int
    end: int
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range ``header`` asks for, or None to send the whole file."""
    if header is None:
        return None
    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    parts = [p for p in specs.split(",") if p.strip()]
    if not parts:
        raise RangeNotSatisfiable(header)
    if len(parts) > 1:
        return None
    return _parse_spec(parts[0], size)


def _parse_spec(spec: str, size: int) -> ByteRange:
    match = _SPEC.match(spec)
    if match is None or match.group(1) == match.group(2) == "":
        raise RangeNotSatisfiable(spec)
    first, last = match.group(1), match.group(2)
    if first == "":  # suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise RangeNotSatisfiable(spec)
        return ByteRange(max(0, size - n), size - 1, size)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if last != "" and int(last) < start:
        raise RangeNotSatisfiable(spec)
    if start >= size:
        raise RangeNotSatisfiable(spec)
    return ByteRange(start, end, size)


def read_chunks(path: Path, start: int, length: int, chunk: int = CHUNK_BYTES) -> Iterator[bytes]:
    """``length`` bytes of ``path`` from ``start``, in chunks (stops early if the file shrank)."""
    with path.open("rb") as f:
        f.seek(start)
        left = length
        while left > 0:
            data = f.read(min(chunk, left))
            if not data:
                return
            left -= len(data)
            yield data
