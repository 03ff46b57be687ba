"""Validation of model output: parsing, loops, time references, budgets, titles, faithfulness."""

from __future__ import annotations

from vidrecap.backends.base import TimedText, WriteRequest, Written
from vidrecap.writing.validation import (
    check_written,
    clean_title,
    cut_repetition,
    drop_times_outside,
    parse_reply,
    support,
    within_budget,
)

PARAGRAPH = "The chef boils pasta in a large pot and adds salt to the water before stirring."


def request(start: float = 12.0, end: float = 191.0) -> WriteRequest:
    return WriteRequest(
        "segment", start, end,
        [TimedText(12, 40, "A chef boils pasta in a pot"), TimedText(40, 90, "The chef stirs tomato sauce")],
        speech=[TimedText(15, 20, "add salt to the water and stir the pasta")],
        on_screen=[TimedText(12, 30, "Perfect Pasta at Home")],
    )


def test_parse_reply_takes_json_fenced_embedded_truncated_or_plain():
    assert parse_reply('{"title": "Pasta", "text": "A chef cooks."}') == (Written("A chef cooks.", "Pasta"), True)
    fenced = 'Sure!\n```json\n{"title": "Pasta", "text": "A chef cooks."}\n```\nHope this helps {x}'
    assert parse_reply(fenced) == (Written("A chef cooks.", "Pasta"), True)
    cut = '{"title": "Pasta night", "text": "A chef boils pasta and \\"stirs\\" the sau'
    assert parse_reply(cut) == (Written('A chef boils pasta and "stirs" the sau', "Pasta night"), True)
    assert parse_reply("Pasta night\nA chef boils pasta.") == (Written("A chef boils pasta.", "Pasta night"), False)


def test_a_repeated_paragraph_is_cut_to_one_copy():
    looped = " ".join([PARAGRAPH] * 4) + " The chef boi"
    text, cut = cut_repetition(looped)
    assert cut and text == PARAGRAPH
    assert cut_repetition(PARAGRAPH) == (PARAGRAPH, False)


def test_time_references_outside_the_span_are_dropped():
    text, dropped = drop_times_outside("At 0:20 the chef boils pasta. [0:12-3:48] He serves it at 3:48.", 12, 191)
    assert dropped == 2 and text == "At 0:20 the chef boils pasta. He serves it."
    assert drop_times_outside("From 1:00:05 to 1:00:09 nothing.", 3600, 3610) == ("From 1:00:05 to 1:00:09 nothing.", 0)


def test_budget_cuts_at_a_sentence_end():
    text, cut = within_budget(" ".join(["One two three four five."] * 10), 12)
    assert cut and text == "One two three four five. One two three four five."


def test_titles_become_title_like():
    assert clean_title('This video segment, titled "Perfect Pasta at Home", shows a chef', "")[0] == (
        "Perfect Pasta at Home"
    )
    title, problems = clean_title("[0:12-3:48] The chef boils pasta and then he stirs the sauce for a long time.", "")
    assert title == "The chef boils pasta and then he stirs" and "title was too long" in problems
    assert clean_title("", "A chef boils pasta. Then more.")[0] == "A chef boils pasta"


def test_faithfulness_counts_supported_content_words():
    evidence = "A chef boils pasta in a pot. Perfect Pasta at Home."
    assert support("The chef boils pasta.", evidence).faithfulness == 1.0
    invented = support("Guests drink champagne on a glass bridge.", evidence)
    assert invented.faithfulness == 0.0 and "champagne" in invented.unsupported
    half = support("The chef drinks champagne.", evidence)
    assert 0.3 < half.faithfulness < 0.7


def test_check_written_repairs_and_rejects():
    messy = Written(" ".join([PARAGRAPH] * 3) + " At 3:48 he", "This video segment, titled \"Pasta\", is long")
    checked = check_written(messy, request(12, 191))
    assert checked.ok and checked.written.text == PARAGRAPH and checked.written.title == "Pasta"
    assert "repetition loop cut" in checked.problems and checked.support.faithfulness > 0.6
    invented = check_written(Written("Guests drink champagne on a glass bridge.", "Party"), request())
    assert not invented.ok and "barely supported" in invented.problems[-1]
    assert not check_written(Written("", ""), request()).ok


def test_captions_lose_loops_and_stay_within_their_word_budget():
    from vidrecap.writing.prompting import CAPTION_WORDS, clean_caption

    looped = "\n" + " ".join(["A man rides a red bike down the hill."] * 5) + " A man ri"
    assert clean_caption(looped) == "A man rides a red bike down the hill."
    long = " ".join(f"word{i}" for i in range(100))
    assert len(clean_caption(long).split()) == CAPTION_WORDS
