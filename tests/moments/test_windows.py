"""Evidence-bounded windows: they end at shot cuts and slide changes, and cross only into matching units."""

from __future__ import annotations

import numpy as np

from vidrecap.moments.windows import bounded_windows, evidence_bounds
from vidrecap.results import Cell


def cells(n: int, cuts=(), slides: dict[int, str] | None = None) -> list[Cell]:
    slides = slides or {}
    return [Cell(i, 2.0 * i, 2.0 * i + 2, on_screen=slides.get(i, ""), scene_cut=i in cuts) for i in range(n)]


def test_bounds_at_cuts_and_slide_changes_not_at_ocr_noise():
    slides = {i: "Cooking pasta at home" for i in range(0, 5)}
    slides.update({i: "Cooking pasta at home today" for i in range(5, 8)})  # one OCR word more: same slide
    slides.update({i: "Volcano trip" for i in range(8, 12)})
    b = evidence_bounds(cells(16, cuts=(12,), slides=slides))
    assert np.flatnonzero(b).tolist() == [0, 8, 12, 16]


def test_window_ends_at_the_cut_even_if_the_curve_goes_on():
    curve = np.zeros(40, np.float32)
    curve[10:30] = 0.6
    curve[14] = 1.0  # peak inside the shot [10, 20); the next shot matches only weakly (0.6 < 0.75)
    b = evidence_bounds(cells(40, cuts=(10, 20, 30)))
    top = bounded_windows(curve, curve, b, limit=1)[0]
    assert (top.start, top.end) == (20.0, 40.0)


def test_a_whole_matching_neighbour_is_taken_in():
    curve = np.zeros(40, np.float32)
    curve[10:30] = 0.9
    curve[14] = 1.0
    b = evidence_bounds(cells(40, cuts=(10, 20, 30)))
    top = bounded_windows(curve, curve, b, limit=1)[0]
    assert (top.start, top.end) == (20.0, 60.0)


def test_windows_are_capped_and_disjoint():
    curve = np.ones(200, np.float32)
    b = evidence_bounds(cells(200, cuts=range(0, 200, 10)))
    ws = bounded_windows(curve, curve, b, limit=5, max_cells=30)
    assert all(w.end - w.start <= 60.0 for w in ws)
    spans = sorted((w.start, w.end) for w in ws)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
