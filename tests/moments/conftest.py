"""Shared fixtures: the real MiniLM encoder, a synthetic four-part recap and its index."""

from __future__ import annotations

import copy

import pytest

from vidrecap.moments import loading
from vidrecap.moments.index import MomentIndex
from vidrecap.results import Recap

from .synth import PARTS, build_recap, minilm


@pytest.fixture(scope="session")
def encoder():
    enc = minilm()
    loading._ENCODERS.setdefault("embedded", enc)  # the CLI reuses the loaded model
    return enc


@pytest.fixture(scope="session")
def recap(encoder) -> Recap:
    return build_recap(encoder=encoder)


@pytest.fixture(scope="session")
def index(recap, encoder) -> MomentIndex:
    return MomentIndex.build(recap, encoder)


@pytest.fixture
def part_spans() -> list[tuple[float, float]]:
    spans, t = [], 0.0
    for p in PARTS:
        spans.append((t, t + p.n_cells * 2.0))
        t += p.n_cells * 2.0
    return spans


@pytest.fixture
def outdir(tmp_path, recap, monkeypatch):
    """A `vidrecap run`-like directory whose loading (``moments.loading.load_recap``) returns the synthetic recap."""
    out = tmp_path / "out"
    out.mkdir()
    saved = copy.copy(recap)
    saved.directory = str(out)

    def fake_load(directory):
        if str(directory) != str(out):
            raise FileNotFoundError(directory)
        return saved

    monkeypatch.setattr(loading, "load_recap", fake_load)
    return out
