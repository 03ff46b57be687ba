"""Warnings inside a sentence: what a "don't / never / avoid / instead of" clause advises against.

``split_warning(sentence)`` returns the ``Warned`` parts of a sentence (the words under a warning cue, up
to the end of their clause) and the rest (what is recommended or stated). Multiple choice and answers
use it so that an option repeating a warned clause is not taken for the recommended thing:

    "Avoid pruning young trees in summer; prune them in late winter instead."
    -> warned "pruning young trees in summer", rest "prune them in late winter instead."
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# a cue and the clause it governs: the cue's scope runs to the next clause boundary
CUES = (r"do not|don't|dont|does not|doesn't|did not|didn't|should not|shouldn't|must not|mustn't|never|"
        r"avoid(?:ing)?|instead of|rather than|stay away from|keep away from|refrain from|not|no")
NOT_A_WARNING = re.compile(r"\b(?:no|not) (?:more|less|fewer|later|earlier|longer|sooner) than\b|\bnot only\b|"
                           r"\bno (?:one|doubt|matter)\b|\bnot (?:just|even)\b", re.IGNORECASE)
_CUE = re.compile(rf"\b({CUES})\b", re.IGNORECASE)
# where a warned clause ends: punctuation, or a word that starts the reason or the alternative
_BOUNDARY = re.compile(r"[;,.:!?()]|\s(?:but|because|since|so|then|instead|as|otherwise|or else|unless|while)\b",
                       re.IGNORECASE)
# an option or answer that itself advises against something ("stay away from screens")
_ADVISES_AGAINST = re.compile(rf"\b({CUES}|without|stop|skip|limit|less|fewer|away from)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Warned:
    """A sentence split into the clauses it warns against and the rest."""

    sentence: str
    warned: tuple[str, ...]
    rest: str

    @property
    def has_warning(self) -> bool:
        return bool(self.warned)


def split_warning(sentence: str) -> Warned:
    """The clauses of ``sentence`` under a warning cue (without the cue) and the remaining text."""
    masked = NOT_A_WARNING.sub(lambda m: "\0" * len(m.group(0)), sentence)
    warned: list[str] = []
    keep = list(sentence)
    for m in _CUE.finditer(masked):
        start = m.end()
        end_match = _BOUNDARY.search(masked, start)
        end = end_match.start() if end_match else len(masked)
        clause = sentence[start:end].strip()
        if len(re.findall(r"\w+", clause)) == 0:
            continue
        warned.append(clause)
        for i in range(m.start(), end):
            keep[i] = " "
    rest = " ".join("".join(keep).split())
    return Warned(sentence, tuple(warned), rest)


def advises_against(text: str) -> bool:
    """Whether ``text`` (an option, a question) itself speaks of not doing something."""
    masked = NOT_A_WARNING.sub(" ", text)
    return bool(_ADVISES_AGAINST.search(masked))


def asks_what_to_avoid(question: str) -> bool:
    """A question asking for the warned thing: "what should you avoid?", "what is a mistake?"."""
    q = question.lower()
    return bool(re.search(r"\b(avoid|warn\w*|mistake|not (?:do|use|wear|buy|eat|drink|pack)|never|"
                          r"shouldn't|should not|dangerous|bad idea)\b", q)) and not q.startswith("why")
