"""A pure-Python stand-in for the COCO caption evaluator's tokenizer, used only when Java is missing.

pycocoevalcap writes every caption of one call on its own line of one file and runs Stanford
CoreNLP 3.4.1 ``PTBTokenizer -preserveLines -lowerCase`` over it, then drops its punctuation list.
``coco_tokenize_lines`` reproduces that on the same list of lines, including what makes the Java
lexer context-dependent:

- it sees the original case and lower-cases only its output (``Inc.`` before a capital is a
  sentence end: ``inc. .``);
- a line's last token can depend on the next line (``plan B.`` then ``The ...`` gives ``b .``, then
  ``Dogs ...`` gives ``b.``), so the lines must be tokenized together, in the reference's order;
- clitics and possessives (``do n't``, ``FLAT,'s`` -> ``, 's``, ``y' all``, ``rock 'n' roll``),
  abbreviations (``mr.``, ``u.s.``, ``e.g.``), numbers, times, dates, fractions, hyphenated words,
  URLs and e-mail addresses kept whole; unicode letters inside words; symbols it cannot tokenize
  (emoji) deleted; brackets as ``-lrb-`` etc. (which, lower-cased, survive pycocoevalcap's filter).

It is tested equal to the Java tokenizer on generated noisy corpora (``tests/eval``), but the Java
lexer has hundreds of rules: results from this path are labelled approximate.
"""

from __future__ import annotations

import re

# Exactly the list pycocoevalcap removes after tokenizing.
COCO_PUNCTUATION = frozenset(
    ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"]
)

# Line breaks the Java lexer would treat as a new line: pycocoevalcap only replaces "\n", so these
# would shift every later caption onto the wrong id. Both tokenizer paths turn them into spaces.
LINE_BREAKS = re.compile("[\r\u2028\u2029\u000b\u000c\u0085]")

# Abbreviations whose period may end a sentence: before whitespace + a capital (or a blank) the
# period is repeated as its own token ("Inc. The" -> "inc. . the").
_SENTENCE_FINAL_ABBREVIATIONS = frozenset(
    (
        "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri "
        "ala ariz calif colo conn dak del fla ga ind kan kans ky la md mich minn mo mont neb nev okla "
        "pa penn tenn tex va vt wis wisc wyo inc co cos corp pty ptys ltd plc bancorp dept bhd assn "
        "univ intl sys prop ph tel est ext sq ft jr sr bros blvd rd esq etc al seq"
    ).split()
)
# States that are also common words count only when capitalised as written here.
_CASED_STATES = frozenset(["Ark", "Ill", "Mass", "Miss", "Ore", "Wash"])
# Abbreviations that keep their period and never end a sentence.
_TITLE_ABBREVIATIONS = frozenset(
    (
        "mr mrs ms drs dr profs prof sens sen reps rep attys atty lt col gen messrs govs gov adm rev "
        "maj sgt cpl pvt mt capt st ste ave pres lieut hon brig cmdr comdr pfc spc supts supt det vs "
        "alex wm jos cie cf treas invt elec natl mfg mtg"
    ).split()
)
# Capitalised words after which an acronym's period also ends the sentence ("U.S. The" -> "u.s. .").
_SENTENCE_STARTS = frozenset(
    (
        "About According Additionally After An A As At But Earlier He Her Here However If In It Last "
        "Many More Now Once One Other Our She Since So Some Such That The Then There These They This "
        "We When While What Yet You Mr. Ms. <"
    ).split()
)
_CLITICS = ("n't", "'s", "'m", "'d", "'re", "'ve", "'ll")
_SPLIT_WORDS = {"cannot": ["can", "not"]}
_ASSIMILATIONS = {"gonna": ("gon", "na"), "gotta": ("got", "ta"), "wanna": ("wan", "na")}
_ASSIMILATIONS.update({"lemme": ("lem", "me"), "gimme": ("gim", "me")})
_UNICODE = {
    "\u2018": "`",
    "\u201b": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u00ab": "``",
    "\u201d": "''",
    "\u00bb": "''",
    "\u00a2": "cents",
    "\u00a3": "#",
    "\u20ac": "$",
    "\u00a4": "$",
}
_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "[": "-lsb-", "]": "-rsb-", "{": "-lcb-", "}": "-rcb-"}
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "''"}
_FRACTIONS = {"\u00bc": "1/4", "\u00bd": "1/2", "\u00be": "3/4", "\u2153": "1/3"}

_L = r"[^\W\d_]"  # a letter (any script)
_LD = r"\w"  # a letter, digit or underscore
_APOS = "['\u2019]"
_TOKEN = re.compile(
    rf"""
    (?P<url>https?://[^\s"<>|()]+[^\s"<>|.!?(){{}},\-])
  | (?P<email>[A-Za-z0-9][^\s"<>|(){{}}\u00a0]*@(?:[^\s"<>|(){{}}.\u00a0]+\.)*[^\s"<>|(){{}}\[\].\u00a0]+)
  | (?P<site>(?:(?i:www)\.(?:[^\s"<>|.!?(){{}},]+\.)+[A-Za-z]{{2,4}}
      |(?:[A-Za-z0-9][^\s"`'<>|.!?(){{}},\-_$]*\.)+(?:com|net|org|edu))(?![A-Za-z0-9]))
  | (?P<sgml></?[A-Za-z!][^>]*>)
  | (?P<entity>&(?:amp|lt|gt|quot);)
  | (?P<acronym>(?:(?:Canada|Sino|Korean|EU|Japan|non)-U\.S|[A-Za-z](?:\.[A-Za-z])+|(?:Ph|Ed)\.D)\.(?![A-Za-z-]))
  | (?P<hthing>[A-Za-z0-9][A-Za-z0-9.,]*(?:-(?:[A-Za-z0-9]+|[A-Za-z](?:\.[A-Za-z])+\.))+)
  | (?P<thinga>S&Ls|[A-Z]+(?:[+&][A-Z]+)+|[A-Z](?:\+\+|\#)(?!\w))
  | (?P<hashtag>\#[A-Za-z]\w*)
  | (?P<dotted>[A-Za-z]+(?:\.[A-Za-z]+)+(?=\s|$))
  | (?P<redaux>{_APOS}(?:[sSmMdD]|re|RE|ve|VE|ll|LL)(?![A-Za-z])|{_APOS}[Tt](?=(?:is|IS|was|WAS)(?!{_L})))
  | (?P<apoword>{_APOS}n{_APOS}|{_APOS}[2-9]0[sS]|{_APOS}[0-9][0-9](?=\s|$)
      |{_APOS}(?:em|cause|till?)(?!{_L})|[Yy]{_APOS}(?={_L}))
  | (?P<date>\d{{1,2}}[-/]\d{{1,2}}[-/]\d{{2,4}}(?![\d/]))
  | (?P<slashed>[A-Za-z0-9]+(?:/[A-Za-z0-9]+){{1,2}}(?![A-Za-z0-9/]))
  | (?P<fraction>(?:\d{{1,4}}[- ])?\d{{1,4}}/\d{{1,4}})
  | (?P<vulgar>[\u00bc\u00bd\u00be\u2153])
  | (?P<dollar>[A-Za-z]*\$)
  | (?P<number>[-+]?(?:\d*(?:[.:,]\d+)+|\d+)(?!{_LD}))
  | (?P<atword>\w+@\w+)
  | (?P<word>{_LD}+(?:{_APOS}{_LD}+)*(?:[-\u2010\u2011]{_LD}+(?:{_APOS}{_LD}+)*)*)
  | (?P<handle>@{_LD}+)
  | (?P<smiley>[:;=]-?(?:[()](?![\w(])|[DPdp](?!\w)))
  | (?P<dots>\.\.\.\.?\.?|\u2026)
  | (?P<dashes>--+|[\u2013\u2014\u2015])
  | (?P<marks>[?!]+)
  | (?P<quote>``|''|"|[`\u2018\u2019\u201b\u201c\u201d\u00ab\u00bb]|')
  | (?P<unds>_+)
  | (?P<hashes>\#+)
  | (?P<other>\S)
    """,
    re.VERBOSE,
)
_SYMBOL_RANGES = (
    (0x00A6, 0x00BA),
    (0x00D7, 0x00D7),
    (0x00F7, 0x00F7),
    (0x2020, 0x2023),
    (0x2032, 0x2038),
    (0x2100, 0x214F),
    (0x2190, 0x23FF),
    (0x2600, 0x27BF),
    (0x2605, 0x2606),
)
_KEPT_ASCII = set("%&+=~^*/\\|<>;:,.¡¿_@")


def _untokenizable(char: str) -> bool:
    code = ord(char)
    if code < 0x80:
        return char not in _KEPT_ASCII
    if code > 0xFFFF:  # beyond the Basic Multilingual Plane (emoji): the lexer deletes it
        return True
    return not any(low <= code <= high for low, high in _SYMBOL_RANGES) and code not in (0xA5, 0xA2)


_NEXT_WORD = re.compile(r"[ \t\n\u00a0]+(?:([A-Za-z]+)(?=[ \t\n\u00a0])|(M[rRsS]\.)(?=[ \t\n\u00a0])|(<)[A-Za-z!/])")


def _next_word(text: str, end: int) -> str:
    """The word after the whitespace that follows ``end`` ("" when there is none; "<" for a tag)."""
    match = _NEXT_WORD.match(text, end)
    if not match:
        return ""
    word = match.group(1) or match.group(2) or match.group(3)
    return word[0] + word[1:].lower()  # the lexer matches these words' first letter case-sensitively


def _sentence_end_follows(text: str, end: int) -> bool:
    """Whitespace, then a capital letter or more whitespace: the Java lexer's sentence end."""
    return re.compile(r"[ \t\n\u00a0](?:[ \t\n\u00a0]|[A-Z])").match(text, end) is not None


_KEPT_APOSTROPHE = re.compile(
    rf"(?:[A-HJ-XZn]|[dDlLoO])'{_L}{{2,}}|{_L}*[aeiouyAEIOUY]'[aeiouA-Z]{_L}*|{_L}+'[nN]'{_L}+"
    r"|(?i:c'mon|e'er|s'mores|ev'ry|li'l|nat'l|cont'd|nor'easter|o'clock)"
)


def _inner_apostrophe(word: str) -> int:
    """Where to cut a word at an apostrophe the lexer does not keep inside a word (0: keep whole)."""
    normal = word.replace("\u2019", "'")
    if "'" not in normal or _KEPT_APOSTROPHE.fullmatch(normal):
        return 0
    stem, _, rest = normal.partition("'")
    if stem in ("j", "J"):  # "j'accuse" -> "j'" "accuse"
        return 2
    clitic = "'" + rest
    if clitic.lower() in _CLITICS or (rest.lower().startswith("t") and stem.lower().endswith("n")):
        return 0
    return len(stem)


def _split_word(word: str, text: str, end: int) -> list[str]:
    lower = word.lower()
    if lower in _SPLIT_WORDS:
        return list(_SPLIT_WORDS[lower])
    if lower in _ASSIMILATIONS:
        return list(_ASSIMILATIONS[lower])
    normal = word.replace("\u2019", "'")
    for clitic in _CLITICS:
        if normal.lower().endswith(clitic) and len(normal) > len(clitic):
            stem = normal[: -len(clitic)]
            if clitic == "n't" or "'" not in stem:
                return [*_split_word(stem, text, end - len(clitic)), normal[-len(clitic) :]]
    if "'" in normal and normal.count("'") == 2 and re.fullmatch(r"\w+'n'\w+", normal, re.IGNORECASE):
        left, _, right = normal.split("'")
        return [left, "'n'", right]
    return [word]


def _word_tokens(match: re.Match, text: str) -> tuple[list[str], int]:
    """Tokens for a word and the position scanning continues from (a kept period is consumed)."""
    word, end = match.group(), match.end()
    if text[end : end + 2] in (".,", ".;", ".:"):  # a period before , ; : stays with its word
        return [word + "."], end + 1
    if end < len(text) and text[end] == ".":
        key = word.lower()
        if key in _TITLE_ABBREVIATIONS or len(word) == 1 and word.isascii():
            if len(word) == 1 and _next_word(text, end + 1) in _SENTENCE_STARTS:
                return [word], end
            return [word + "."], end + 1
        if key in ("no", "nos", "fig"):  # "No. 5" only; otherwise the word and a full stop
            if re.compile(r"\.[ \t\u00a0]*\d").match(text, end):
                return [word + "."], end + 1
            return [word], end
        if key in _SENTENCE_FINAL_ABBREVIATIONS or word in _CASED_STATES:
            if _sentence_end_follows(text, end + 1):
                return [word + ".", "."], end + 1
            return [word + "."], end + 1
    if end < len(text) and text[end] in "'\u2019" and not re.match(rf"{_APOS}{_L}", text[end : end + 2]):
        return [*_split_word(word, text, end)], end
    return _split_word(word, text, end), end


def _line_tokens(text: str) -> list[tuple[int, str]]:
    """(start offset, token) over the whole text, tokens as the Java lexer writes them (cased)."""
    tokens: list[tuple[int, str]] = []
    position = 0
    while position < len(text):
        if text[position] in " \t\n\u00a0\u200b\ufeff" or "\u2000" <= text[position] <= "\u200a":
            position += 1
            continue
        match = _TOKEN.match(text, position)
        kind, token = match.lastgroup, match.group()
        end = match.end()
        if kind == "word" and (cut := _inner_apostrophe(token)):
            if token[cut - 1] in "'\u2019":  # "j'accuse": the prefix keeps its apostrophe
                tokens.append((position, token[:cut]))
                position += cut
                continue
            match = _TOKEN.match(text[: position + cut], position)
            kind, token, end = match.lastgroup, match.group(), match.end()
        if kind == "word":
            words, end = _word_tokens(match, text)
            tokens.extend((position, w) for w in words)
        elif kind == "acronym":
            if _next_word(text, end) in _SENTENCE_STARTS:
                tokens.extend([(position, token), (end - 1, ".")])
            else:
                tokens.append((position, token))
        elif kind == "quote":
            tokens.append((position, _quote(token, text, position, end)))
        elif kind == "dots":
            tokens.append((position, "..."))
        elif kind == "dashes":
            tokens.append((position, "--" if len(token) in (1, 2, 3, 4) else token))
        elif kind == "smiley":
            tokens.append((position, token.replace("(", "-lrb-").replace(")", "-rrb-")))
        elif kind == "entity":
            tokens.append((position, _ENTITIES[token]))
        elif kind == "vulgar":
            tokens.append((position, _FRACTIONS[token]))
        elif kind == "fraction":
            tokens.append((position, token.replace(" ", "\u00a0")))
        elif kind == "other":
            tokens.extend(_other(token, position))
        else:
            tokens.append((position, token))
        position = end
    return tokens


def _quote(token: str, text: str, start: int, end: int) -> str:
    if token == '"':
        return "``" if end < len(text) and re.match(r"[A-Za-z0-9$]", text[end]) else "''"
    if token == "'" and re.match(r"[A-Za-z][^ \t\n\r\u00a0]", text[end : end + 2]):
        return "`"
    return _UNICODE.get(token, token)


def _other(char: str, position: int) -> list[tuple[int, str]]:
    if char in _BRACKETS:
        return [(position, _BRACKETS[char])]
    if char in _FRACTIONS:
        return [(position, _FRACTIONS[char])]
    if char in _UNICODE:
        return [(position, _UNICODE[char])]
    return [] if _untokenizable(char) else [(position, char)]


def coco_tokenize_lines(texts: list[str]) -> list[str]:
    """Captions as pycocoevalcap scores them, tokenized together as one of its calls does."""
    lines = [LINE_BREAKS.sub(" ", t.replace("\n", " ")) for t in texts]
    joined = "\n".join(lines)
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    out: list[list[str]] = [[] for _ in lines]
    index = 0
    for position, token in _line_tokens(joined):
        while index + 1 < len(starts) and position >= starts[index + 1]:
            index += 1
        lowered = token.lower()
        if token not in COCO_PUNCTUATION and lowered not in COCO_PUNCTUATION:
            out[index].append(lowered)
    return [" ".join(tokens) for tokens in out]


def coco_tokenize(text: str) -> str:
    """One caption tokenized on its own (see ``coco_tokenize_lines`` for a whole call's context)."""
    return coco_tokenize_lines([text])[0]


def ptb_tokens(text: str) -> list[str]:
    """Tokens of one caption (punctuation still included, lower-cased)."""
    text = LINE_BREAKS.sub(" ", text.replace("\n", " "))
    return [token.lower() for _, token in _line_tokens(text)]
