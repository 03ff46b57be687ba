"""The ANN's id scheme and the benchmark's recall check agree (they once did not: recall read 0.00)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from vidrecap.library import vectors
from vidrecap.library.catalog import N_CODES, split_vector_id, vector_id

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "library.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("library_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_library(bench, tmp_path_factory):
    """6,000 synthetic cells (~11,000 vectors) with a FAISS base, through the real storage path."""
    mp = pytest.MonkeyPatch()
    mp.setattr(vectors, "BASE_MIN", 2_000)
    lib, _, _ = bench.build(tmp_path_factory.mktemp("scale"), 6_000, bench.World(seed=3))
    yield lib, bench.queries(bench.World(seed=4), 20)
    lib.close()
    mp.undo()


def test_vector_ids_round_trip():
    cells, channels = np.array([1, 7, 123456789]), np.array([0, 3, N_CODES - 1])
    assert [tuple(map(int, split_vector_id(vector_id(c, ch)))) for c, ch in zip(cells, channels, strict=True)] \
        == list(zip(cells.tolist(), channels.tolist(), strict=True))
    got_c, got_ch = split_vector_id(vector_id(cells, channels))
    assert (got_c == cells).all() and (got_ch == channels).all()


def test_base_ids_name_stored_vectors(small_library):
    lib, qs = small_library
    assert lib.catalog.get("base_file") and int(lib.catalog.get("id_stride")) == N_CODES
    base, _ = lib.vectors._load_base()
    _, hits = base.search(np.stack([v for _, v in qs[:3]]), 50)
    stored = {(c, ch) for c, ch, _ in lib.catalog.vectors_of(
        [int(split_vector_id(int(h))[0]) for h in hits.ravel() if h >= 0])}
    assert {tuple(map(int, split_vector_id(int(h)))) for h in hits.ravel() if h >= 0} <= stored


def test_benchmark_recall_check_uses_the_catalog_scheme(bench, small_library):
    """Probing every list finds the exact top-10: the check must then say so (a wrong stride gives ~0)."""
    lib, qs = small_library
    lib.vectors.nprobe = 10_000
    try:
        assert bench.recall(lib, qs) >= 0.99
    finally:
        lib.vectors.nprobe = vectors.NPROBE


def test_the_check_fails_when_the_schemes_disagree(bench, small_library):
    """Base ids read with another stride than they were written with (the old ``cell * 4 + channel``):
    the same check then reads near zero, so the test above really catches a disagreement."""
    lib, qs = small_library
    lib.vectors.nprobe = 10_000
    lib.catalog.put("id_stride", 4)
    try:
        assert bench.recall(lib, qs) < 0.3
    finally:
        lib.catalog.put("id_stride", N_CODES)
        lib.vectors.nprobe = vectors.NPROBE
    assert bench.recall(lib, qs) > 0.3  # and the library is back as it was
