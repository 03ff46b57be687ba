"""Caption references and predictions: Ego4D-HCap (Video ReCap) files and plain jsonl.

Ego4D-HCap (``datasets.md`` of Video ReCap), as pickle or the same structure in json:

- ``clips_{train,val}.pkl``: a list of tuples ``(vid, start_sec, end_sec, clip_caption)``;
- ``segments_{train,val}.pkl``: a list of dicts ``{vid, start_sec, end_sec, segment_description,
  captions_gt?, captions_pred?}``;
- ``videos_{train,val}.pkl``: a list of dicts ``{vid, start_sec, end_sec, video_summary,
  segment_descriptions?, segment_descriptions_pred?}``.

Each item gets the id ``"{vid}_{start_sec:g}_{end_sec:g}"``. Plain references jsonl:
``{"id": ..., "references": ["...", ...]}`` (or ``"caption"``). Predictions jsonl:
``{"id": ..., "caption": "..."}`` or ``{"vid", "start_sec", "end_sec", "caption"}``.

Pickles are read with an unpickler that only builds plain containers, strings and numbers.
"""

from __future__ import annotations

import builtins
import io
import pickle
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ._records import Where, bad, check_unique, number, read_json, read_jsonl

HCAP_LEVELS = {"clip": "clip_caption", "segment": "segment_description", "video": "video_summary"}
_SAFE_BUILTINS = frozenset(
    {"list", "tuple", "dict", "set", "frozenset", "str", "int", "float", "bool", "bytes"}
)


@dataclass(frozen=True)
class CaptionItem:
    """One captioned span: its id, level (clip / segment / video / other) and reference captions."""

    id: str
    level: str
    references: list[str]
    vid: str = ""
    start_sec: float = 0.0
    end_sec: float = 0.0


def span_id(vid: str, start_sec: float, end_sec: float) -> str:
    return f"{vid}_{start_sec:g}_{end_sec:g}"


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if module == "builtins" and name in _SAFE_BUILTINS:
            return getattr(builtins, name)
        if module in ("numpy.core.multiarray", "numpy._core.multiarray", "numpy") and name in (
            "scalar",
            "dtype",
        ):
            import numpy

            core = getattr(numpy, "_core", None) or numpy.core
            return core.multiarray.scalar if name == "scalar" else numpy.dtype
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _read_pickle(path: Path):
    try:
        return _PlainUnpickler(io.BytesIO(path.read_bytes())).load()
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: not a readable Ego4D-HCap pickle ({exc})") from exc


def load_hcap(path: str | Path) -> list[CaptionItem]:
    """Read an Ego4D-HCap clips / segments / videos file (.pkl or .json); the level is detected."""
    path = Path(path)
    data = _read_pickle(path) if path.suffix in (".pkl", ".pickle") else read_json(path)
    if not isinstance(data, list) or not data:
        raise InputError(f"{path}: expected a non-empty list of Ego4D-HCap items")
    items = [_parse_hcap_item(entry, Where(path, 0, f"item #{i}")) for i, entry in enumerate(data)]
    levels = {item.level for item in items}
    if len(levels) > 1:
        raise InputError(f"{path}: mixes hierarchy levels {sorted(levels)}")
    return items


def _parse_hcap_item(entry, where: Where) -> CaptionItem:
    if isinstance(entry, list | tuple):
        if len(entry) != 4:
            raise InputError(f"{where}: expected a clip tuple (vid, start_sec, end_sec, clip_caption)")
        vid, start, end, caption = entry
        level, captions = "clip", caption
    elif isinstance(entry, dict):
        level = next((name for name, key in HCAP_LEVELS.items() if key in entry), "")
        if not level:
            raise InputError(f"{where}: no caption field (one of {', '.join(HCAP_LEVELS.values())})")
        vid, start, end, captions = (
            entry.get("vid"),
            entry.get("start_sec"),
            entry.get("end_sec"),
            entry[HCAP_LEVELS[level]],
        )
    else:
        raise InputError(f"{where}: expected a tuple or an object, got {type(entry).__name__}")
    if not isinstance(vid, str):
        raise bad(where, "vid", "missing or not a string")
    start, end = number(start, "start_sec", where), number(end, "end_sec", where)
    references = [captions] if isinstance(captions, str) else captions
    if not isinstance(references, list) or not references or not all(isinstance(c, str) for c in references):
        raise bad(where, HCAP_LEVELS[level], "expected a caption string (or a non-empty list of strings)")
    return CaptionItem(span_id(vid, start, end), level, list(references), vid, float(start), float(end))


def load_caption_references(path: str | Path) -> dict[str, list[str]]:
    """References by id from an Ego4D-HCap file or a plain jsonl."""
    path = Path(path)
    if path.suffix in (".pkl", ".pickle", ".json"):
        return {item.id: item.references for item in load_hcap(path)}
    references: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for where, record in read_jsonl(path):
        key = _record_id(record, where)
        value = record.get("references", record.get("caption"))
        refs = [value] if isinstance(value, str) else value
        if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
            raise bad(where, "references", "expected a non-empty list of strings (or 'caption')")
        check_unique(seen, key, where, "id")
        references[key] = refs
    return references


def load_caption_predictions(path: str | Path) -> dict[str, str]:
    predictions: dict[str, str] = {}
    seen: dict[str, int] = {}
    for where, record in read_jsonl(path):
        key = _record_id(record, where)
        caption = record.get("caption")
        if not isinstance(caption, str):
            raise bad(where, "caption", "missing or not a string")
        check_unique(seen, key, where, "id")
        predictions[key] = caption
    return predictions


def _record_id(record: dict, where: Where) -> str:
    if record.get("id") is not None:
        return str(record["id"])
    if isinstance(record.get("vid"), str) and "start_sec" in record and "end_sec" in record:
        return span_id(
            record["vid"],
            number(record["start_sec"], "start_sec", where),
            number(record["end_sec"], "end_sec", where),
        )
    raise bad(where, "id", "missing (give 'id', or 'vid' + 'start_sec' + 'end_sec')")
