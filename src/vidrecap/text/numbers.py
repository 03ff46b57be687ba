"""Numbers and units written one way or another, made comparable: "fifteen" and "15", "$95" and
"ninety-five dollars", "half past four" and "4:30", "18 °C" and "eighteen degrees Celsius".

``normalize_numbers(text)`` rewrites number words as digits and unit signs as words; search, ask and
multiple choice run both sides through it (``moments.lexical.terms``). ``quantities(text)`` lists the
``Quantity`` (value, unit) pairs of a text, so "eleven minutes" does not agree with "11 hours".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
         "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
ORDINALS = {"first": 1, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
            "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fifteenth": 15, "twentieth": 20,
            "thirtieth": 30, "hundredth": 100}
# unit spellings -> one word (plural; the stemmer folds singulars onto it)
UNIT_WORDS = {"ml": "millilitres", "millilitre": "millilitres", "milliliter": "millilitres",
              "milliliters": "millilitres", "l": "litres", "litre": "litres", "liter": "litres",
              "liters": "litres", "g": "grams", "gram": "grams", "kg": "kilograms", "kilo": "kilograms",
              "kilos": "kilograms", "kilogram": "kilograms", "km": "kilometres", "kilometer": "kilometres",
              "kilometers": "kilometres", "kilometre": "kilometres", "m": "metres", "meter": "metres",
              "meters": "metres", "metre": "metres", "cm": "centimetres", "min": "minutes",
              "mins": "minutes", "minute": "minutes", "h": "hours", "hr": "hours", "hrs": "hours",
              "hour": "hours", "sec": "seconds", "secs": "seconds", "s": "seconds", "second": "seconds",
              "per cent": "percent", "pct": "percent", "°c": "degrees celsius", "°f": "degrees fahrenheit",
              "°": "degrees", "degree": "degrees", "c": "degrees celsius", "f": "degrees fahrenheit",
              "dollar": "dollars", "euro": "euros", "pound": "pounds", "usd": "dollars", "eur": "euros",
              "gbp": "pounds", "bucks": "dollars"}
CURRENCY = {"$": "dollars", "€": "euros", "£": "pounds", "¥": "yen"}
UNIT_KINDS = {"millilitres": "volume", "litres": "volume", "grams": "mass", "kilograms": "mass",
              "kilometres": "length", "metres": "length", "centimetres": "length", "minutes": "duration",
              "hours": "duration", "seconds": "duration", "days": "duration", "weeks": "duration",
              "years": "duration", "percent": "share", "degrees": "temperature", "dollars": "money",
              "euros": "money", "pounds": "money", "yen": "money", "o'clock": "time"}

_NUMBER_WORD = "|".join(sorted([*UNITS, *TENS, *SCALES], key=len, reverse=True))
# a run of number words, "and"/"a" only between them: "two hundred and fifty", "six forty-five"
_WORD_RUN = re.compile(rf"\b(?:{_NUMBER_WORD})(?:(?:[\s-]+(?:a|and))*[\s-]+(?:{_NUMBER_WORD}))*\b",
                       re.IGNORECASE)
_A_SCALE = re.compile(r"\ba (hundred|thousand|million)\b", re.IGNORECASE)
_HALF = re.compile(r"\b(\d+(?:\.\d+)?) and a half\b", re.IGNORECASE)
_CLOCK_WORDS = re.compile(r"\b(half|quarter) (past|to) (\d{1,2})\b", re.IGNORECASE)
_SPOKEN_TIME = re.compile(r"\b(\d{1,2}) (\d{2})\b(?= ?(?:in the (?:morning|afternoon|evening)|a\.?m\.?\b|p\.?m\.?\b|"
                          r"o'clock|at night|tonight))", re.IGNORECASE)
_DOT_TIME = re.compile(r"\b(\d{1,2})\.(\d{2})\b(?= ?(?:in the |a\.?m\.?\b|p\.?m\.?\b|at night))", re.IGNORECASE)
_AM_PM = re.compile(r"(\d)\s?([ap])\.?m\b\.?", re.IGNORECASE)
_OCLOCK = re.compile(r"\b(\d{1,2}) o'clock\b", re.IGNORECASE)
_BROKEN_DECIMAL = re.compile(r"(\d) \.(\d)")  # "2 .5": a decimal split by the recogniser's tokens
_THOUSANDS = re.compile(r"\b(\d{1,3})(?:,(\d{3}))+\b")
_MONEY = re.compile(r"([$€£¥])\s?(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d)\s?%")
_DEGREES = re.compile(r"(\d)\s?°\s?([cf])?\b", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"\b(\d+(?:[.:]\d+)?)\s?(" + "|".join(sorted(map(re.escape, UNIT_WORDS), key=len,
                                                                        reverse=True)) + r")\b", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(?:the|every|each|a|on)\s+(" + "|".join(ORDINALS) + r")\b", re.IGNORECASE)
_QUANTITY = re.compile(r"(\d+(?:[.:]\d+)?)(?:\s+(?:degrees\s+celsius|degrees\s+fahrenheit|[a-z']+))?",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number and the unit after it (``""`` without one): "11 hours" -> ``Quantity("11", "hours")``."""

    value: str
    unit: str = ""

    @property
    def kind(self) -> str:
        return UNIT_KINDS.get(self.unit.split()[0] if self.unit else "", "")

    def agrees(self, other: Quantity) -> bool:
        """Same value, and the same unit unless one side names none."""
        mine, theirs = self.unit.split(" ")[0], other.unit.split(" ")[0]
        return self.value == other.value and (not mine or not theirs or mine == theirs)


def words_to_number(words: list[str]) -> int | None:
    """``["two", "hundred", "and", "thirty"]`` -> 230; ``None`` if the words do not form a number."""
    total = current = 0
    seen = False
    for w in words:
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w in SCALES:
            total += max(current, 1) * SCALES[w]
            current = 0
        elif w in ("and", "a"):
            continue
        else:
            return None
        seen = True
    return total + current if seen else None


def _spell_out(match: re.Match) -> str:
    """One run of number words as digits (adjacent numbers stay apart: "six forty-five" -> "6 45")."""
    text = match.group(0)
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w]
    if words[0] in SCALES:
        return text  # "hundred", "thousands of": not a count
    parts = _split_numbers(words)
    return text if parts is None else " ".join(str(n) for n in parts)


def _split_numbers(words: list[str]) -> list[int] | None:
    """Adjacent numbers said in a row ("six forty five") stay separate: ``[6, 45]``."""
    groups: list[list[str]] = [[]]
    for w in words:
        prev = groups[-1][-1] if groups[-1] else None
        small = prev is not None and (prev in UNITS or (prev in TENS and w in TENS))
        if small and (w in UNITS or w in TENS) and not (prev in TENS and w in UNITS):
            groups.append([])
        groups[-1].append(w)
    out = []
    for g in groups:
        n = words_to_number(g)
        if n is None:
            return None
        out.append(n)
    return out


def _clock(match: re.Match) -> str:
    kind, rel, hour = match.group(1).lower(), match.group(2).lower(), int(match.group(3))
    minutes = 30 if kind == "half" else 15
    if rel == "to":
        return f"{(hour - 2) % 12 + 1}:{60 - minutes:02d}"
    return f"{hour}:{minutes:02d}"


def normalize_numbers(text: str) -> str:
    """``text`` with numbers as digits, times as ``h:mm``, money/percent/temperature signs as words."""
    out = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), _BROKEN_DECIMAL.sub(r"\1.\2", text))
    out = _WORD_RUN.sub(_spell_out, _A_SCALE.sub(r"one \1", out))
    out = _ORDINAL.sub(lambda m: m.group(0).replace(m.group(1), _ordinal(m.group(1))), out)
    out = _HALF.sub(lambda m: f"{float(m.group(1)) + 0.5:g}", out)
    out = _CLOCK_WORDS.sub(_clock, out)
    out = _SPOKEN_TIME.sub(lambda m: f"{m.group(1)}:{m.group(2)}", out)
    out = _DOT_TIME.sub(lambda m: f"{m.group(1)}:{m.group(2)}", out)
    out = _OCLOCK.sub(lambda m: f"{m.group(1)}:00", out)
    out = _AM_PM.sub(lambda m: m.group(1) + (" morning" if m.group(2).lower() == "a" else " pm"), out)
    out = _MONEY.sub(lambda m: f"{m.group(2)} {CURRENCY[m.group(1)]}", out)
    out = _PERCENT.sub(r"\1 percent", out)
    out = _DEGREES.sub(lambda m: f"{m.group(1)} " + UNIT_WORDS["°" + (m.group(2) or "").lower()], out)
    return _UNIT_AFTER.sub(lambda m: f"{m.group(1)} {UNIT_WORDS[m.group(2).lower()]}", out)


def _ordinal(word: str) -> str:
    n = ORDINALS[word.lower()]
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10 if n % 100 not in (11, 12, 13) else 0, "th")
    return f"{n}{suffix}"


def asked_unit(question: str) -> str:
    """The unit a question asks for ("How many grams ..." -> "grams"), else ``""``."""
    m = re.search(r"\bhow (?:many|much) ([a-z°%]+)", question.lower())
    if not m:
        return ""
    word = UNIT_WORDS.get(m.group(1), m.group(1))
    return word if word.split(" ")[0] in UNIT_KINDS else ""


def quantities(text: str) -> list[Quantity]:
    """The (value, unit) pairs of ``text`` after normalisation; a unit is kept only when it is one."""
    out = []
    for m in _QUANTITY.finditer(normalize_numbers(text)):
        value = m.group(1)
        value = value[:-2] if value.endswith(".0") else value
        rest = m.group(0)[len(m.group(1)):].strip().lower()
        unit = rest if rest.split(" ")[0] in UNIT_KINDS else ""
        out.append(Quantity(value, unit))
    return out
