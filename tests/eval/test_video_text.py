"""EK100 MIR, EgoMCQ and retrieval metrics against hand-computed values and a loop re-derivation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from vidrecap.cli import main
from vidrecap.errors import InputError
from vidrecap.eval.video_text import (
    evaluate_egomcq,
    evaluate_ek100_mir,
    evaluate_retrieval,
    mir_average_precision,
    mir_ndcg,
    retrieval_ranks,
)


def test_average_precision_by_hand():
    sim = np.array([[0.9, 0.5, 0.1]])
    assert mir_average_precision(sim, np.array([[1.0, 0, 1]])) == pytest.approx((1 + 2 / 3) / 2)
    # the official code counts hits as the running *sum of relevancies*, fractional ones included
    assert mir_average_precision(sim, np.array([[1.0, 0.5, 1]])) == pytest.approx((1 + 2.5 / 3) / 2)


def test_ndcg_by_hand():
    sim = np.array([[0.9, 0.5, 0.1]])
    rel = np.array([[0.5, 1.0, 0.0]])  # two relevant items: only the first two ranks count
    dcg = 0.5 / math.log2(2) + 1.0 / math.log2(3)
    idcg = 1.0 / math.log2(2) + 0.5 / math.log2(3)
    assert mir_ndcg(sim, rel) == pytest.approx(dcg / idcg)
    assert mir_ndcg(rel, rel) == pytest.approx(1.0)


def _loop_ap(scores, rels):
    order = sorted(range(len(scores)), key=lambda j: -scores[j])
    total, running = 0.0, 0.0
    for k, j in enumerate(order, start=1):
        running += rels[j]
        if rels[j] == 1:
            total += running / k
    return total / sum(1 for r in rels if r == 1)


def _loop_ndcg(scores, rels):
    k = sum(1 for r in rels if r > 0)
    ranked = [rels[j] for j in sorted(range(len(scores)), key=lambda j: -scores[j])][:k]
    ideal = sorted(rels, reverse=True)[:k]
    dcg = sum(r / math.log2(i + 2) for i, r in enumerate(ranked))
    return dcg / sum(r / math.log2(i + 2) for i, r in enumerate(ideal))


def test_mir_both_directions_match_a_loop_derivation():
    rng = np.random.default_rng(3)
    sim = rng.normal(size=(7, 9))
    rel = rng.choice([0.0, 0.25, 0.5, 1.0], size=(7, 9), p=[0.5, 0.1, 0.1, 0.3])
    rel[np.arange(7), np.arange(7)] = 1.0
    rel[np.arange(7, 9) - 7, np.arange(7, 9)] = 1.0
    out = evaluate_ek100_mir(sim, rel).to_dict()
    v2t_map = np.mean([_loop_ap(sim[i], rel[i]) for i in range(7)])
    t2v_map = np.mean([_loop_ap(sim[:, j], rel[:, j]) for j in range(9)])
    assert out["mAP"]["V->T"] == pytest.approx(100 * v2t_map)
    assert out["mAP"]["T->V"] == pytest.approx(100 * t2v_map)
    assert out["mAP"]["avg"] == pytest.approx(50 * (v2t_map + t2v_map))
    assert out["nDCG"]["V->T"] == pytest.approx(100 * np.mean([_loop_ndcg(sim[i], rel[i]) for i in range(7)]))
    assert out["nDCG"]["T->V"] == pytest.approx(
        100 * np.mean([_loop_ndcg(sim[:, j], rel[:, j]) for j in range(9)])
    )


def test_egomcq_accuracy_per_type():
    scores = np.array([[0.1, 0.9, 0.0], [0.5, 0.5, 0.2], [0.3, 0.2, 0.1]])
    out = evaluate_egomcq(scores, np.array([1, 1, 0]), np.array([1, 2, 2]))
    # a tie goes to the first maximum (argmax), so question 2 is wrong
    assert out.accuracy == {"inter_video": 100.0, "intra_video": 50.0}
    assert out.counts == {"inter_video": 1, "intra_video": 2}


def test_retrieval_ranks_and_recall():
    sim = np.array([[0.9, 0.1, 0.3], [0.5, 0.5, 0.5], [0.2, 0.8, 0.1]])
    ranks = retrieval_ranks(sim, np.array([0, 1, 2]))
    assert ranks.tolist() == [0.0, 1.0, 2.0]  # row 1: a 3-way tie averages to rank 1
    out = evaluate_retrieval(sim, np.array([0, 1, 2]))
    assert out["T->V"]["R@1"] == pytest.approx(100 / 3)
    assert out["T->V"]["R@5"] == 100.0
    assert out["T->V"]["MedR"] == 2.0
    assert "V->T" in out


def test_eval_cli_reads_files(tmp_path, capsys):
    sim = np.array([[0.9, 0.1], [0.2, 0.8]])
    np.save(tmp_path / "sim.npy", sim)
    np.save(tmp_path / "rel.npy", np.eye(2))
    (tmp_path / "gt.json").write_text(json.dumps([0, 1]))
    assert main(["eval", "ek100-mir", "--pred", str(tmp_path / "sim.npy"), "--gt", str(tmp_path / "rel.npy"),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mAP"]["avg"] == 100.0
    assert main(["eval", "retrieval", "--pred", str(tmp_path / "sim.npy"), "--gt", str(tmp_path / "gt.json"),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["T->V"]["R@1"] == 100.0
    mcq = {"0": {"answer": 1, "types": 2, "choices": {"0": {}, "1": {}}}}
    (tmp_path / "mcq.json").write_text(json.dumps(mcq))
    (tmp_path / "pred.json").write_text(json.dumps({"0": [0.1, 0.7]}))
    assert main(["eval", "egomcq", "--pred", str(tmp_path / "pred.json"), "--gt", str(tmp_path / "mcq.json"),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["intra_video"] == 100.0


def test_bad_inputs_are_one_line_errors(tmp_path, capsys):
    np.save(tmp_path / "sim.npy", np.zeros((2, 3)))
    np.save(tmp_path / "rel.npy", np.eye(2))
    assert main(["eval", "ek100-mir", "--pred", str(tmp_path / "sim.npy"), "--gt", str(tmp_path / "rel.npy")]) == 2
    assert "same shape" in capsys.readouterr().err
    with pytest.raises(InputError, match="no item of relevancy 1"):
        evaluate_ek100_mir(np.zeros((2, 2)), np.array([[1.0, 0], [0, 0.5]]))
