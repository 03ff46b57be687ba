"""The `vidrecap search` command: table, --json, batch --queries, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vidrecap.cli import main
from vidrecap.outputs.store import save_recap

from .test_index import QUERIES


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_table_and_json(outdir, capsys):
    rc, out, err = run(capsys, "search", str(outdir), "hot lava in the crater", "--top-k", "3")
    assert rc == 0 and "score" in out and "lava" in out.lower()
    rc, out, _ = run(capsys, "search", str(outdir), "hot lava in the crater", "--json")
    row = json.loads(out)
    assert rc == 0 and set(row) == {"qid", "query", "vid", "pred_relevant_windows", "pred_saliency_scores"}


def test_batch_queries_are_valid_for_the_evaluator(outdir, tmp_path, capsys, part_spans, recap):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps({"qid": i, "query": q, "vid": "synthetic"}) + "\n"
                             for i, (_, q) in enumerate(QUERIES)) + "\n")
    rc, out, err = run(capsys, "search", str(outdir), "--queries", str(qfile))
    assert rc == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["qid"] for r in rows] == list(range(len(QUERIES)))
    assert all(r["pred_relevant_windows"] and r["vid"] == "synthetic" for r in rows)

    pytest.importorskip("vidrecap.eval.qvhighlights")
    from vidrecap.eval.qvhighlights import evaluate_qvhighlights_files

    gt = tmp_path / "gt.jsonl"
    with open(gt, "w") as fh:
        for i, (part, q) in enumerate(QUERIES):
            s, e = part_spans[part]
            clips = list(range(int(s // 2), int(e // 2)))
            fh.write(json.dumps({"qid": i, "query": q, "vid": "synthetic", "duration": recap.video.duration,
                                 "relevant_windows": [[s, e]], "relevant_clip_ids": clips,
                                 "saliency_scores": [[4, 4, 4]] * len(clips)}) + "\n")
    preds = tmp_path / "preds.jsonl"
    preds.write_text(out)
    brief = evaluate_qvhighlights_files(preds, gt).brief()
    assert brief["MR-full-R1@0.5"] >= 80, brief


@pytest.mark.parametrize("argv,message", [
    (["search", "/no/such/dir", "pizza"], "not found"),
    (["search", "{out}"], "QUERY or --queries"),
    (["search", "{out}", ""], "empty"),
    (["search", "{out}", "x" * 10_000], "too long"),
    (["search", "{out}", "pizza", "--top-k", "0"], "--top-k"),
    (["search", "{out}", "--queries", "/no/q.jsonl"], "not found"),
])
def test_errors_are_one_line(outdir, capsys, argv, message):
    rc, out, err = run(capsys, *[a.replace("{out}", str(outdir)) for a in argv])
    assert rc != 0 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("content,message", [
    ("not json\n", ":1: not valid JSON"),
    ('{"qid": 1}\n', "expected an object"),
    ('{"qid": 1, "query": "pizza"}\n{"qid": 2, "query": "  "}\n', ":2: the query is empty"),
    ('{"qid": [1], "query": "pizza"}\n', "qid must be"),
    ("\n\n", "no queries"),
])
def test_bad_queries_file(outdir, tmp_path, capsys, content, message):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text(content)
    rc, out, err = run(capsys, "search", str(outdir), "--queries", str(qfile))
    assert rc != 0 and message in err and out == ""


def test_unknown_schema_version_from_cli(outdir, recap, capsys, monkeypatch):
    from vidrecap.outputs.store import load_recap

    old = load_recap(Path(outdir))
    monkeypatch.setattr(old, "schema_version", "0.1")
    rc, _, err = run(capsys, "search", str(outdir), "pizza")
    assert rc != 0 and "schema_version" in err


def test_real_saved_directory_and_old_schema(recap, tmp_path, capsys):
    import copy

    saved = tmp_path / "saved"
    save_recap(copy.copy(recap), saved)
    rc, out, err = run(capsys, "search", str(saved), "a mountain erupting molten rock", "--json")
    assert rc == 0, err
    assert 24 <= json.loads(out)["pred_relevant_windows"][0][0] < 48
    data = json.loads((saved / "recap.json").read_text())
    data["schema_version"] = "0.9"
    (saved / "recap.json").write_text(json.dumps(data))
    for command in ("search", "highlights", "xsum"):
        argv = [command, str(saved)] + (["pizza"] if command == "search" else [])
        rc, out, err = run(capsys, *argv)
        assert rc != 0 and "schema" in err and len(err.strip().splitlines()) == 1
    rc, _, err = run(capsys, "highlights", str(tmp_path / "missing"))
    assert rc != 0 and "Traceback" not in err


def test_model_option_chooses_the_moments_backend(outdir, capsys):
    rc, out, _ = run(capsys, "search", str(outdir), "hot lava in the crater", "--json")
    default = json.loads(out)
    rc, out, _ = run(capsys, "search", str(outdir), "hot lava in the crater", "--json", "--model", "embedded")
    assert rc == 0 and json.loads(out) == default
    rc, out, err = run(capsys, "search", str(outdir), "lava", "--model", "recap")
    assert rc != 0 and err.count("\n") == 1 and "model directory" in err
    rc, out, err = run(capsys, "search", str(outdir), "lava", "--model", "nonsense")
    assert rc != 0 and "no moments backend named 'nonsense'" in err
