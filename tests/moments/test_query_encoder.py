"""The query encoder on onnxruntime: equal to the torch model, exported once, and torch-free queries."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from vidrecap import registry
from vidrecap.backends import minilm
from vidrecap.outputs.store import save_recap

from .synth import PARTS
from .test_index import QUERIES, UNRELATED

TEXTS = [
    "a man rides a bike past cars stuck in traffic",
    "Boil water, add salt, and cook the spaghetti for eight minutes.",
    "C major scale",
    "Vulkanausbruch am Ätna — glühende Lava 🌋",
    "x",
    " ".join(["the long narration goes on and on about many things"] * 60),  # beyond 256 tokens: truncated
]


@pytest.fixture(scope="module")
def torch_encoder():
    return registry.create("encoder", "st")


def test_onnx_equals_torch_within_1e4(encoder, torch_encoder):
    assert isinstance(encoder, minilm.OnnxMiniLM)
    docs = [s for p in PARTS for s in (*p.narration, p.slide)] + TEXTS
    a, b = encoder.embed_text(docs), torch_encoder.embed_text(docs)
    assert a.shape == b.shape == (len(docs), 384)
    assert np.abs(a - b).max() < 1e-4
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    queries = [q for _, q in QUERIES] + UNRELATED
    qa, qb = encoder.embed_text(queries), torch_encoder.embed_text(queries)
    assert np.abs(qa - qb).max() < 1e-4
    assert (np.argsort(-(qa @ a.T), axis=1) == np.argsort(-(qb @ b.T), axis=1)).all()  # same rankings


def test_batches_do_not_change_rows(encoder):
    one = np.stack([encoder.embed_text([t])[0] for t in TEXTS])
    assert np.abs(one - encoder.embed_text(TEXTS)).max() < 1e-5  # padding is masked out


def test_export_is_keyed_on_the_model_files(tmp_path, monkeypatch):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    monkeypatch.setenv("VIDRECAP_MODEL_CACHE", str(tmp_path / "cache"))
    first = minilm.onnx_path(model)
    assert first.parent.parent == tmp_path / "cache"
    assert minilm.onnx_path(model) == first
    (model / "config.json").write_text('{"hidden_size": 1}')
    assert minilm.onnx_path(model) != first  # a changed model is exported again
    assert not minilm.is_exported(model)


def test_query_commands_import_no_torch(recap, encoder, tmp_path):
    """search OUT, ask OUT and search LIBRARY in fresh processes: answers, and torch never imported."""
    saved = tmp_path / "saved"
    save_recap(copy.copy(recap), saved)
    library = tmp_path / "library"
    from vidrecap.cli import main

    assert main(["library", "add", str(library), str(saved), "-q"]) == 0
    code = ("import sys; from vidrecap.cli import main; rc = main(sys.argv[1:]); "
            "sys.stdout.flush(); assert rc == 0, rc; assert 'torch' not in sys.modules, 'torch imported'; "
            "assert 'transformers' not in sys.modules")
    env = {**os.environ, "PYTHONPATH": str(Path(minilm.__file__).parents[2])}
    for argv in (["search", str(saved), "a mountain erupting molten rock", "--json"],
                 ["ask", str(saved), "what erupts from the volcano?"],
                 ["search", str(library), "a mountain erupting molten rock", "--json"]):
        res = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env)
        assert res.returncode == 0, res.stderr[-3000:]
        assert res.stdout.strip()
    row = json.loads(res.stdout.strip().splitlines()[0])
    assert row


def test_background_vectors_are_cached_per_model(encoder, tmp_path, monkeypatch):
    from vidrecap.moments.loading import background_embeddings
    from vidrecap.moments.scoring import BACKGROUND_QUERIES

    monkeypatch.setenv("VIDRECAP_MODEL_CACHE", str(tmp_path))
    first = background_embeddings(encoder)
    assert len(list((tmp_path / "background").glob("*.npy"))) == 1
    assert np.abs(first - encoder.embed_text(list(BACKGROUND_QUERIES))).max() < 1e-6
    np.testing.assert_array_equal(background_embeddings(encoder), first)


def test_kept_optimised_graph_gives_the_same_vectors(tmp_path, monkeypatch):
    """The first CPU session keeps its optimised graph; a later one loads it (no graph passes) and
    embeds exactly as the first did."""
    import onnxruntime as ort

    export = minilm.ensure_exported()
    copy_dir = tmp_path / export.parent.name
    copy_dir.mkdir()
    (copy_dir / "model.onnx").symlink_to(export)
    monkeypatch.setattr(minilm, "ensure_exported", lambda model_dir=None: copy_dir / "model.onnx")
    first = minilm.OnnxMiniLM(threads=1)
    kept = copy_dir / f"model.cpu-ort{ort.__version__}.onnx"
    assert kept.is_file() and not list(copy_dir.glob(".*.tmp"))
    stamp = kept.stat().st_mtime_ns
    second = minilm.OnnxMiniLM(threads=1)
    assert kept.stat().st_mtime_ns == stamp  # loaded, not written again
    np.testing.assert_allclose(second.embed_text(TEXTS), first.embed_text(TEXTS), atol=1e-6)
    kept.write_bytes(b"damaged")
    third = minilm.OnnxMiniLM(threads=1)  # a damaged kept graph is optimised again
    np.testing.assert_allclose(third.embed_text(TEXTS), first.embed_text(TEXTS), atol=1e-6)


def test_search_into_a_closed_pipe_exits_quietly(recap, encoder, tmp_path):
    """`vidrecap search OUT q | head`: the reader has gone; no traceback, exit 0."""
    saved = tmp_path / "saved"
    save_recap(copy.copy(recap), saved)
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader left before the first line
    env = {**os.environ, "PYTHONPATH": str(Path(minilm.__file__).parents[2])}
    try:
        res = subprocess.run([sys.executable, "-m", "vidrecap", "search", str(saved), "a mountain erupting molten "
                              "rock", "--top-k", "50"], stdout=write_end, stderr=subprocess.PIPE, text=True, env=env)
    finally:
        os.close(write_end)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr and "BrokenPipe" not in res.stderr


def test_long_texts_are_embedded_in_smaller_batches():
    """Batches keep rows × width² under the attention bound (memory), short texts still go 64 at a time."""
    lengths = [256] * 20 + [40] * 100
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches = minilm._batches(order, lengths, 64)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) * lengths[b[0]] ** 2 <= minilm.MAX_ATTENTION or len(b) == 1 for b in batches)
    assert max(len(b) for b in batches if lengths[b[0]] == 256) == minilm.MAX_ATTENTION // 256 ** 2
    assert max(len(b) for b in batches) == 64
