"""Model answers held to the evidence: a scripted OpenAI-compatible server on 127.0.0.1 answers without
citations, invents numbers or names, cites times it was not shown, or claims a confidence; none of it
may be published as a found answer, and confidence never comes from the model's words."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.backends.chat_server import ChatServer
from vidrecap import registry
from vidrecap.qa import NOT_FOUND, Asker

FAST = dict(retries=0, backoff=0.01, timeout=20.0)
QUESTION = "How long should the spaghetti cook?"
Reply = Callable[[str], str]


def stamp_of(prompt: str, word: str) -> str:
    """The ``[m:ss]`` of the first evidence line containing ``word`` (else of the first line)."""
    lines = [ln for ln in prompt.splitlines() if re.match(r"^\[[0-9:]+\]", ln)]
    hit = next((ln for ln in lines if word in ln.lower()), lines[0])
    return hit.split("]", 1)[0] + "]"


class ScriptedModel(ChatServer):
    """Each chat request is answered by the next reply function of ``replies`` (the last repeats)."""

    replies: list[Reply] = []

    def _completion(self, body):
        n = sum(1 for r in self.requests if r["method"] == "POST") - 1
        prompt = "\n".join(str(m["content"]) for m in body["messages"])
        text = self.replies[min(n, len(self.replies) - 1)](prompt)
        return {"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]}


@pytest.fixture(scope="module")
def index(asker):
    return asker.finder.index


def ask_with(index, replies: list[Reply], question: str = QUESTION):
    with ScriptedModel() as server:
        server.replies = replies
        asker = Asker(index, registry.create("writer", "openai:tiny", base_url=server.base_url, **FAST))
        answer = asker.ask(question)
        return answer, [p["body"]["messages"] for p in server.posts()]


def test_an_answer_without_citations_is_retried_then_replaced_by_the_extractive_one(index):
    answer, calls = ask_with(index, [lambda p: "The answer is: 4. I am 95% sure."])
    assert len(calls) == 2 and "cannot be used" in calls[1][-1]["content"]
    assert "The answer is" not in answer.answer and "95" not in answer.answer
    assert answer.found and answer.citations and "(extractive" in answer.backend
    assert any(w in answer.answer.lower() for w in ("eight", "8"))


def test_invented_numbers_and_names_are_not_published(index):
    answer, calls = ask_with(index, [lambda p: f"Cook it for 12 minutes {stamp_of(p, 'spaghetti')}, "
                                               "as Chef Luigi says."])
    assert len(calls) == 2 and "12" in calls[1][-1]["content"] and "Luigi" in calls[1][-1]["content"]
    assert "12" not in answer.answer and "Luigi" not in answer.answer and answer.citations


def test_a_corrected_second_reply_is_published_with_evidence_confidence(index):
    answer, calls = ask_with(index, [lambda p: "Probably around ten minutes, I am very confident.",
                                     lambda p: f"Eight minutes {stamp_of(p, 'spaghetti')}."])
    assert len(calls) == 2 and answer.found and answer.backend.startswith("openai:tiny")
    assert "extractive" not in answer.backend
    assert answer.answer.startswith("Eight minutes [") and len(answer.citations) == 1
    cited = next(e for e in answer.evidence if e.text == answer.citations[0].text)
    assert answer.confidence == pytest.approx(cited.score, abs=1e-4)  # the evidence's score, not the wording


def test_only_invented_times_count_as_no_citation(index):
    answer, calls = ask_with(index, [lambda p: "Eight minutes [59:59]."])
    assert len(calls) == 2 and "[59:59]" in answer.dropped_citations
    assert "[59:59]" not in answer.answer and (not answer.found or answer.citations)


def test_half_absent_premise_names_what_is_not_in_the_video(index):
    question = "How long should the spaghetti cook and which opera singer performs at the end?"
    answer, _ = ask_with(index, [lambda p: f"Eight minutes {stamp_of(p, 'spaghetti')}."], question)
    assert answer.found and answer.citations and "Not in this video" in answer.answer
    assert answer.missing and "opera" in answer.missing[0]


def test_absent_topics_are_not_found_without_asking_the_model(index):
    answer, calls = ask_with(index, [lambda p: "Canberra [0:01]."], "What is the capital city of Australia?")
    assert not answer.found and answer.answer == NOT_FOUND and calls == []


def test_a_multiple_choice_pick_comes_with_checked_citations(index):
    with ScriptedModel() as server:
        server.replies = [lambda p: "1", lambda p: f"1 {stamp_of(p, 'spaghetti')}"]
        asker = Asker(index, registry.create("writer", "openai:tiny", base_url=server.base_url, **FAST))
        choice = asker.choose("How long does the spaghetti cook?", ["two minutes", "eight minutes", "an hour"])
        calls = len(server.posts())
    assert calls == 2 and choice.index == 1 and choice.citations and choice.backend.startswith("openai:tiny")
    assert any(c.text == e.text for c in choice.citations for e in choice.evidence)
