"""Reading json / jsonl records with errors that name the file, the line and the field."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError


@dataclass(frozen=True)
class Where:
    """A place in an input file, for error messages: path, 1-based line (0 = whole file), record key."""

    path: Path
    line: int = 0
    key: str = ""

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{place} ({self.key})" if self.key else place


def bad(where: Where, field: str, problem: str) -> InputError:
    """An ``InputError`` for one field of one record."""
    return InputError(f"{where}: field '{field}': {problem}")


def check_unique(seen: dict[Any, int], key: Any, where: Where, field: str) -> None:
    """Refuse ``key`` if an earlier line of the file had it (the error names that line); remember it."""
    if key in seen:
        raise bad(where, field, f"duplicate {field} {key!r} (first at line {seen[key]})")
    seen[key] = where.line


def read_jsonl(path: str | Path) -> Iterator[tuple[Where, dict[str, Any]]]:
    """Yield ``(where, record)`` for each non-blank line; raise InputError on the first bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = Where(path, number)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object, got {type(record).__name__}")
        count += 1
        yield where, record
    if count == 0:
        raise InputError(f"{path}: no records (empty file)")


def read_json(path: str | Path) -> Any:
    """Parse a whole json file; raise InputError with the line of a syntax error."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from exc


def field(record: dict[str, Any], name: str, where: Where) -> Any:
    """The value of a required field."""
    if name not in record:
        raise bad(where, name, "missing")
    return record[name]


def text_field(record: dict[str, Any], name: str, where: Where, required: bool = True) -> str:
    value = field(record, name, where) if required else record.get(name, "")
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise bad(where, name, f"expected a string, got {type(value).__name__}")
    return value


def id_field(record: dict[str, Any], name: str, where: Where) -> str | int:
    """A query / video id: a string or an integer (kept as is, so that ids compare like the references)."""
    value = field(record, name, where)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad(where, name, f"expected a string or integer id, got {type(value).__name__}")
    return value


def number(value: Any, name: str, where: Where) -> float:
    """A finite real number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(where, name, f"expected a number, got {type(value).__name__}")
    if not math.isfinite(value):
        raise bad(where, name, f"not a finite number ({value})")
    return value


def number_field(record: dict[str, Any], name: str, where: Where) -> float:
    return number(field(record, name, where), name, where)


def number_list(value: Any, name: str, where: Where, allow_empty: bool = True) -> list[float]:
    if not isinstance(value, list):
        raise bad(where, name, f"expected a list of numbers, got {type(value).__name__}")
    if not value and not allow_empty:
        raise bad(where, name, "empty")
    return [number(v, f"{name}[{i}]", where) for i, v in enumerate(value)]


def number_rows(value: Any, name: str, where: Where, width: int | None = None) -> list[list[float]]:
    """A list of equal-length lists of numbers (``width`` numbers each when given)."""
    if not isinstance(value, list):
        raise bad(where, name, f"expected a list of lists, got {type(value).__name__}")
    rows = [number_list(row, f"{name}[{i}]", where) for i, row in enumerate(value)]
    for i, row in enumerate(rows):
        expected = width if width is not None else len(rows[0])
        if len(row) != expected:
            raise bad(where, f"{name}[{i}]", f"expected {expected} numbers, got {len(row)}")
    return rows


def windows_field(
    record: dict[str, Any], name: str, where: Where, width: int = 2, allow_empty: bool = True
) -> list[tuple[float, ...]]:
    """``[[start, end(, score)], ...]`` with start <= end."""
    rows = number_rows(field(record, name, where), name, where, width=width)
    if not rows and not allow_empty:
        raise bad(where, name, "empty (at least one window is needed)")
    for i, row in enumerate(rows):
        if row[1] < row[0]:
            raise bad(where, f"{name}[{i}]", f"end {row[1]} is before start {row[0]}")
    return [tuple(row) for row in rows]
