"""A model writer whose every output is validated, retried once, and replaced when still unusable.

``checked_writer(writer)`` wraps any generative writer (openai, gguf, hf, trained recap): each reply
goes through ``validation.check_written`` (loops cut, out-of-span times dropped, budget, title,
faithfulness). A reply that fails (or a backend error: 500s, timeouts, broken JSON) is retried once;
if it fails again the extractive writer writes that item instead. Each result records which writer
produced it, its faithfulness and what was repaired, so ``recap.json`` says what to trust.
"""

from __future__ import annotations

import logging

from ..backends.base import Writer, WriteRequest, Written
from ..errors import BackendError
from .extractive import ExtractiveWriter
from .validation import check_written, evidence_of, support

log = logging.getLogger(__name__)
EXTRACTIVE_PREFIX = "embedded:"


class CheckedWriter:
    """``writer`` with validation, one retry and the extractive fallback."""

    def __init__(self, writer: Writer, fallback: Writer | None = None, attempts: int = 2):
        self.writer = writer
        self.fallback = fallback or ExtractiveWriter()
        self.attempts = max(1, int(attempts))
        self.spec = writer.spec  # the cache key stays the model writer's (checking is versioned by stage)
        self.uses_frames = getattr(writer, "uses_frames", False)

    def write(self, request: WriteRequest) -> Written:
        if str(self.writer.spec).startswith(EXTRACTIVE_PREFIX):  # nothing generated: only record
            return self._recorded(self.writer.write(request), self.writer, request, [])
        reasons = []
        for _ in range(self.attempts):
            try:
                reply = self.writer.write(request)
            except BackendError as exc:
                reasons.append(f"backend error: {exc}")
                continue
            checked = check_written(reply, request)
            if checked.ok:
                out = checked.written
                out.writer, out.problems = self.writer.spec, checked.problems
                out.faithfulness = checked.support.faithfulness
                return out
            reasons.append("; ".join(checked.problems))
        log.warning("writer %s failed on %s %.0f-%.0f s (%s); using the extractive writer",
                    self.writer.spec, request.level, request.start, request.end, reasons[-1])
        problem = f"{self.writer.spec} output rejected after {self.attempts} attempts: {reasons[-1]}"
        return self._recorded(self.fallback.write(request), self.fallback, request, [problem])

    @staticmethod
    def _recorded(out: Written, writer: Writer, request: WriteRequest, problems: list[str]) -> Written:
        out.writer, out.problems = writer.spec, problems
        out.faithfulness = support(f"{out.title}. {out.text}", evidence_of(request)).faithfulness
        return out


def checked_writer(writer: Writer | None) -> Writer | None:
    """``writer`` with validation and provenance (the extractive writer only gets provenance)."""
    return None if writer is None else CheckedWriter(writer)
