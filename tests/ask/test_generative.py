"""Answers by chat LMs: the tiny local hf model, and an OpenAI-compatible server started in the test."""

from __future__ import annotations

import re

import pytest

from tests.backends.chat_server import ChatServer
from tests.backends.tiny import WRITER_WORD, build_writer
from vidrecap import registry
from vidrecap.qa import NOT_FOUND, Asker
from vidrecap.qa.citations import stamp

FAST = dict(retries=0, backoff=0.01, timeout=20.0)
QUESTION = "How long should the spaghetti cook?"


class CitingServer(ChatServer):
    """Replies like a grounded model: cites the first evidence line's time, plus an invented one."""

    reply: str = ""

    def _completion(self, body):
        prompt = body["messages"][-1]["content"]
        first = re.search(r"^(\[[0-9:]+\])", prompt.split("Evidence from the video:\n", 1)[1], re.M).group(1)
        if "Options:" in prompt:
            text = "The best option is 1."
        else:
            text = self.reply or f"Cook it for eight minutes {first}, then drain it [59:59]."
        return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}


@pytest.fixture(scope="module")
def index(asker):
    return asker.finder.index


def test_tiny_hf_writer_answers_from_the_evidence(index, tmp_path):
    path = build_writer(tmp_path / "writer")
    asker = Asker(index, registry.create("writer", f"hf:{path}", device="cpu"))
    answer = asker.ask(QUESTION)
    assert answer.found and WRITER_WORD in answer.answer  # the tiny model writes its marker word
    assert answer.backend.startswith("hf:") and answer.evidence
    assert answer.citations == [] and answer.dropped_citations == []  # it cites nothing, so nothing survives


def test_served_model_citations_are_checked_and_invented_ones_dropped(index):
    with CitingServer() as server:
        asker = Asker(index, registry.create("writer", "openai:tiny", base_url=server.base_url, **FAST))
        answer = asker.ask(QUESTION)
        prompt = server.posts()[0]["body"]["messages"][-1]["content"]
    assert "Question: " + QUESTION in prompt and "(said)" in prompt
    assert answer.found and answer.dropped_citations == ["[59:59]"] and "[59:59]" not in answer.answer
    assert len(answer.citations) == 1
    cited = answer.citations[0]
    assert stamp(cited.start) in answer.answer and any(e.text == cited.text for e in answer.evidence)


def test_served_model_saying_not_found_and_unrelated_questions(index):
    with CitingServer() as server:
        server.reply = "Not found in this video."
        asker = Asker(index, registry.create("writer", "openai:tiny", base_url=server.base_url, **FAST))
        said_no = asker.ask(QUESTION)
        unrelated = asker.ask("Which team won the basketball championship final?")
        calls = len(server.posts())
    assert not said_no.found and said_no.answer == NOT_FOUND
    assert not unrelated.found and calls == 1  # nothing relevant: the model is not asked


def test_served_model_picks_an_option(index):
    with CitingServer() as server:
        asker = Asker(index, registry.create("writer", "openai:tiny", base_url=server.base_url, **FAST))
        choice = asker.choose("How long does the spaghetti cook?", ["two minutes", "eight minutes", "an hour"])
        prompt = server.posts()[0]["body"]["messages"][-1]["content"]
    assert choice.index == 1 and "0. two minutes" in prompt and len(choice.scores) == 3


class StandInLlama:
    """Stands in for ``llama_cpp.Llama`` (not installed here): word tokens; cites the first stamp."""

    prompts: list[str] = []

    def __init__(self, model_path, n_ctx, n_threads, n_gpu_layers, verbose):
        self.n_ctx = n_ctx

    def tokenize(self, data: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(range(len(data.split())))

    def create_chat_completion(self, messages, max_tokens, temperature, top_k, **_options):
        prompt = messages[-1]["content"]
        StandInLlama.prompts.append(prompt)
        first = re.search(r"\[[0-9:]+\]", prompt).group(0)
        return {"choices": [{"message": {"role": "assistant", "content": f"Eight minutes {first}."}}]}


def test_gguf_writer_answers_within_its_context(index, tmp_path, monkeypatch):
    import sys
    import types

    from vidrecap.backends import gguf

    monkeypatch.setitem(sys.modules, "llama_cpp", types.SimpleNamespace(Llama=StandInLlama))
    monkeypatch.setattr(gguf, "llama_cpp_available", lambda: True)
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    StandInLlama.prompts = []
    writer = registry.create("writer", f"gguf:{model}", context=170, max_new_tokens=20)
    answer = Asker(index, writer).ask(QUESTION, limit=6)
    assert answer.found and answer.citations and answer.backend.startswith("gguf:m.gguf")
    assert len(StandInLlama.prompts) == 1 and "Question: " + QUESTION in StandInLlama.prompts[0]


def test_evidence_is_left_out_least_relevant_first_to_fit_the_budget():
    from types import SimpleNamespace

    from vidrecap.errors import BackendError
    from vidrecap.qa.evidence import Evidence
    from vidrecap.qa.generative import answer_messages, fitted
    from vidrecap.writing.prompting import Budget

    evidence = [Evidence(10.0 * i, 10.0 * i + 5, f"fact number {i} " + "word " * 10, "speech", 1.0 - i / 10)
                for i in range(6)]
    words = lambda text: len(text.split())  # noqa: E731
    base = sum(words(str(m["content"])) + 4 for m in answer_messages("q?", []))
    writer = SimpleNamespace(budget=Budget(base + 3 * 15 + 5, count=words))  # room for three 15-word lines
    prompt = fitted(lambda ev: answer_messages("q?", ev), evidence, writer)[-1]["content"]
    assert [f"fact number {i} " in prompt for i in range(6)] == [True] * 3 + [False] * 3
    with pytest.raises(BackendError, match="does not fit"):
        fitted(lambda ev: answer_messages("q?", ev), evidence, SimpleNamespace(budget=Budget(5, count=words)))
