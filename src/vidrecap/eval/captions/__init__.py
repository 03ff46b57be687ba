"""Caption metrics as the COCO caption evaluator (pycocoevalcap) reports them, plus rougeLsum.

``evaluate_captions(candidates, references)`` tokenizes every caption as ``COCOEvalCap`` does (all
references in one call of pycocoevalcap's Stanford PTBTokenizer, then all candidates in another;
punctuation removed), then computes BLEU-1..4, ROUGE-L and CIDEr-D with our own code (equal to
pycocoevalcap 1.2 to 1e-9, tested on generated noisy corpora), METEOR with pycocoevalcap's jar
when Java is present (else ``None`` with a note), and rougeLsum on the raw texts as the rouge-score
package does. Without Java the pure-Python tokenizer stands in and the scores say they are
approximate (``tokenizer`` / ``tokenizer_note``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass

from ...errors import InputError, VidrecapError
from .meteor import corpus_meteor, meteor_unavailable_reason
from .ngram_metrics import corpus_bleu, corpus_cider_d, corpus_rouge_l
from .rouge_lsum import corpus_rouge_lsum
from .tokenizer import LINE_BREAKS, coco_tokenize, coco_tokenize_lines

__all__ = ["CaptionScores", "evaluate_captions", "coco_tokenize", "python_tokenize", "stanford_tokenize"]


@dataclass(frozen=True)
class CaptionScores:
    """Corpus scores as fractions (COCO convention); ``meteor`` is None when it could not run."""

    bleu: tuple[float, float, float, float]
    meteor: float | None
    rouge_l: float
    cider: float
    rouge_lsum: float
    num_captions: int
    meteor_note: str = ""
    tokenizer: str = "stanford"
    tokenizer_note: str = ""

    def to_dict(self) -> dict:
        row = {f"Bleu_{i + 1}": value for i, value in enumerate(self.bleu)}
        row.update({"METEOR": self.meteor, "ROUGE_L": self.rouge_l, "CIDEr": self.cider})
        row.update({"rougeLsum": self.rouge_lsum, "num_captions": self.num_captions})
        if self.meteor_note:
            row["METEOR_note"] = self.meteor_note
        row["tokenizer"] = self.tokenizer
        if self.tokenizer_note:
            row["tokenizer_note"] = self.tokenizer_note
        return row


TOKENIZERS = ("auto", "stanford", "python")
APPROXIMATE_NOTE = (
    "tokenized by vidrecap's Python stand-in for Stanford PTBTokenizer: equal on the tested corpora,"
    " approximate on other text"
)


def stanford_tokenize(texts: dict) -> dict:
    """``{id: [caption, ...]}`` through pycocoevalcap's Java PTBTokenizer, one call for all of them.

    Line breaks other than "\\n" become spaces first: pycocoevalcap replaces only "\\n", and the Java
    lexer would start a new line at the others, moving every later caption onto the wrong id.
    """
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    cleaned = {k: [{"caption": LINE_BREAKS.sub(" ", c)} for c in v] for k, v in texts.items()}
    with _java_stderr_filtered():
        return PTBTokenizer().tokenize(cleaned)


@contextlib.contextmanager
def _java_stderr_filtered():
    """Drop the tokenizer's "PTBTokenizer tokenized N tokens" line; pass anything else through."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines():
                if line.strip() and not line.startswith("PTBTokenizer tokenized"):
                    print(line, file=sys.stderr)


def python_tokenize(texts: dict) -> dict:
    """The same as ``stanford_tokenize`` with the pure-Python tokenizer (same lines, same context)."""
    flat = coco_tokenize_lines([c for captions in texts.values() for c in captions])
    out, start = {}, 0
    for key, captions in texts.items():
        out[key] = flat[start : start + len(captions)]
        start += len(captions)
    return out


def stanford_unavailable_reason() -> str | None:
    """None when pycocoevalcap's PTBTokenizer can run (same needs as METEOR: java + pycocoevalcap)."""
    return meteor_unavailable_reason()


def resolve_tokenizer(tokenizer: str) -> tuple[str, str]:
    """(``"stanford"`` or ``"python"``, note): "auto" takes Stanford's when it can run."""
    if tokenizer not in TOKENIZERS:
        raise InputError(f"captions: unknown tokenizer {tokenizer!r} (choose from {', '.join(TOKENIZERS)})")
    reason = stanford_unavailable_reason()
    if tokenizer == "stanford" and reason is not None:
        raise VidrecapError(f"the Stanford tokenizer cannot run: {reason}")
    if tokenizer == "python":
        return "python", APPROXIMATE_NOTE
    if reason is not None:
        return "python", f"{APPROXIMATE_NOTE} ({reason})"
    return "stanford", ""


def _check_pairs(candidates: dict, references: dict) -> None:
    if not candidates:
        raise InputError("captions: no predictions to score")
    for key in candidates:
        if key not in references:
            raise InputError(f"captions: prediction id {key!r} has no reference")
        if not references[key]:
            raise InputError(f"captions: id {key!r} has an empty reference list")
    missing = [k for k in references if k not in candidates]
    if missing:
        raise InputError(f"captions: {len(missing)} reference ids have no prediction (first: {missing[0]!r})")


def evaluate_captions(
    candidates: dict[str, str],
    references: dict[str, list[str]],
    meteor: bool | None = None,
    tokenizer: str = "auto",
) -> CaptionScores:
    """Score one candidate caption per id against its references.

    ``meteor``: True = required (error when unavailable), False = skip, None = when available.
    ``tokenizer``: "auto" (Stanford's when Java + pycocoevalcap are present, else ours), "stanford"
    (required) or "python". References are tokenized in one call and candidates in another, in
    ``candidates``' order, as ``COCOEvalCap.evaluate`` does: the Java lexer reads each line's end in
    the light of the next line, so the grouping is part of the reference numbers.
    """
    _check_pairs(candidates, references)
    keys = list(candidates)
    used, tokenizer_note = resolve_tokenizer(tokenizer)
    tokenize = stanford_tokenize if used == "stanford" else python_tokenize
    tokenized_refs = tokenize({k: list(references[k]) for k in keys})
    tokenized_cands = tokenize({k: [candidates[k]] for k in keys})
    meteor_score, note = None, ""
    reason = meteor_unavailable_reason() if meteor is not False else "skipped"
    if reason is None:
        meteor_score = corpus_meteor(tokenized_cands, tokenized_refs)
    elif meteor:
        raise VidrecapError(reason)
    else:
        note = reason
    bleu = corpus_bleu(tokenized_cands, tokenized_refs)
    return CaptionScores(
        bleu=(bleu[0], bleu[1], bleu[2], bleu[3]),
        meteor=meteor_score,
        rouge_l=corpus_rouge_l(tokenized_cands, tokenized_refs)[0],
        cider=corpus_cider_d(tokenized_cands, tokenized_refs)[0],
        rouge_lsum=corpus_rouge_lsum({k: [candidates[k]] for k in keys}, {k: references[k] for k in keys})[0],
        num_captions=len(keys),
        meteor_note=note,
        tokenizer=used,
        tokenizer_note=tokenizer_note,
    )
