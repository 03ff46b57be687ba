"""EgoSchema files: the questions (``questions.json``), answers (``subset_answers.json``) and predictions.

- questions: a JSON list of ``{"q_uid", "question", "option 0", ..., "option 4"}`` (other keys, e.g.
  ``google_drive_id``, are ignored); the option keys must run from ``option 0`` without gaps.
- answers and predictions: a JSON object ``{q_uid: answer_index}``, or the Kaggle submission CSV
  (header ``q_uid,answer``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._records import Where, bad, check_unique, read_json, text_field

MAX_OPTIONS = 5
_OPTION_KEY = re.compile(r"^option (\d+)$")


@dataclass(frozen=True)
class ChoiceQuestion:
    """One multiple-choice question about one video."""

    q_uid: str
    question: str
    options: tuple[str, ...]


def load_questions(path: str | Path) -> list[ChoiceQuestion]:
    """Read and validate an EgoSchema-style questions file (a list, or a single object)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"questions file not found: {path}")
    data = read_json(path)
    records = [data] if isinstance(data, dict) else data
    if not isinstance(records, list) or not records:
        raise InputError(f"{path}: expected a non-empty JSON list of questions")
    seen: dict[Any, int] = {}
    out = []
    for i, record in enumerate(records, 1):
        where = Where(path, 0, f"question {i}")
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected an object, got {type(record).__name__}")
        q_uid = text_field(record, "q_uid", where).strip()
        if not q_uid:
            raise bad(where, "q_uid", "empty")
        check_unique(seen, q_uid, Where(path, i, q_uid), "q_uid")
        question = text_field(record, "question", where).strip()
        if not question:
            raise bad(where, "question", "empty")
        out.append(ChoiceQuestion(q_uid, question, _options(record, where)))
    return out


def _options(record: dict[str, Any], where: Where) -> tuple[str, ...]:
    numbers = sorted(int(m.group(1)) for key in record if (m := _OPTION_KEY.match(str(key))))
    if len(numbers) < 2:
        raise bad(where, "option 0", "at least two options ('option 0', 'option 1', ...) are needed")
    if numbers != list(range(len(numbers))) or len(numbers) > MAX_OPTIONS:
        raise bad(where, f"option {numbers[-1]}", f"options must be 'option 0'..'option {MAX_OPTIONS - 1}' "
                  "without gaps")
    options = tuple(text_field(record, f"option {n}", where).strip() for n in numbers)
    empty = [n for n, o in zip(numbers, options, strict=True) if not o]
    if empty:
        raise bad(where, f"option {empty[0]}", "empty")
    return options


def load_answers(path: str | Path) -> dict[str, int]:
    """``{q_uid: answer_index}`` from a JSON object or a ``q_uid,answer`` CSV."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".csv":
        return _answers_csv(path)
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object {{q_uid: answer_index}}")
    return {str(k): _index(v, Where(path, 0, str(k))) for k, v in data.items()}


def _answers_csv(path: Path) -> dict[str, int]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or not {"q_uid", "answer"} <= set(rows[0]):
        raise InputError(f"{path}: expected a CSV with a header 'q_uid,answer' and at least one row")
    out: dict[str, int] = {}
    seen: dict[Any, int] = {}
    for line, row in enumerate(rows, 2):
        where = Where(path, line, row["q_uid"] or "")
        check_unique(seen, row["q_uid"], where, "q_uid")
        try:
            value: Any = int(str(row["answer"]).strip())
        except ValueError:
            raise bad(where, "answer", f"expected an option index, got {row['answer']!r}") from None
        out[str(row["q_uid"])] = _index(value, where)
    return out


def _index(value: Any, where: Where) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_OPTIONS:
        raise InputError(f"{where}: expected an answer index 0..{MAX_OPTIONS - 1}, got {value!r}")
    return value
