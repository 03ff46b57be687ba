"""Lexical matching: BM25 over each cell's words (speech ±1 cell + on-screen text).

Scores are *coverage* in ``[0, 1]``: the IDF-weighted share of the query's content words found in
the cell, each word's credit saturating BM25-style (one occurrence in a document of average length
counts fully). Query words absent from the video keep their weight, so a query whose rare words are
missing scores low. A light dilation (each cell keeps ``DECAY**d`` of a neighbour's score ``d``
cells away) lets exact words reach the cells around the moment they were said.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..text.numbers import normalize_numbers
from ..text.salience import STOPWORDS

K1, B = 1.2, 0.75
DECAY, REACH = 0.6, 2
_TOKEN = re.compile(r"\d+(?:[.:]\d+)?|\w+", re.UNICODE)


def stem(word: str) -> str:
    """A tiny suffix stripper so that "cooking", "cooked" and "cooks" meet "cook"."""
    for suffix in ("ing", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    if len(word) >= 6 and word.endswith("our"):
        word = word[:-3] + "or"  # colour / color, flavour / flavor
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]  # bake / baked / baking -> bak
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # running -> runn -> run
    return word


def terms(text: str) -> list[str]:
    """Stemmed content words of ``text`` (lower case, numbers as digits, stop words and 1-letter words
    dropped; numbers kept): "fifteen grams" and "15 g" give the same terms."""
    words = (w for w in _TOKEN.findall(normalize_numbers(text).lower())
             if w not in STOPWORDS and (len(w) > 1 or w.isdigit()))
    return [w if w[0].isdigit() else stem(w) for w in words]


@dataclass
class LexicalIndex:
    """An inverted index over cell documents."""

    n_docs: int
    lengths: np.ndarray
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(repr=False)  # term -> (docs, tf)

    @classmethod
    def build(cls, documents: Sequence[str]) -> LexicalIndex:
        grouped: dict[str, tuple[list[int], list[int]]] = {}
        lengths = np.zeros(len(documents), np.float32)
        for i, doc in enumerate(documents):
            counts = Counter(terms(doc))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                docs, tfs = grouped.setdefault(term, ([], []))
                docs.append(i)
                tfs.append(tf)
        postings = {t: (np.array(d, np.int64), np.array(f, np.float32)) for t, (d, f) in grouped.items()}
        return cls(len(documents), lengths, postings)

    def idf(self, term: str) -> float:
        df = len(self.postings[term][0]) if term in self.postings else 0
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def coverage(self, query: str) -> np.ndarray:
        """Per-document share of the query's (IDF-weighted) content words, in ``[0, 1]``."""
        out = np.zeros(self.n_docs, np.float32)
        weights = {t: self.idf(t) for t in set(terms(query))}
        total = sum(weights.values())
        if not total:
            return out
        filled = self.lengths[self.lengths > 0]
        avg = float(filled.mean()) if len(filled) else 1.0
        for term, w in weights.items():
            if term not in self.postings:
                continue
            docs, tf = self.postings[term]
            norm = 1.0 - B + B * self.lengths[docs] / avg
            credit = np.minimum(1.0, tf * (K1 + 1.0) / (tf + K1 * norm))
            out[docs] += w / total * credit
        return dilate(np.minimum(out, 1.0))


def dilate(x: np.ndarray, decay: float = DECAY, reach: int = REACH) -> np.ndarray:
    """``max(x[i], decay**d * x[i±d])`` for ``d <= reach``: temporal smoothing that keeps peaks."""
    out = x.copy()
    for d in range(1, reach + 1):
        f = decay**d
        out[d:] = np.maximum(out[d:], f * x[:-d])
        out[:-d] = np.maximum(out[:-d], f * x[d:])
    return out


def cell_documents(speech: Sequence[str], on_screen: Sequence[str]) -> list[str]:
    """Cell ``i``'s document: speech of cells ``i-1..i+1`` plus its on-screen text."""
    n = len(speech)
    return [" ".join([*speech[max(0, i - 1):i + 2], on_screen[i]]) for i in range(n)]
