"""The number, negation, query-reading, premise and grounding rules on real sentences (no video)."""

from __future__ import annotations

import pytest

from vidrecap.moments.lexical import terms
from vidrecap.moments.reading import read_query
from vidrecap.moments.scoring import CHANNEL_WEIGHTS, LEXICAL_WEIGHT
from vidrecap.qa.citations import check_citations
from vidrecap.qa.evidence import Evidence, joined_sentences
from vidrecap.qa.grounding import problems, unsupported_names, unsupported_numbers
from vidrecap.qa.premise import question_parts
from vidrecap.text.negation import advises_against, asks_what_to_avoid, split_warning
from vidrecap.text.numbers import Quantity, normalize_numbers, quantities


@pytest.mark.parametrize("said, written", [
    ("Use fifteen grams of coffee for every two hundred and fifty millilitres of water.",
     "Use 15 g of coffee for every 250 ml of water."),
    ("Last year the council planted three thousand trees.", "Last year the council planted 3,000 trees."),
    ("The trip takes two and a half hours.", "The trip takes 2.5 hours."),
    ("The first train leaves at six forty-five in the morning.", "The first train leaves at 6:45 a.m."),
    ("Switch your lamps on by half past four.", "Switch your lamps on by 4:30."),
    ("Our food shopping costs ninety-five dollars.", "Our food shopping costs $95."),
    ("Put aside ten percent of every pay cheque.", "Put aside 10% of every pay cheque."),
    ("Keep the bedroom at eighteen degrees Celsius.", "Keep the bedroom at 18 °C."),
    ("Tickets bought on the train cost twenty euros more.", "Tickets bought on the train cost €20 more."),
    ("Meet me on the third floor.", "Meet me on the 3rd floor."),
])
def test_numbers_said_and_written_give_the_same_terms(said, written):
    assert terms(said) == terms(written)


def test_quantities_keep_their_units_apart():
    assert quantities("Our whole move took eleven hours.") == [Quantity("11", "hours")]
    assert not Quantity("11", "minutes").agrees(Quantity("11", "hours"))
    assert Quantity("18", "degrees celsius").agrees(Quantity("18", "degrees"))
    assert Quantity("20", "").agrees(Quantity("20", "euros"))
    assert not quantities("twenty dollars")[0].agrees(quantities("€20")[0])
    assert normalize_numbers("quarter to six") == "5:45"
    assert normalize_numbers("I am here, and a cat is there.") == "I am here, and a cat is there."
    assert normalize_numbers("hundreds of people") == "hundreds of people"


@pytest.mark.parametrize("sentence, warned, kept", [
    ("Never pour boiling water straight onto the grounds, because it burns them.",
     "pour boiling water straight onto the grounds", "because it burns them"),
    ("Avoid pruning young trees in summer; prune them in late winter instead.",
     "pruning young trees in summer", "prune them in late winter instead"),
    ("Pack heavy books in small boxes, never in large ones.", "in large ones", "in small boxes"),
    ("Don't wear dark clothes on the road; choose bright colours instead.", "wear dark clothes on the road",
     "choose bright colours"),
    ("Instead of scented candles, use unscented ones.", "scented candles", "use unscented ones"),
    ("Water your houseplants once a week, not every day.", "every day", "once a week"),
    ("Do not rinse the pasta after cooking it.", "rinse the pasta after cooking it", ""),
])
def test_warned_clauses_are_split_from_what_is_recommended(sentence, warned, kept):
    split = split_warning(sentence)
    assert split.warned == (warned,)
    assert kept in split.rest and warned not in split.rest


def test_limits_are_not_warnings_and_options_that_advise_against():
    assert not split_warning("Invite no more than eight guests, so everyone can talk.").has_warning
    assert not split_warning("Too much water makes the roots rot.").has_warning
    assert advises_against("stay away from screens") and not advises_against("use screens before bed")
    assert asks_what_to_avoid("What should you avoid before bed?")
    assert not asks_what_to_avoid("Why should boiling water not touch the grounds?")


def test_a_quote_cut_by_the_recogniser_keeps_its_negation():
    units = [Evidence(20.0, 21.2, "Don't rinse", "speech"), Evidence(21.5, 23.0, "the pasta itself.", "speech"),
             Evidence(30.0, 32.0, "Serve it hot.", "speech")]
    joined = joined_sentences(units)
    assert [e.text for e in joined] == ["Don't rinse the pasta itself.", "Serve it hot."]
    assert joined[0].start == 20.0 and joined[0].end == 23.0


def test_footage_queries_lower_the_spoken_channels_and_plain_ones_keep_the_defaults():
    channels = ["speech", "on_screen", "visual", "sounds"]
    plain = read_query("how long should the dough rise").weights(channels)
    assert plain == {**{k: CHANNEL_WEIGHTS[k] for k in channels}, "lexical": LEXICAL_WEIGHT}
    footage = read_query("close-up footage of a hand holding a black cup")
    w = footage.weights(channels)
    assert footage.seen == 1.0 and w["speech"] < 0.5 * plain["speech"] and w["lexical"] < 0.5 * LEXICAL_WEIGHT
    assert w["visual"] > plain["visual"]
    heard = read_query("when is music playing?").weights(channels)
    assert heard["sounds"] > plain["sounds"] and heard["speech"] < plain["speech"]
    said = read_query("what does the speaker say about the shot of the city?").weights(channels)
    assert said["speech"] > w["speech"]  # asked about what is said too: speech is kept


def test_questions_joining_two_asks_are_split():
    assert question_parts("how many trees were planted and how many bridges were repaired?") == [
        "how many trees were planted?", "how many bridges were repaired?"]
    assert question_parts("when do they add salt and pepper?") == ["when do they add salt and pepper?"]


def test_a_heading_names_a_topic_and_states_nothing():
    assert Evidence(0, 4, "Hosting Dinner", "on_screen").heading
    assert not Evidence(0, 4, "Serve 8 guests", "on_screen").heading  # a number is stated
    assert not Evidence(0, 4, "Dessert: apple pie", "on_screen").heading
    assert not Evidence(0, 4, "Hosting dinner for friends and family at home", "on_screen").heading
    assert not Evidence(0, 4, "Hosting Dinner", "speech").heading


def test_an_answer_is_held_to_the_evidence_it_cites():
    evidence = [Evidence(29.0, 33.6, "Boil plenty of water and cook the spaghetti for eight minutes.", "speech", 0.9),
                Evidence(40.0, 44.0, "Storms arrive quickly in the mountains.", "speech", 0.3)]
    good = check_citations("Cook it for 8 minutes [0:29].", evidence)
    assert problems(good, evidence, "How long should the spaghetti cook?") == []
    uncited = check_citations("The answer is: 4.", evidence)
    assert problems(uncited, evidence, "how much salt?") == ["it cites no [m:ss] time from the evidence"]
    invented = check_citations("Cook it for 12 minutes [0:29], says Chef Luigi.", evidence)
    assert unsupported_numbers(invented.text, evidence[0].text) == ["12"]
    assert unsupported_names(invented.text, evidence[0].text) == ["Chef", "Luigi"]
    assert len(problems(invented, evidence, "How long?")) == 2
    wrong_place = check_citations("Eight minutes [0:41].", evidence)  # cites the storm line
    assert problems(wrong_place, evidence, "How long?") == ["the numbers 8 are not in the evidence it cites"]
