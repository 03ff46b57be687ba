"""Unit tests of the scoring pieces: windows, NMS, smoothing, calibration, BM25 coverage."""

from __future__ import annotations

import numpy as np

from vidrecap.moments.lexical import LexicalIndex, dilate, stem, terms
from vidrecap.moments.scoring import (
    Calibration,
    Window,
    fit_calibration,
    grow_windows,
    hubness,
    nms,
    noisy_or,
    reliability,
    smooth,
)
from vidrecap.moments.windows import pooled_by_unit


def test_nms_drops_overlaps_and_sorts():
    ws = [Window(0, 10, 0.5), Window(2, 12, 0.9), Window(12, 20, 0.4), Window(30, 40, 0.95)]
    kept = nms(ws, 0.0)
    assert kept == [Window(30, 40, 0.95), Window(2, 12, 0.9), Window(12, 20, 0.4)]
    assert nms(ws, 0.9) == sorted(ws, key=lambda w: -w.score)


def test_grow_windows_follows_the_curve():
    curve = np.zeros(50, np.float32)
    curve[10:16] = [0.3, 0.8, 1.0, 0.9, 0.6, 0.2]
    curve[30:33] = [0.5, 0.6, 0.4]
    ws = grow_windows(curve, curve, limit=3, fraction=0.5)
    assert ws[0][:2] == (22.0, 30.0)  # cells 11..14: >= 0.5 of the peak 1.0
    assert ws[1][:2] == (60.0, 66.0)
    assert all(a.score >= b.score for a, b in zip(ws, ws[1:], strict=False))
    assert len(grow_windows(curve, curve, limit=1)) == 1


def test_grow_windows_respects_max_cells_and_duration():
    curve = np.ones(20, np.float32)
    ws = grow_windows(curve, curve, limit=5, max_cells=4, duration=39.0)
    assert all(w.end - w.start <= 8.0 for w in ws)
    assert max(w.end for w in grow_windows(curve, curve, limit=20, max_cells=4, duration=39.0)) == 39.0


def test_smooth_and_dilate_keep_shape():
    x = np.zeros(9, np.float32)
    x[4] = 1
    s = smooth(x)
    assert s.shape == x.shape and s.argmax() == 4 and abs(s.sum() - 1) < 1e-5
    d = dilate(x)
    assert d[4] == 1 and np.isclose(d[3], 0.6) and np.isclose(d[2], 0.36) and d[1] == 0
    assert smooth(np.ones(1)).shape == (1,)


def test_calibration_is_absolute():
    cal = Calibration(0.05, 0.07)
    p = cal(np.array([0.0, 0.2, 0.3, 0.5, 0.8]))
    assert p[0] < 0.05 and p[3] > 0.9 and np.all(np.diff(p) > 0)
    rng = np.random.default_rng(0)
    m = rng.normal(size=(50, 8)).astype(np.float32)
    m[:5] = 0
    m /= np.linalg.norm(m, axis=1, keepdims=True).clip(1e-9)
    fitted = fit_calibration(m, np.eye(8, dtype=np.float32))
    assert fitted.sd >= 0.03


def test_a_row_close_to_every_background_query_needs_a_closer_query():
    rng = np.random.default_rng(1)
    background = rng.normal(size=(30, 16)).astype(np.float32)
    background[:, 0] += 3.0  # queries share a direction, as sentence embeddings do
    background /= np.linalg.norm(background, axis=1, keepdims=True)
    rows = rng.normal(size=(40, 16)).astype(np.float32)
    rows[:, 0] = 0.0
    rows[0] = np.eye(16)[0]  # a hub: the shared direction itself, near every query
    rows[1] = 0.0  # no evidence
    rows[2:] /= np.linalg.norm(rows[2:], axis=1, keepdims=True)
    hubs = hubness(rows, background)
    assert hubs[0] > np.max(hubs[2:]) and hubs[1] == 0.0
    assert abs(float(np.median(hubs[2:]))) < 0.05  # centred: the channel keeps its scale
    cal = fit_calibration(rows, background, hubs=hubs)
    same_cosine = np.full(40, 0.6, np.float32)
    scores = cal(same_cosine - hubs)
    assert scores[0] < np.median(scores[2:])  # the same cosine is weaker evidence on the hub row


def test_a_channel_that_matches_unrelated_queries_is_not_reliable():
    rng = np.random.default_rng(2)
    background = np.eye(32, dtype=np.float32)[:20]
    specific = rng.normal(size=(30, 32)).astype(np.float32)
    specific[:, :20] = 0.0  # about none of the background's topics
    specific /= np.linalg.norm(specific, axis=1, keepdims=True)
    echoing = specific.copy()
    echoing[:10] = background[:10]  # rows that are the background queries themselves
    for rows, low, high in ((specific, 0.99, 1.0), (echoing, 0.0, 0.6)):
        hubs = hubness(rows, background)
        r = reliability(rows, background, fit_calibration(rows, background, hubs=hubs), hubs)
        assert low <= r <= high, r


def test_labels_are_steadied_by_their_shot():
    rows = np.array([[1, 0, 0], [0.6, 0.8, 0], [1, 0, 0], [0, 0, 1], [0, 0, 0]], np.float32)
    bounds = np.array([True, False, False, True, False, True])  # units: cells 0-2, cells 3-4
    pooled = pooled_by_unit(rows, bounds)
    assert np.allclose(np.linalg.norm(pooled[:4], axis=1), 1.0) and not pooled[4].any()
    assert pooled[1] @ [1, 0, 0] > rows[1] @ [1, 0, 0]  # the odd frame leans to what its shot shows
    assert np.allclose(pooled[3], rows[3])  # a shot of one frame is unchanged


def test_noisy_or():
    p = noisy_or([(1.0, np.array([0.5, 0.0])), (0.5, np.array([1.0, 0.0]))], 2)
    assert np.allclose(p, [0.75, 0.0])


def test_stemming_and_terms():
    assert stem("cooking") == stem("cooked") == stem("cooks") == stem("cook")
    assert stem("running") == stem("run")
    assert terms("The Pizza is in the OVEN!") == ["pizza", "oven"]
    assert terms("日本語 テキスト") == ["日本語", "テキスト"]


def test_bm25_coverage():
    lex = LexicalIndex.build(["", "we bake pizza in the oven", "", "", "", "", "the lava glows", ""])
    c = lex.coverage("baking a pizza")
    assert c[1] > 0.85 and c[6] == 0 and np.isclose(c[2], 0.6 * c[1])
    partial = lex.coverage("pizza and volcano")[1]
    assert 0.2 < partial < 0.8
    assert not lex.coverage("the of and").any()
