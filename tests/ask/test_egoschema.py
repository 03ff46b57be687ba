"""EgoSchema files and accuracy (eval reads files only)."""

from __future__ import annotations

import json

import pytest

from vidrecap.datasets.egoschema import load_answers, load_questions
from vidrecap.errors import InputError
from vidrecap.eval.egoschema import evaluate_choices, evaluate_egoschema_files


def write(path, obj):
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def test_questions_are_read_and_validated(tmp_path):
    good = {"q_uid": "a1", "google_drive_id": "z", "question": "What is cooked?",
            **{f"option {i}": o for i, o in enumerate(["pasta", "rice", "soup", "fish", "bread"])}}
    items = load_questions(write(tmp_path / "q.json", [good]))
    assert items[0].q_uid == "a1" and items[0].options[4] == "bread"
    for broken, message in [({**good, "option 1": ""}, "empty"),
                            ({k: v for k, v in good.items() if k != "option 2"}, "without gaps"),
                            ({k: v for k, v in good.items() if k != "question"}, "missing")]:
        with pytest.raises(InputError, match=message):
            load_questions(write(tmp_path / "b.json", [broken]))
    with pytest.raises(InputError, match="duplicate q_uid"):
        load_questions(write(tmp_path / "d.json", [good, good]))
    with pytest.raises(InputError, match="invalid JSON"):
        load_questions(write(tmp_path / "j.json", "[{"))


def test_answers_from_json_or_kaggle_csv(tmp_path):
    assert load_answers(write(tmp_path / "a.json", {"x": 1, "y": 4})) == {"x": 1, "y": 4}
    assert load_answers(write(tmp_path / "a.csv", "q_uid,answer\nx,1\ny,4\n")) == {"x": 1, "y": 4}
    with pytest.raises(InputError, match="answer index"):
        load_answers(write(tmp_path / "b.json", {"x": 7}))
    with pytest.raises(InputError, match="header"):
        load_answers(write(tmp_path / "b.csv", "id,pred\nx,1\n"))


def test_accuracy_counts_missing_predictions_as_wrong(tmp_path):
    result = evaluate_choices({"a": 1, "b": 2, "z": 0}, {"a": 1, "b": 3, "c": 0, "d": 2})
    assert (result.accuracy, result.correct, result.questions, result.missing, result.extra) == (0.25, 1, 4, 2, 1)
    files = evaluate_egoschema_files(write(tmp_path / "p.csv", "q_uid,answer\na,1\n"),
                                     write(tmp_path / "g.json", {"a": 1, "b": 0}))
    assert files.accuracy == 0.5
