from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from vidrecap.cli import main
from vidrecap.datasets.highlights import load_highlight_annotations
from vidrecap.datasets.moments import load_moment_annotations, load_moment_predictions
from vidrecap.datasets.videoxum import load_videoxum
from vidrecap.errors import InputError

GOOD_GT = {"qid": 1, "query": "q", "duration": 150, "vid": "v", "relevant_windows": [[0, 10]]}
GOOD_PRED = {"qid": 1, "query": "q", "vid": "v", "pred_relevant_windows": [[0, 10, 0.9]]}


def _jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


@pytest.mark.parametrize(
    ("second_line", "pattern"),
    [
        ('{"qid": 2, "query": "q", "duration": 150, "vid"', r"g\.jsonl:2: invalid JSON"),
        (
            {"qid": 2, "query": "q", "vid": "v", "relevant_windows": [[0, 1]]},
            r"g\.jsonl:2 \(qid 2\): field 'duration': missing",
        ),
        ({**GOOD_GT, "qid": 2, "duration": "long"}, r":2 \(qid 2\): field 'duration': expected a number"),
        (
            {**GOOD_GT, "qid": 2, "relevant_windows": [[5, 1]]},
            r":2 .*field 'relevant_windows\[0\]': end 1 is before",
        ),
        ({**GOOD_GT}, r"g\.jsonl:2: field 'qid': duplicate qid 1 \(first at line 1\)"),
        ({**GOOD_GT, "qid": [2]}, r":2: field 'qid': expected a string or integer id"),
    ],
)
def test_bad_ground_truth_names_file_line_and_field(write, second_line, pattern):
    path = write("g.jsonl", _jsonl(GOOD_GT, second_line))
    with pytest.raises(InputError, match=pattern):
        load_moment_annotations(path)


@pytest.mark.parametrize(
    ("record", "pattern"),
    [
        (
            {**GOOD_PRED, "pred_relevant_windows": []},
            r"p\.jsonl:1 \(qid 1\): field 'pred_relevant_windows': empty",
        ),
        (
            {**GOOD_PRED, "pred_relevant_windows": [[0, 10]]},
            r"field 'pred_relevant_windows\[0\]': expected 3 numbers",
        ),
        (
            '{"qid": 1, "pred_relevant_windows": [[0, 10, NaN]]}',
            r"field 'pred_relevant_windows\[0\]\[2\]': not a finite",
        ),
        (
            {**GOOD_PRED, "pred_saliency_scores": [0.1, "x"]},
            r"field 'pred_saliency_scores\[1\]': expected a number",
        ),
    ],
)
def test_bad_predictions_name_file_line_and_field(write, record, pattern):
    with pytest.raises(InputError, match=pattern):
        load_moment_predictions(write("p.jsonl", _jsonl(record)))


def test_empty_file_and_other_loaders(write):
    with pytest.raises(InputError, match=r"e\.jsonl: no records"):
        load_moment_predictions(write("e.jsonl", "\n"))
    with pytest.raises(InputError, match=r"h\.jsonl:1 \(qid a\): field 'label': missing"):
        load_highlight_annotations(write("h.jsonl", _jsonl({"qid": "a", "domain": "x", "duration": 3})))
    with pytest.raises(InputError, match=r"x\.json \(video #0 v1\): field 'vsum_onehot': expected 0/1"):
        load_videoxum(
            write(
                "x.json", json.dumps([{"video_id": "v1", "duration": 2, "tsum": [], "vsum_onehot": [[0, 2]]}])
            )
        )
    with pytest.raises(InputError, match=r"t\.json:1: invalid JSON"):
        load_videoxum(write("t.json", "[{"))


def test_cli_reports_one_line_and_exit_2(write, capsys):
    gt = write("g.jsonl", _jsonl(GOOD_GT, {**GOOD_GT, "qid": 2}))
    pred = write("p.jsonl", _jsonl(GOOD_PRED))
    assert main(["eval", "qvhighlights", "--pred", str(pred), "--gt", str(gt)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "1 ground-truth qids have no prediction" in err and "g.jsonl:2" in err
    assert main(["eval", "charades", "--pred", str(pred), "--gt", str(gt.with_name("missing.jsonl"))]) == 2


def test_table_output(write, capsys):
    gt = write("g.jsonl", _jsonl(GOOD_GT))
    pred = write("p.jsonl", _jsonl(GOOD_PRED))
    assert main(["eval", "charades", "--pred", str(pred), "--gt", str(gt)]) == 0
    out = capsys.readouterr().out
    assert "R1@0.5" in out and "100" in out


FORBIDDEN = (
    "torch",
    "vidrecap.pipeline",
    "vidrecap.backends",
    "vidrecap.moments",
    "vidrecap.train",
    "transformers",
    "sentence_transformers",
)


def test_eval_and_datasets_import_no_model_code():
    src = Path(__file__).resolve().parents[2] / "src" / "vidrecap"
    for folder in ("eval", "datasets"):
        for path in (src / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = "vidrecap." + node.module if node.level == 2 and node.module else node.module or ""
                    names = [base]
                for name in names:
                    assert not name.startswith(FORBIDDEN), f"{path} imports {name}"
