"""Summary-level ROUGE-L (``rougeLsum``) as Google's ``rouge-score`` package computes it.

Texts are split into sentences on newlines; tokens are lower-cased runs of ``[a-z0-9]`` (no
stemming, the package's default). For each reference sentence, the union of its LCS tokens with every
candidate sentence counts as hits, each token at most as often as it occurs in both texts; P = hits /
candidate tokens, R = hits / reference tokens, F1. With several references the best F is kept; the
corpus score is the mean F over captions (Hugging Face ``evaluate`` reports a bootstrap median of
this mean instead, which differs slightly and randomly).
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def rouge_tokens(text: str) -> list[str]:
    return [t for t in _NON_ALNUM.sub(" ", text.lower()).split() if t]


def _lcs_indices(ref: list[str], cand: list[str]) -> list[int]:
    """Indices into ``ref`` of one LCS, backtracking as rouge-score does (prefer moving in ``ref``)."""
    rows, cols = len(ref), len(cand)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            if ref[i - 1] == cand[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    indices: list[int] = []
    i, j = rows, cols
    while i > 0 and j > 0:
        if ref[i - 1] == cand[j - 1]:
            indices.append(i - 1)
            i, j = i - 1, j - 1
        elif table[i][j - 1] > table[i - 1][j]:
            j -= 1
        else:
            i -= 1
    return indices[::-1]


def _sentences(text: str) -> list[list[str]]:
    return [rouge_tokens(s) for s in text.split("\n") if len(s)]


def rouge_lsum_f(candidate: str, reference: str) -> float:
    ref_sents, cand_sents = _sentences(reference), _sentences(candidate)
    ref_total = sum(map(len, ref_sents))
    cand_total = sum(map(len, cand_sents))
    if not ref_total or not cand_total:
        return 0.0
    ref_left = Counter(t for s in ref_sents for t in s)
    cand_left = Counter(t for s in cand_sents for t in s)
    hits = 0
    for ref in ref_sents:
        union = sorted(set().union(*(_lcs_indices(ref, cand) for cand in cand_sents)))
        for token in (ref[i] for i in union):
            if cand_left[token] > 0 and ref_left[token] > 0:
                hits += 1
                cand_left[token] -= 1
                ref_left[token] -= 1
    precision, recall = hits / cand_total, hits / ref_total
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def corpus_rouge_lsum(candidates: dict, references: dict) -> tuple[float, dict]:
    """Raw (untokenized) texts: ``{id: [candidate]}``, ``{id: [reference, ...]}``; best F per id, mean."""
    per_id = {
        key: max(rouge_lsum_f(cand, ref) for ref in references[key]) for key, (cand,) in candidates.items()
    }
    return float(np.mean(list(per_id.values()))), per_id
