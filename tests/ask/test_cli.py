"""``vidrecap ask`` and ``vidrecap eval egoschema`` end to end, and their input errors."""

from __future__ import annotations

import json
import re

import pytest

from vidrecap.cli import main

from .facts import CHOICES


def egoschema_files(tmp_path):
    questions = [{"q_uid": f"q{i}", "google_drive_id": "x", "question": q,
                  **{f"option {k}": o for k, o in enumerate(options)}} for i, (q, options, _) in enumerate(CHOICES)]
    answers = {f"q{i}": a for i, (_, _, a) in enumerate(CHOICES)}
    (tmp_path / "questions.json").write_text(json.dumps(questions))
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    return tmp_path / "questions.json", tmp_path / "answers.json"


def test_ask_prints_the_answer_and_json(facts_out, capsys):
    assert main(["ask", str(facts_out), "How long should the spaghetti cook?"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"\[0:\d\d\]", text) and "confidence" in text
    assert main(["ask", str(facts_out), "Which team won the basketball championship final?", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["found"] is False and row["citations"] == [] and row["evidence"]


def test_choices_file_and_egoschema_accuracy(facts_out, tmp_path, capsys):
    questions, answers = egoschema_files(tmp_path)
    preds = tmp_path / "preds.json"
    assert main(["ask", str(facts_out), "--choices-file", str(questions), "--output", str(preds)]) == 0
    predicted = json.loads(preds.read_text())
    assert set(predicted) == {f"q{i}" for i in range(len(CHOICES))}
    capsys.readouterr()
    assert main(["eval", "egoschema", "--pred", str(preds), "--gt", str(answers), "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["questions"] == len(CHOICES) and metrics["accuracy"] >= 0.75


@pytest.mark.parametrize("args, message", [
    (["ask", "/no/such/dir", "q"], "output directory not found"),
    (["ask", "OUT"], "give either a QUESTION or --choices-file"),
    (["ask", "OUT", "   "], "the query is empty"),
    (["ask", "OUT", "q", "--writer", "nosuch"], "no writer backend named 'nosuch'"),
    (["ask", "OUT", "--choices-file", "BAD"], "option 1"),
])
def test_bad_input_is_one_line_and_exit_2(facts_out, tmp_path, capsys, args, message):
    (tmp_path / "bad.json").write_text(json.dumps([{"q_uid": "a", "question": "q?", "option 0": "x"}]))
    args = [str(facts_out) if a == "OUT" else str(tmp_path / "bad.json") if a == "BAD" else a for a in args]
    code = main(args)
    err = capsys.readouterr().err.strip()
    assert code in (2, 3) and message in err and len(err.splitlines()) == 1, err


def test_top_level_api(facts_out):
    import vidrecap

    answer = vidrecap.ask(facts_out, "What animal wakes up under the trees?")
    assert isinstance(answer, vidrecap.Answer) and answer.found and "rabbit" in answer.answer.lower()
