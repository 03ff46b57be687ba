"""TOML training configs: typed sections whose errors name the file and the field.

Relative paths in a config are resolved against the config file's directory.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError

T = TypeVar("T")


@dataclass(frozen=True)
class Section:
    """One ``[table]`` of a config file, for typed reads with precise errors."""

    path: Path
    name: str
    values: dict[str, Any]

    @classmethod
    def of(cls, path: Path, data: dict[str, Any], name: str, required: bool = False) -> Section:
        value = data.get(name, {})
        if name not in data and required:
            raise InputError(f"{path}: field '{name}': missing section [{name}]")
        if not isinstance(value, dict):
            raise InputError(f"{path}: field '{name}': expected a table [{name}]")
        return cls(path, name, value)

    def error(self, key: str, problem: str) -> InputError:
        name = f"{self.name}.{key}" if self.name else key
        return InputError(f"{self.path}: field '{name}': {problem}")

    def sub(self, key: str) -> Section:
        value = self.values.get(key, {})
        if not isinstance(value, dict):
            raise self.error(key, "expected a table")
        return Section(self.path, f"{self.name}.{key}", value)

    def check_known(self, known: set[str]) -> None:
        unknown = sorted(set(self.values) - known)
        if unknown:
            raise self.error(unknown[0], f"unknown key (known: {', '.join(sorted(known))})")

    def path_value(self, key: str, required: bool = True) -> Path | None:
        value = self.values.get(key)
        if value is None:
            if required:
                raise self.error(key, "missing")
            return None
        if not isinstance(value, str) or not value:
            raise self.error(key, "expected a path string")
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.path.parent / path)

    def path_list(self, key: str, required: bool = True) -> list[Path]:
        value = self.values.get(key)
        if value is None and not required:
            return []
        values = value if isinstance(value, list) else [value]
        if value is None or not values or not all(isinstance(v, str) and v for v in values):
            raise self.error(key, "expected a path or a list of paths")
        return [self.path_value_of(v) for v in values]

    def path_value_of(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else (self.path.parent / path)

    def build(self, cls: type[T], skip: tuple[str, ...] = ()) -> T:
        """``cls(**section)`` for a dataclass of plain fields, checking names, types and ranges."""
        names = {f.name for f in fields(cls) if f.name not in skip}
        self.check_known(names | set(skip))
        kwargs = {}
        for f in fields(cls):
            if f.name in skip or f.name not in self.values:
                continue
            kwargs[f.name] = self._typed(f.name, self.values[f.name], f.type)
        try:
            return cls(**kwargs)
        except ValueError as exc:
            raise InputError(f"{self.path}: field '{self.name}.{exc}") from exc

    def _typed(self, key: str, value: Any, kind: Any) -> Any:
        kind = str(kind)
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.error(key, f"expected an integer, got {value!r}")
        elif kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.error(key, f"expected a number, got {value!r}")
            value = float(value)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise self.error(key, f"expected true or false, got {value!r}")
        elif kind == "str" and not isinstance(value, str):
            raise self.error(key, f"expected a string, got {value!r}")
        return value


def check_range(name: str, value: float, low: float, high: float | None = None) -> None:
    """Raise ``ValueError("name': ...")`` (completed by ``Section.build``) when out of range."""
    if value < low or (high is not None and value > high):
        upper = f" and {high}" if high is not None else ""
        raise ValueError(
            f"{name}': must be {'between ' + str(low) + upper if upper else '>= ' + str(low)}, got {value}"
        )
