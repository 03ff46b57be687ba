"""Moment retrieval on a synthetic four-part recap embedded with the real MiniLM encoder."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import vidrecap
from vidrecap.errors import InputError, VidrecapError
from vidrecap.moments import MomentIndex, MomentResult, search

QUERIES = [  # (part, query): narration words, paraphrase, slide text
    (0, "knead the dough with flour and yeast"),
    (0, "someone prepares an Italian flatbread with melted cheese"),
    (0, "margherita recipe"),
    (1, "hot lava glows red in the crater"),
    (1, "a mountain erupting molten rock"),
    (1, "Etna eruption facts"),
    (2, "keep your wrists relaxed on the keys"),
    (2, "learning to play a musical instrument"),
    (2, "C major scale"),
    (3, "twin turbo engine horsepower"),
    (3, "a fast automobile on a racing circuit"),
    (3, "top speed km/h"),
]
UNRELATED = ["a penguin colony in antarctica", "how to write a cover letter", "a tennis match final set"]


def inside(window, span, slack=2.0) -> bool:
    return window.start >= span[0] - slack and window.end <= span[1] + slack


@pytest.mark.parametrize("part,query", QUERIES)
def test_top_window_is_inside_the_part(index, part_spans, part, query):
    result = index.predict(query)
    assert inside(result.top, part_spans[part]), (query, result.windows[:3])
    assert result.top.score > 0.6


def test_unrelated_queries_score_clearly_lower(index):
    best_unrelated = max(index.predict(q).top.score for q in UNRELATED)
    worst_match = min(index.predict(q).top.score for _, q in QUERIES)
    assert best_unrelated < 0.45 < worst_match
    assert worst_match - best_unrelated > 0.3


def test_result_is_a_qvhighlights_row(index, recap):
    result = index.predict("volcano", top_k=3, qid=7, vid="v1")
    row = result.to_dict()
    assert list(row) == ["qid", "query", "vid", "pred_relevant_windows", "pred_saliency_scores"]
    assert row["qid"] == 7 and row["vid"] == "v1" and row["query"] == "volcano"
    assert 1 <= len(row["pred_relevant_windows"]) <= 3
    assert all(len(w) == 3 and w[0] < w[1] <= recap.video.duration for w in row["pred_relevant_windows"])
    assert len(row["pred_saliency_scores"]) == len(recap.cells)
    json.dumps(row)


def test_windows_sorted_and_non_overlapping(index):
    ws = index.predict("piano", top_k=10).windows
    assert [w.score for w in ws] == sorted((w.score for w in ws), reverse=True)
    spans = sorted((w.start, w.end) for w in ws)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_search_function_and_top_level_export(recap, encoder):
    result = search(recap, "sports car engine", top_k=2)
    assert isinstance(result, MomentResult) and len(result.windows) <= 2
    assert vidrecap.search(recap, "sports car engine", top_k=2).windows == result.windows


def test_exact_rare_word_found_lexically(index, part_spans):
    scores = index.score("mozzarella")
    assert scores.lexical.argmax() < part_spans[0][1] / 2
    assert inside(index.predict("mozzarella").top, part_spans[0])


@pytest.mark.parametrize("query,message", [
    ("", "empty"), ("   \n\t", "empty"), ("x" * 10_000, "too long"), (None, "must be text"),
])
def test_bad_queries_are_input_errors(index, query, message):
    with pytest.raises(InputError, match=message):
        index.predict(query)


def test_unicode_and_stopword_queries_work(index):
    for q in ["pizza 🍕 ricetta italiana", "Vulkan Ausbruch Lava", "火山 溶岩", "the of and"]:
        result = index.predict(q)
        assert result.windows and len(result.saliency) == index.n_cells
        assert all(np.isfinite(w.score) for w in result.windows)


def test_old_schema_and_missing_dir_are_clear_errors(recap, tmp_path):
    old = dataclasses.replace(recap, schema_version="0.3")
    with pytest.raises(InputError, match="schema_version"):
        MomentIndex.build(old)
    with pytest.raises(InputError, match="schema_version"):
        MomentIndex.build(dataclasses.replace(recap, schema_version="2.0"))
    with pytest.raises(InputError, match="not found"):
        MomentIndex.load(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        MomentIndex.load(tmp_path / "file")


def test_bad_embeddings_are_clear_errors(recap, encoder):
    bad = dataclasses.replace(recap, embeddings={"speech": np.zeros((3, 384), np.float32)})
    with pytest.raises(VidrecapError, match="shape"):
        MomentIndex.build(bad, encoder)
    small = np.zeros((len(recap.cells), 12), np.float32)
    wrong_dim = dataclasses.replace(recap, embeddings={"speech": small})
    with pytest.raises(VidrecapError, match="12-d"):
        MomentIndex.build(wrong_dim, encoder)


def test_recap_without_embeddings_falls_back_to_cell_texts(recap, encoder, part_spans):
    bare = dataclasses.replace(recap, embeddings={})
    result = MomentIndex.build(bare, encoder).predict("a mountain erupting molten rock")
    assert inside(result.top, part_spans[1])
