"""Answers written by a chat LM (the ``writer`` role: hf, openai, gguf), grounded in the evidence.

The model sees the retrieved evidence as time-stamped lines and the question; its ``[m:ss]``
citations are then checked against that evidence (``citations.py``): invented ones are dropped, and
an answer without a valid citation, or with numbers or names its cited evidence lacks, is not
published (``grounding.py``: one retry, then the extractive answer).
Evidence that does not fit the model's prompt budget is left out, least relevant first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ..errors import BackendError
from . import grounding
from .answer import NOT_FOUND, Answer
from .citations import STAMP, Citation, check_citations, stamp
from .evidence import Evidence, Retrieval

Message = dict[str, object]
SYSTEM = ("You answer questions about one video using only the time-stamped evidence you are given. "
          "After each fact, cite the time it comes from as [m:ss], copied from the evidence. "
          f"If the evidence does not answer the question, reply exactly: {NOT_FOUND}")
SOURCE_LABELS = {"speech": "said", "on_screen": "on screen", "caption": "seen", "sounds": "heard",
                 "faces": "seen", "objects": "seen", "picture": "seen"}
_NOT_FOUND = re.compile(r"\bnot found in (?:this|the) video\b", re.IGNORECASE)
_OPTION = re.compile(r"\b([0-4])\b")


def chat_function(writer: Any) -> Callable[[list[Message]], str]:
    """The writer's chat call: ``generate(messages)`` (hf, gguf) or its client (openai)."""
    generate = getattr(writer, "generate", None)
    if callable(generate):
        return generate
    client = getattr(writer, "client", None)
    if client is not None and hasattr(client, "complete"):
        return lambda messages: client.complete(messages, int(getattr(writer, "max_tokens", 300)))
    raise BackendError(f"the writer {getattr(writer, 'spec', writer)!r} is not a chat model; "
                       "answers need hf:, openai: or gguf: (or the embedded default)")


def evidence_lines(evidence: Sequence[Evidence]) -> str:
    ordered = sorted(evidence, key=lambda e: e.start)
    return "\n".join(f"{stamp(e.start)} ({SOURCE_LABELS.get(e.source, e.source)}) {' '.join(e.text.split())}"
                     for e in ordered)


def answer_messages(question: str, evidence: Sequence[Evidence]) -> list[Message]:
    user = (f"Evidence from the video:\n{evidence_lines(evidence)}\n\nQuestion: {question}\n"
            "Answer in one or two sentences, citing [m:ss] times.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def choice_messages(question: str, options: Sequence[str], evidence: Sequence[Evidence]) -> list[Message]:
    listed = "\n".join(f"{i}. {o}" for i, o in enumerate(options))
    user = (f"Evidence from the video:\n{evidence_lines(evidence)}\n\nQuestion: {question}\nOptions:\n{listed}\n"
            "Reply with the number of the best option, then the [m:ss] time of the evidence line "
            "that supports it.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def fitted(build: Callable[[Sequence[Evidence]], list[Message]], evidence: Sequence[Evidence],
           writer: Any) -> list[Message]:
    """``build(evidence)``, leaving out the least relevant evidence until it fits the writer's budget."""
    budget = getattr(writer, "budget", None)
    kept = sorted(evidence, key=lambda e: -e.score)
    while True:
        messages = build(kept)
        if budget is None or budget.fits(messages):
            return messages
        if not kept:
            raise BackendError("the question alone does not fit the writer's context")
        kept = kept[:-1]


def generated_answer(question: str, retrieval: Retrieval, writer: Any,
                     fallback: Callable[[], Answer] | None = None) -> Answer:
    """The model's answer, published only when held to the evidence (``grounding.py``): at least one
    valid citation, and no number or name its cited evidence lacks. Otherwise the model is asked once
    more, then ``fallback()`` (the extractive answer) or "not found" is returned instead."""
    evidence = retrieval.evidence
    spec = str(getattr(writer, "spec", "writer"))
    messages = fitted(lambda ev: answer_messages(question, ev), evidence, writer)
    chat = chat_function(writer)
    dropped: list[str] = []
    for attempt in range(2):
        raw = " ".join(chat(messages).split())
        checked = check_citations(raw, evidence)
        dropped += checked.dropped
        if not checked.text or _NOT_FOUND.search(checked.text):
            return Answer(question, NOT_FOUND, False, retrieval.best, [], evidence, spec, dropped)
        wrong = grounding.problems(checked, evidence, question)
        if not wrong:
            return Answer(question, checked.text, True, grounding.confidence(checked, evidence),
                          checked.citations, evidence, spec, dropped)
        if attempt == 0:
            messages = [*messages, {"role": "assistant", "content": raw},
                        {"role": "user", "content": retry_message(wrong)}]
    if fallback is not None:
        answer = fallback()
        return replace(answer, backend=f"{spec} (extractive: the model's answer was not held to the evidence)",
                       dropped_citations=dropped)
    return Answer(question, NOT_FOUND, False, 0.0, [], evidence, spec, dropped)


def retry_message(wrong: list[str]) -> str:
    return (f"That answer cannot be used: {'; '.join(wrong)}. Answer again using only the evidence lines, "
            f"copy the [m:ss] time of each line you use, or reply exactly: {NOT_FOUND}")


def generated_choice(question: str, options: Sequence[str], evidence: Sequence[Evidence],
                     writer: Any) -> tuple[int, list[Citation]] | None:
    """The option number the model names with at least one checked citation (asked twice at most),
    or ``None``."""
    messages = fitted(lambda ev: choice_messages(question, options, ev), evidence, writer)
    chat = chat_function(writer)
    for attempt in range(2):
        raw = chat(messages)
        checked = check_citations(raw, evidence)
        found = _OPTION.search(STAMP.sub(" ", raw))
        if found and int(found.group(1)) < len(options) and checked.citations:
            return int(found.group(1)), checked.citations
        if attempt == 0:
            messages = [*messages, {"role": "assistant", "content": raw},
                        {"role": "user", "content": "Reply with the number of the best option and the [m:ss] "
                                                    "time of the evidence line that supports it."}]
    return None
