"""Key phrases that name a stretch of speech: short noun-like phrases chosen by embedding similarity.

Candidates are runs of content words (1–3 words, never starting or ending on a stop word, a verb
form or an adverb); each is scored by its embedding's cosine to the stretch it should name, minus
its similarity to the other stretches (a chapter title should tell chapters apart), plus a little
for phrases said more than once. This is KeyBERT's method (candidates + cosine + diversity); we
write the 40 lines ourselves because the encoder is already loaded, the candidates need our own
noun-phrase filter (KeyBERT's n-grams give "walk across"), and no new dependency is needed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from .salience import is_stop_word
from .vocabulary import LETTERS, is_word

# verb and adverb forms that often end or start a stop-word-free run but never name a topic
_NOT_NOUN = frozenset("""
add adds added make makes made take takes took give gives keep keeps put puts go goes went come comes came
see sees saw say says said tell tells ask asks want wants try tries begin begins find finds think thinks
know knows feel feels stir stirs boil boils drain drains spin spins open opens rise rises build builds throw
throws predict predicts push pushes bring brings arrive arrives avoid avoids reserve grate cancel collect
collects lay lays help helps need needs become becomes start starts less
scored saved sang won lost carry carries wake wakes hold holds like likes get gets
many much few several every each another lot lots thing things way ways time today tonight tomorrow now
first second last next new good great big small little large long short best better able sure
across along around behind beside beyond near onto toward towards upon within without via per inside
outside among
""".split())
_WORD = re.compile(LETTERS)
_CLAUSE = re.compile(r"[.!?;:,()\"\u201c\u201d]+")


def _bad_edge(word: str, last: bool) -> bool:
    """A word no noun phrase starts or ends with (an -ing word may start one: "shopping bags")."""
    w = word.lower()
    verb_form = (_is_ing(w) and last) or (w.endswith("ed") and len(w) > 4)
    return is_stop_word(w) or w in _NOT_NOUN or len(w) < 3 or w.endswith("ly") or verb_form


def candidate_phrases(text: str, longest: int = 3) -> Counter:
    """Noun-like phrases of ``text`` (lower-cased) and how often each occurs."""
    found: Counter = Counter()
    gerunds: Counter = Counter()
    for clause in _CLAUSE.split(text):
        run: list[str] = []
        for word in [*_WORD.findall(clause), ""]:
            if word and not is_stop_word(word) and word.lower() not in _NOT_NOUN:
                run.append(word.lower())
                continue
            for size in range(1, longest + 1):
                for i in range(len(run) - size + 1):
                    gram = run[i:i + size]
                    if size == 1 and _is_ing(gram[0]):
                        gerunds[gram[0]] += 1
                    elif not (_bad_edge(gram[0], size == 1) or _bad_edge(gram[-1], True)):
                        found[" ".join(gram)] += 1
            run = []
    # an -ing word alone is a verb form ("carrying") unless it is said again and again ("cycling")
    found.update({w: n for w, n in gerunds.items() if n >= 3 and not _bad_edge(w, False)})
    return found


def _is_ing(word: str) -> bool:
    return word.endswith("ing") and len(word) > 5


def real_phrases(counts: Counter, text: str, recurring: int = 2) -> Counter:
    """The phrases of ``counts`` made only of real words that each occur ``recurring`` times or more
    in ``text`` (a plural counts as its singular): a recogniser's one-off fragment never qualifies."""
    said: Counter = Counter(_stem(w) for w in _WORD.findall(text.lower()))
    return Counter({p: n for p, n in counts.items()
                    if all(is_word(w) and said[_stem(w)] >= recurring for w in p.split())})


RECUR_FROM = 80  # words (~35 s of speech): a shorter text need not say its subject twice


def real_candidates(text: str) -> Counter:
    """``text``'s candidate phrases of real words, said twice where the text is long enough."""
    found = candidate_phrases(text)
    long_enough = len(_WORD.findall(text)) >= RECUR_FROM
    return (real_phrases(found, text) if long_enough else Counter()) or real_phrases(found, text, 1)


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def key_phrases(texts: Sequence[str], encoder, top: int = 3) -> list[list[str]]:
    """For each text, its ``top`` key phrases, best first (empty for a text without candidates).
    Candidates are real words (``real_phrases``) said more than once where the text is long
    enough for words to recur (``RECUR_FROM`` words); a short one takes real words said once."""
    candidates = [real_candidates(t) for t in texts]
    vocab = sorted({p for c in candidates for p in c})
    if not vocab:
        return [[] for _ in texts]
    docs = np.asarray(encoder.embed_text([t if t.strip() else "-" for t in texts]), np.float32)
    phrase_emb = dict(zip(vocab, np.asarray(encoder.embed_text(vocab), np.float32), strict=True))
    out = []
    for k, counts in enumerate(candidates):
        others = np.delete(docs, k, axis=0)
        scored = []
        for phrase, n in counts.items():
            e = phrase_emb[phrase]
            own = float(e @ docs[k])
            rival = float((others @ e).max()) if len(others) else 0.0
            words = phrase.count(" ") + 1
            scored.append((own + 0.5 * max(0.0, own - rival) + 0.04 * min(n - 1, 3) - 0.04 * (words - 1), phrase))
        out.append(_diverse([p for _, p in sorted(scored, reverse=True)], top))
    return out


def _diverse(ranked: Sequence[str], top: int) -> list[str]:
    """Best phrases, skipping one that repeats a word of a better one."""
    chosen: list[str] = []
    for phrase in ranked:
        words = set(phrase.split())
        if all(not (words & set(c.split())) for c in chosen):
            chosen.append(phrase)
        if len(chosen) == top:
            break
    return chosen


def as_title(phrase: str) -> str:
    """``bicycle gears`` → ``Bicycle gears``."""
    return phrase[:1].upper() + phrase[1:]
