"""Generated caption corpora: narration-like references and noisy rewrites of them as candidates.

The noise is what real captions and model outputs contain: dropped, swapped and replaced words,
random capitals, punctuation, quotes, possessives, initials and grades at the end of a sentence
("plan B."), abbreviations, numbers, times, hyphens, unicode letters and symbols, empty and one-word
captions. Everything is drawn from ``random.Random(seed)``, so a failing seed can be replayed.
"""

from __future__ import annotations

import random

SUBJECTS = ["a man", "the woman", "two kids", "C", "the chef", "Mr. Smith", "Dr. Lee", "the U.S. team"]
SUBJECTS += ["Anna's dog", "the dogs'", "someone", "O'Neil", "the café owner", "Zoë", "a 10-year-old"]
VERBS = ["cuts", "opens", "washes", "picks up", "holds", "can't find", "doesn't like", "is cutting"]
VERBS += ["won't open", "points at", "looks at", "throws", "re-opens", "they're moving", "cannot lift"]
OBJECTS = ["a tomato", "the fridge", "the door", "an onion", "the knife", "a t-shirt", "the 3.5 kg box"]
OBJECTS += ["1,000 coins", "the naïve plan", "a well-known book", "vitamin C", "plan B", "grade A"]
OBJECTS += ["the U.S.A.", "item No. 5", "St. Louis", "Acme Inc.", "the boss's car", "rock'n'roll records"]
TAILS = ["at 5:30 p.m.", "on 12/25/2020", "e.g. here", "(again)", "[slowly]", "with 50% off", "for $3.50"]
TAILS += ["- twice", "-- quickly", "... then stops", "at 10am", "in the '90s", "and so on etc.", "#1"]
TAILS += ["with ½ cup", "and/or more", "y'all", "\u2014 fast", "\u201cnow\u201d", "\u2018ok\u2019", "😀"]
TAILS += ["by J. R. Smith", "in Calif.", "at www.example.com", "via foo@bar.com", "and Co.", "Jr."]
STARTS = ["The", "Then", "He", "She", "Dogs", "dogs", "A", "An", "It", "Later", "We", "x"]
REPLACEMENTS = ["thing", "Stuff", "it's", "U.K.", "B.", "e.", "I.", "Inc.", "O.K.", "'s", ",'s"]
REPLACEMENTS += ["don't", "gonna", "'tis", '"', "'", "(", ")", ";", ":", "!", "?", "&", "<b>"]
PUNCTUATION = [".", "!", "?", ",", ";", ":", "...", " .", '"', "'", ")", ""]


def reference_sentence(rng: random.Random) -> str:
    words = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    if rng.random() < 0.6:
        words.append(rng.choice(TAILS))
    sentence = " ".join(words)
    if rng.random() < 0.3:
        sentence = rng.choice(STARTS) + " " + sentence
    sentence = sentence[0].upper() + sentence[1:] if rng.random() < 0.7 else sentence
    return sentence + rng.choice(PUNCTUATION)


def noisy_rewrite(sentence: str, rng: random.Random) -> str:
    """Drop, swap, replace and re-case words, add punctuation."""
    words = sentence.split()
    for _ in range(rng.randint(0, 3)):
        if not words:
            break
        i = rng.randrange(len(words))
        action = rng.random()
        if action < 0.25:
            del words[i]
        elif action < 0.5 and len(words) > 1:
            j = rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        elif action < 0.75:
            words[i] = rng.choice(REPLACEMENTS)
        else:
            words[i] = words[i].upper() if rng.random() < 0.5 else words[i].capitalize()
    if rng.random() < 0.3 and words:
        i = rng.randrange(len(words))
        words[i] += rng.choice(PUNCTUATION)
    return " ".join(words)


def caption_corpus(seed: int, size: int = 40) -> tuple[dict[str, str], dict[str, list[str]]]:
    """``(candidates, references)`` keyed ``v000``...; a few empty and one-word captions included."""
    rng = random.Random(seed)
    candidates, references = {}, {}
    for index in range(size):
        refs = [reference_sentence(rng) for _ in range(rng.randint(1, 4))]
        roll = rng.random()
        if roll < 0.05:
            candidate = ""
        elif roll < 0.1:
            candidate = rng.choice(refs).split()[0]
        else:
            candidate = noisy_rewrite(rng.choice(refs), rng)
        key = f"v{index:03d}"
        candidates[key], references[key] = candidate, refs
    return candidates, references
