"""A pure-Python PTB-style tokenizer that yields what the COCO caption evaluator's
``PTBTokenizer`` yields (Stanford CoreNLP 3.4.1 ``PTBTokenizer -preserveLines -lowerCase``, then
removal of its punctuation list) on ordinary English captions.

Reproduced behaviour: lower case; curly quotes / dashes / ellipsis normalised; clitics split
(``don't`` -> ``do n't``, ``he's`` -> ``he 's``, ``cannot`` -> ``can not``, ``gonna`` -> ``gon na``);
hyphenated words, decimal / grouped numbers, times, dates, acronyms (``u.s.``, ``e.g.``) and common
abbreviations (``mr.``, ``etc.``) kept whole; other punctuation split off. Brackets become
``-lrb-`` / ``-rrb-`` / ``-lsb-`` ... and, as in pycocoevalcap, survive the punctuation filter
(the filter lists them in upper case but the tokenizer has already lower-cased them).
"""

from __future__ import annotations

import re

# Exactly the list pycocoevalcap removes after tokenizing.
COCO_PUNCTUATION = frozenset(
    ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"]
)

_UNICODE = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": " -- ",
    "\u2014": " -- ",
    "\u2015": " -- ",
    "\u2026": " ... ",
    "\u00a0": " ",
}
_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "[": "-lsb-", "]": "-rsb-", "{": "-lcb-", "}": "-rcb-"}
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc no co inc ltd corp mt ft jan feb mar apr jun jul aug sep sept oct "
    "nov dec gen col lt sgt rev est approx dept univ fig".split()
)
_SPLIT_WORDS = {
    "cannot": ["can", "not"],
    "gonna": ["gon", "na"],
    "gotta": ["got", "ta"],
    "wanna": ["wan", "na"],
    "lemme": ["lem", "me"],
    "gimme": ["gim", "me"],
}
_CLITICS = ("n't", "'s", "'re", "'ve", "'ll", "'d", "'m")

_TOKEN = re.compile(
    r"""
    (?P<acronym>[a-z]+\.(?:[a-z]+\.)+)                          # u.s. e.g. p.m. ph.d.
  | (?P<number>\d+(?:[.,:/]\d+)+(?:[a-z]+)?)                     # 3.5 1,000 5:30 12/25/2020
  | (?P<word>[@\#]?[a-z0-9_]+(?:(?:[-/&]|'(?=[a-z0-9]))[a-z0-9_]+)*'?)   # words, t-shirt, o'neil, dogs'
  | (?P<quote>``|''|")
  | (?P<dots>\.{2,})
  | (?P<dashes>-{2,})
  | (?P<marks>[?!]+)
  | (?P<apostrophe>'+)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)


def ptb_tokens(text: str) -> list[str]:
    """Tokens of one caption (punctuation still included, lower-cased)."""
    for char, replacement in _UNICODE.items():
        text = text.replace(char, replacement)
    text = text.lower()
    tokens: list[str] = []
    consumed = -1  # position of a period already kept with an abbreviation
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if match.start() == consumed:
            continue
        if kind == "word":
            if match.end() < len(text) and text[match.end()] == "." and token in _ABBREVIATIONS:
                tokens.append(token + ".")
                consumed = match.end()
                continue
            tokens.extend(_split_word(token))
        elif kind == "quote":
            tokens.append("``" if _opens(text, match.start()) else "''")
        elif kind == "apostrophe":
            tokens.append("`" if _opens(text, match.start()) and token == "'" else token)
        else:
            tokens.append(_BRACKETS.get(token, token))
    return tokens


def _opens(text: str, start: int) -> bool:
    return start == 0 or text[start - 1].isspace() or text[start - 1] in "([{"


def _split_word(word: str) -> list[str]:
    trailing: list[str] = []
    if word.endswith("'") and len(word) > 1:
        word, trailing = word[:-1], ["'"]
    if word in _SPLIT_WORDS:
        return [*_SPLIT_WORDS[word], *trailing]
    for clitic in _CLITICS:
        if word.endswith(clitic) and len(word) > len(clitic):
            return [word[: -len(clitic)], clitic, *trailing]
    return [word, *trailing]


def coco_tokenize(text: str) -> str:
    """A caption as pycocoevalcap scores it: PTB tokens joined by spaces, its punctuation removed."""
    text = text.replace("\n", " ")
    return " ".join(t for t in ptb_tokens(text) if t not in COCO_PUNCTUATION)
