"""``Asker``: questions about one recap, answered extractively or by a chat LM, with cited times."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..moments.index import MomentIndex
from ..moments.loading import check_query
from ..results import Recap
from .answer import Answer, Choice
from .evidence import EvidenceFinder, Retrieval
from .extractive import FOUND, choose_option, extractive_answer
from .generative import generated_answer, generated_choice
from .premise import PremiseCheck, missing_note, question_parts

EVIDENCE_LIMIT = 6


def load_writer(spec: str | None, **options: Any) -> Any:
    """The chat-model writer named by ``spec``, or ``None`` for the embedded (extractive) answerer."""
    if spec is None or spec.split(":")[0].strip() in ("", "embedded", "none"):
        return None
    from .. import registry

    return registry.create("writer", spec, **options)


class Asker:
    """Answers questions about one indexed recap.

    ``Asker.build(outdir_or_recap)`` then ``ask(question)`` / ``choose(question, options)``, as often as
    you like: the index, the encoder and the writer load once.
    """

    def __init__(self, index: MomentIndex, writer: Any = None):
        self.finder = EvidenceFinder(index)
        self.writer = writer  # None: the embedded, extractive answerer

    @classmethod
    def build(cls, recap: Recap | str | Path, writer: str | Any | None = "embedded", encoder: Any = None,
              **writer_options: Any) -> Asker:
        model = load_writer(writer, **writer_options) if isinstance(writer, str) or writer is None else writer
        return cls(MomentIndex.build(recap, encoder), model)

    @property
    def backend(self) -> str:
        return "embedded" if self.writer is None else str(getattr(self.writer, "spec", "writer"))

    def ask(self, question: str, limit: int = EVIDENCE_LIMIT) -> Answer:
        """Retrieve evidence top-down, then answer; "not found" when nothing is clearly relevant, and
        for a question joining two asks, the part that is not in the video is named (``premise.py``)."""
        question = check_query(question)
        limit = max(1, int(limit))
        parts = question_parts(question)
        if len(parts) > 1:
            found = {p: self.finder.find(p, limit=limit) for p in parts}
            # each ask must be met by a statement: a heading shared with the other ask only names the topic
            check = PremiseCheck(tuple(p for p in parts if found[p].stated >= FOUND),
                                 tuple(p for p in parts if found[p].stated < FOUND))
            if not check.present:
                return replace(extractive_answer(question, found[parts[0]], found=2.0), backend=self.backend)
            if check.partial:
                present = " ".join(check.present)
                answer = self._answer(present, self.finder.find(present, limit=limit))
                note = missing_note(check.absent)
                return replace(answer, question=question, missing=[a.rstrip("?") for a in check.absent],
                               answer=f"{answer.answer} {note}" if answer.found else note)
        return self._answer(question, self.finder.find(question, limit=limit))

    def _answer(self, question: str, retrieval: Retrieval) -> Answer:
        extractive = replace(extractive_answer(question, retrieval), backend=self.backend)
        if self.writer is None or retrieval.best < FOUND:
            return extractive
        return generated_answer(question, retrieval, self.writer, fallback=lambda: extractive)

    def choose(self, question: str, options: Sequence[str]) -> Choice:
        """Multiple choice: the embedded pick (each option against its best evidence), or the chat
        model's when it names a valid option with a checked citation."""
        question = check_query(question)
        choice = choose_option(self.finder, question, [str(o) for o in options])
        if self.writer is not None:
            picked = generated_choice(question, options, choice.evidence, self.writer)
            if picked is not None:
                choice.index, choice.citations = picked
                choice.backend = self.backend
        return choice

    def choose_all(self, items: Iterable[Any]) -> dict[str, int]:
        """``{q_uid: answer_index}`` for EgoSchema-style items (``q_uid``, ``question``, ``options``)."""
        return {item.q_uid: self.choose(item.question, item.options).index for item in items}


def ask(recap: Recap | str | Path, question: str, writer: str | None = "embedded", **writer_options: Any
        ) -> Answer:
    """Answer ``question`` about a recap (or its output directory), citing times (one-shot)."""
    return Asker.build(recap, writer, **writer_options).ask(question)
