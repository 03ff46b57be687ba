"""Extractive salience: which sentences best represent a span (TF-IDF centrality)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from . import language

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours yourself yourselves also
let lets okay ok yeah um uh like going gonna really well right oh so get got one
""".split())

_TOKEN = re.compile(r"[\w']+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return [t.strip("'") for t in _TOKEN.findall(text.lower()) if t.strip("'")]


def content_tokens(text: str) -> list[str]:
    """Tokens that carry meaning (no stop words of English or of the speech's language, no single
    characters)."""
    extra = language.stop_words(language.current())
    return [t for t in tokens(text) if t not in STOPWORDS and t not in extra and len(t) > 1]


def is_stop_word(word: str) -> bool:
    """A function word of English or of the speech's language (``language.spoken``)."""
    w = word.lower()
    return w in STOPWORDS or w in language.stop_words(language.current())


def rank_by_centrality(texts: Sequence[str]) -> list[int]:
    """Indices of ``texts`` from most to least central (cosine to the TF-IDF centroid)."""
    bags = [Counter(content_tokens(t)) for t in texts]
    df = Counter(w for bag in bags for w in bag)
    n = len(texts)
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
    vecs = []
    for bag in bags:
        v = {w: (1 + math.log(c)) * idf[w] for w, c in bag.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items()})
    centroid: Counter = Counter()
    for v in vecs:
        centroid.update(v)

    def score(i: int) -> float:
        sim = sum(x * centroid[w] for w, x in vecs[i].items())
        length = len(bags[i])
        return sim * min(1.0, length / 6.0)  # very short utterances rarely summarise anything

    return sorted(range(n), key=lambda i: (-score(i), i))
