"""Citation checking: stamps backed by evidence are kept as citations, invented ones removed."""

from __future__ import annotations

from vidrecap.qa.citations import check_citations, seconds, stamp
from vidrecap.qa.evidence import Evidence, sentences_of
from vidrecap.results import SpeechSegment, Word

EVIDENCE = [Evidence(29.0, 33.6, "cook the spaghetti for 8 minutes", "speech", 0.9),
            Evidence(28.0, 44.0, "Use 10 grams of salt per litre", "on_screen", 0.8),
            Evidence(3700.0, 3710.0, "the end of a long talk", "speech", 0.5)]


def test_stamps_round_trip():
    assert seconds("1:02") == 62 and seconds("1:01:40") == 3700 and stamp(62.9) == "[1:02]"
    assert stamp(3700) == "[1:01:40]"


def test_backed_stamps_become_citations_and_invented_ones_are_dropped():
    text = "Cook it for 8 minutes [0:29] with 10 g of salt per litre [0:30], then serve [9:59]. Done [1:01:41]."
    checked = check_citations(text, EVIDENCE)
    assert checked.dropped == ["[9:59]"]
    assert "[9:59]" not in checked.text and "serve." in checked.text and "[0:29]" in checked.text
    # [0:30] lies in both: the better-scoring piece is cited; each piece once, in order of citation
    assert [c.start for c in checked.citations] == [29.0, 3700.0]


def test_ranges_and_tolerance():
    checked = check_citations("At [0:27 - 0:31] and [0:45] and [0:46].", EVIDENCE)
    assert checked.dropped == ["[0:46]"]  # 0:45 is within a second of the slide's end
    assert [c.start for c in checked.citations] == [28.0]


def test_no_evidence_means_every_stamp_is_invented():
    checked = check_citations("It happens at [0:05].", [])
    assert checked.citations == [] and checked.dropped == ["[0:05]"] and checked.text == "It happens at."


def test_sentences_are_split_and_timed_by_words():
    words = [Word(1.0, 1.4, "Boil"), Word(1.5, 2.0, "water."), Word(2.5, 3.0, "Add"), Word(3.1, 3.6, "salt")]
    parts = sentences_of(SpeechSegment(1.0, 3.6, "Boil water. Add salt", words))
    assert [(p.start, p.end, p.text) for p in parts] == [(1.0, 2.0, "Boil water."), (2.5, 3.6, "Add salt")]
