"""Caption metrics as the COCO caption evaluator (pycocoevalcap) reports them, plus rougeLsum.

``evaluate_captions(candidates, references)`` tokenizes every caption (PTB style, punctuation
removed), then computes BLEU-1..4, ROUGE-L and CIDEr-D with our own code (matching pycocoevalcap to
1e-6, tested), METEOR with pycocoevalcap's jar when Java is present (else ``None`` with a note), and
rougeLsum on the raw texts as the rouge-score package does.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import InputError, VidrecapError
from .meteor import corpus_meteor, meteor_unavailable_reason
from .ngram_metrics import corpus_bleu, corpus_cider_d, corpus_rouge_l
from .rouge_lsum import corpus_rouge_lsum
from .tokenizer import coco_tokenize

__all__ = ["CaptionScores", "evaluate_captions", "coco_tokenize", "stanford_tokenize"]


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

    def to_dict(self) -> dict:
        row = {f"Bleu_{i + 1}": value for i, value in enumerate(self.bleu)}
        row.update({"METEOR": self.meteor, "ROUGE_L": self.rouge_l, "CIDEr": self.cider})
        row.update({"rougeLsum": self.rouge_lsum, "num_captions": self.num_captions})
        if self.meteor_note:
            row["METEOR_note"] = self.meteor_note
        return row


def stanford_tokenize(texts: dict) -> dict:
    """``{id: [caption, ...]}`` through pycocoevalcap's Java PTBTokenizer (needs java + pycocoevalcap)."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    return PTBTokenizer().tokenize({k: [{"caption": c} for c in v] for k, v in texts.items()})


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
    tokenizer: str = "python",
) -> CaptionScores:
    """Score one candidate caption per id against its references.

    ``meteor``: True = required (error when unavailable), False = skip, None = when available.
    ``tokenizer``: "python" (ours) or "stanford" (pycocoevalcap's Java tokenizer).
    """
    _check_pairs(candidates, references)
    keys = list(candidates)
    if tokenizer == "stanford":
        tokenized_cands = stanford_tokenize({k: [candidates[k]] for k in keys})
        tokenized_refs = stanford_tokenize({k: list(references[k]) for k in keys})
    else:
        tokenized_cands = {k: [coco_tokenize(candidates[k])] for k in keys}
        tokenized_refs = {k: [coco_tokenize(r) for r in references[k]] for k in keys}
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
    )
