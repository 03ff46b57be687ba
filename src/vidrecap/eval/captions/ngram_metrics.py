"""BLEU-1..4, ROUGE-L and CIDEr-D on tokenized captions, computed as pycocoevalcap 1.2 computes them.

Inputs are ``{id: [caption]}`` (one candidate per id) and ``{id: [reference, ...]}`` with captions
already tokenized (tokens separated by spaces, see ``tokenizer.coco_tokenize``).

- BLEU: corpus level; clipped n-gram counts and candidate / closest-reference lengths summed over
  the corpus; the n-gram precisions are smoothed with 1e-15 / 1e-9 and the brevity penalty uses the
  corpus length ratio, exactly as ``bleu_scorer.BleuScorer.compute_score(option="closest")``.
- ROUGE-L: per caption, the LCS precision and recall against each reference, the max of each over
  references, F with beta = 1.2; averaged over ids.
- CIDEr-D: TF-IDF n-gram vectors (n = 1..4) with document frequencies from the references of the
  whole corpus, clipped candidate weights, Gaussian length penalty (sigma 6, lengths counted in
  bigrams as the reference does), times 10, averaged over references and n, then over ids.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

MAX_N = 4
ROUGE_BETA = 1.2
CIDER_SIGMA = 6.0


def ngram_counts(tokens: list[str], max_n: int = MAX_N) -> Counter:
    counts: Counter = Counter()
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i : i + n])] += 1
    return counts


def corpus_bleu(candidates: dict, references: dict, max_n: int = MAX_N) -> list[float]:
    """Cumulative BLEU-1 .. BLEU-``max_n`` of the corpus."""
    correct = [0] * max_n
    guessed = [0] * max_n
    candidate_length = reference_length = 0
    for key, (candidate,) in candidates.items():
        words = candidate.split()
        refs = [r.split() for r in references[key]]
        max_ref_counts: Counter = Counter()
        for ref in refs:
            for ngram, count in ngram_counts(ref, max_n).items():
                max_ref_counts[ngram] = max(max_ref_counts[ngram], count)
        length = len(words)
        candidate_length += length
        reference_length += min((abs(len(r) - length), len(r)) for r in refs)[1]
        for ngram, count in ngram_counts(words, max_n).items():
            correct[len(ngram) - 1] += min(max_ref_counts.get(ngram, 0), count)
        for k in range(max_n):
            guessed[k] += max(length - k, 0)
    scores, product = [], 1.0
    for k in range(max_n):
        product *= (correct[k] + 1e-15) / (guessed[k] + 1e-9)
        scores.append(product ** (1.0 / (k + 1)))
    ratio = (candidate_length + 1e-15) / (reference_length + 1e-9)
    if ratio < 1:
        scores = [s * math.exp(1 - 1 / ratio) for s in scores]
    return scores


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, one row at a time)."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def caption_rouge_l(candidate: str, refs: list[str], beta: float = ROUGE_BETA) -> float:
    words = candidate.split(" ")
    precisions, recalls = [], []
    for ref in refs:
        ref_words = ref.split(" ")
        common = lcs_length(ref_words, words)
        precisions.append(common / len(words))
        recalls.append(common / len(ref_words))
    precision, recall = max(precisions), max(recalls)
    if precision == 0 or recall == 0:
        return 0.0
    return ((1 + beta**2) * precision * recall) / (recall + beta**2 * precision)


def corpus_rouge_l(candidates: dict, references: dict) -> tuple[float, dict]:
    per_id = {key: caption_rouge_l(cand, references[key]) for key, (cand,) in candidates.items()}
    return float(np.mean(list(per_id.values()))), per_id


class _CiderVectors:
    def __init__(self, document_frequency: Counter, log_corpus_size: float):
        self.document_frequency = document_frequency
        self.log_corpus_size = log_corpus_size

    def vector(self, counts: Counter) -> tuple[list[dict], list[float], int]:
        vectors: list[dict] = [defaultdict(float) for _ in range(MAX_N)]
        norms = [0.0] * MAX_N
        bigrams = 0
        for ngram, term_frequency in counts.items():
            n = len(ngram) - 1
            weight = float(term_frequency) * (
                self.log_corpus_size - np.log(max(1.0, self.document_frequency[ngram]))
            )
            vectors[n][ngram] = weight
            norms[n] += weight**2
            if n == 1:
                bigrams += term_frequency
        return vectors, [float(np.sqrt(x)) for x in norms], bigrams


def _cider_similarity(candidate, reference) -> np.ndarray:
    (cand_vec, cand_norm, cand_len), (ref_vec, ref_norm, ref_len) = candidate, reference
    delta = float(cand_len - ref_len)
    values = np.zeros(MAX_N)
    for n in range(MAX_N):
        for ngram in cand_vec[n]:
            values[n] += min(cand_vec[n][ngram], ref_vec[n][ngram]) * ref_vec[n][ngram]
        if cand_norm[n] != 0 and ref_norm[n] != 0:
            values[n] /= cand_norm[n] * ref_norm[n]
        values[n] *= np.e ** (-(delta**2) / (2 * CIDER_SIGMA**2))
    return values


def corpus_cider_d(candidates: dict, references: dict) -> tuple[float, dict]:
    ref_counts = {key: [ngram_counts(r.split()) for r in references[key]] for key in candidates}
    document_frequency: Counter = Counter()
    for counts in ref_counts.values():
        document_frequency.update({ngram for c in counts for ngram in c})
    vectors = _CiderVectors(document_frequency, float(np.log(float(len(ref_counts)))))
    per_id = {}
    for key, (candidate,) in candidates.items():
        cand = vectors.vector(ngram_counts(candidate.split()))
        total = np.zeros(MAX_N)
        for counts in ref_counts[key]:
            total += _cider_similarity(cand, vectors.vector(counts))
        per_id[key] = float(np.mean(total) / len(ref_counts[key]) * 10.0)
    return float(np.mean(list(per_id.values()))), per_id
