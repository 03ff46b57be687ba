"""Answers written by a chat LM (the ``writer`` role: hf, openai, gguf), grounded in the evidence.

The model sees the retrieved evidence as time-stamped lines and the question; its ``[m:ss]``
citations are then checked against that evidence (``citations.py``): invented ones are dropped.
Evidence that does not fit the model's prompt budget is left out, least relevant first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import BackendError
from .answer import NOT_FOUND, Answer
from .citations import check_citations, stamp
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
            "Reply with the number of the best option only.")
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


def generated_answer(question: str, retrieval: Retrieval, writer: Any) -> Answer:
    """The model's answer with its citations checked (invented ones removed)."""
    evidence = retrieval.evidence
    messages = fitted(lambda ev: answer_messages(question, ev), evidence, writer)
    raw = " ".join(chat_function(writer)(messages).split())
    checked = check_citations(raw, evidence)
    spec = str(getattr(writer, "spec", "writer"))
    if not checked.text or _NOT_FOUND.search(checked.text):
        return Answer(question, NOT_FOUND, False, retrieval.best, [], evidence, spec, checked.dropped)
    return Answer(question, checked.text, True, retrieval.best, checked.citations, evidence, spec,
                  checked.dropped)


def generated_choice(question: str, options: Sequence[str], evidence: Sequence[Evidence],
                     writer: Any) -> int | None:
    """The option number the model names, or ``None`` when its reply names none."""
    messages = fitted(lambda ev: choice_messages(question, options, ev), evidence, writer)
    found = _OPTION.search(chat_function(writer)(messages))
    return int(found.group(1)) if found and int(found.group(1)) < len(options) else None
