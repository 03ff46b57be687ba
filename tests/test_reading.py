"""What a person reads: chapters that join parts of one topic, titles in real words, whole sentences
within a word budget. Merging runs on real MiniLM embeddings of the test topics' narration; the
rest checks the shared talk recap (a real run) and the pure rules."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from tests.topics import TOPICS
from vidrecap import registry
from vidrecap.cli import main
from vidrecap.evidence.embeddings import embed_texts_sparse, speech_context
from vidrecap.hierarchy.chapters import FLOOR, group_parts
from vidrecap.outputs.chapters import Chapter, chapters_webvtt, youtube_list
from vidrecap.outputs.store import load_recap
from vidrecap.results import Cell
from vidrecap.text.keyphrases import candidate_phrases, key_phrases, real_phrases
from vidrecap.text.sentences import description_budget, is_whole, summary_budget, whole_sentences, within, word_count
from vidrecap.text.titles import slide_lines, slide_title, unique_title
from vidrecap.text.vocabulary import all_words, is_word


@pytest.fixture(scope="module")
def encoder():
    return registry.create("encoder", "embedded")


def _narration(topic) -> str:
    return " ".join(p.say for p in topic.parts if p.say)


def _talk(encoder, pieces: list[str]):
    """Cells of 2 s, five words each, over each piece in turn; a part per piece (4 s clips)."""
    cells, parts, clip = [], [], 0
    for text in pieces:
        words = text.split()
        first = clip
        chunks = [" ".join(words[i:i + 5]) for i in range(0, len(words), 5)]
        chunks += [""] * (len(chunks) % 2)  # whole clips
        for chunk in chunks:
            cells.append(Cell(len(cells), 2.0 * len(cells), 2.0 * len(cells) + 2, speech=chunk))
        clip += len(chunks) // 2
        parts.append((first, clip))
    speech = embed_texts_sparse(encoder, speech_context(cells))
    n = len(cells) // 2
    starts, ends = [4.0 * k for k in range(n)], [4.0 * k + 4 for k in range(n)]
    cells_of = [[2 * k, 2 * k + 1] for k in range(n)]
    return parts, starts, ends, cells_of, {"speech": speech}, len(cells)


def _halves(text: str) -> list[str]:
    sentences = re.split(r"(?<=\.) ", text)
    mid = len(sentences) // 2
    return [" ".join(sentences[:mid]), " ".join(sentences[mid:])]


def test_parts_about_one_topic_become_one_chapter(encoder):
    # four topics, each spoken as two parts (as a title slide, then footage): four chapters of two parts
    chosen = [TOPICS[i] for i in (0, 4, 8, 11)]  # pasta, weather, chess, trains
    pieces = [h for t in chosen for h in _halves(_narration(t))]
    groups = group_parts(*_talk(encoder, pieces), ceiling=270.0)
    assert groups == [[0, 1], [2, 3], [4, 5], [6, 7]]


def test_a_long_topic_is_not_one_endless_chapter(encoder):
    pieces = [_narration(TOPICS[0])] * 6
    parts, starts, ends, *rest = _talk(encoder, pieces)
    groups = group_parts(parts, starts, ends, *rest, ceiling=60.0)
    lengths = [ends[parts[g[-1]][1] - 1] - starts[parts[g[0]][0]] for g in groups]
    assert len(groups) > 1 and max(lengths) <= 60.0, lengths


def test_short_chapters_join_unless_the_content_really_changes(encoder):
    pasta, bees, sleep = (_narration(TOPICS[i]) for i in (0, 10, 9))
    tail = pasta.split(". ")[-1]  # one more sentence of the same topic: too short to stand alone
    parts, starts, ends, *rest = _talk(encoder, [pasta, tail, bees, sleep])
    assert ends[parts[1][1] - 1] - starts[parts[1][0]] < FLOOR
    groups = group_parts(parts, starts, ends, *rest, ceiling=270.0)
    assert groups == [[0, 1], [2], [3]]  # the short bees topic stays: its content really changes


def test_titles_are_real_words_said_more_than_once(encoder):
    text = ("The Romans built aqueducts. Citéromas rooktryka carried water. Roman aqueducts carried water "
            "for hundreds of kilometres, and the aqueducts still stand. Citéromas rooktryka.")
    kept = real_phrases(candidate_phrases(text), text)
    assert "aqueducts" in kept and not any("citéromas" in p or "rooktryka" in p for p in kept)
    assert "kilometres" not in kept  # a real word, but said once
    (best,) = key_phrases([text], encoder, top=1)
    assert best and all_words(best[0])
    assert is_word("aqueducts") and is_word("pasta") and not is_word("rooktryka") and not is_word("citéromas")


def test_slide_title_is_the_first_slide_and_titles_stay_unique():
    runs = [(0.0, 6.0, "Sourdough Bread\nFlour, water and salt"), (6.0, 30.0, "Feeding the Starter\nKeep it warm"),
            (30.0, 31.0, "a sign seen for a second")]
    assert slide_title(runs, 60.0) == "Sourdough Bread"
    assert slide_title([(0.0, 1.0, "Sourdough Bread")], 60.0) == ""  # not shown long enough
    bulleted = "- Milk, salt and rennet\n- Harbour Lane Dairy\nMaking Cheese"  # title band below the bullets
    assert slide_title([(0.0, 9.0, bulleted)], 60.0) == "Making Cheese"
    assert slide_lines("• One point\n• Another point") == ("One point", ["Another point"])
    used = {"sourdough bread"}
    assert unique_title("Sourdough Bread", ["Feeding the Starter"], used) == "Feeding the Starter"


def test_whole_sentences_rejoin_what_the_recogniser_split():
    pieces = [(0.0, 3.0, "Boil a large pot of"), (3.0, 6.0, "salted water. Add the spaghetti"),
              (6.0, 9.0, "and stir it. Then add a splash on the")]
    got = whole_sentences(pieces)
    assert [s for _, _, s in got] == ["Boil a large pot of salted water.", "Add the spaghetti and stir it."]
    assert got[0][:2] == (0.0, 6.0) and got[1][:2] == (3.0, 9.0)
    assert not is_whole("add a splash on the") and not is_whole("Stir the sauce…") and is_whole("Stir it.")
    assert within(["One two three.", "Four five six seven eight.", "Nine ten."], 6) == ["One two three.", "Nine ten."]
    assert word_count("[1:05] Sourdough Bread: flour and water.") == 5
    assert summary_budget(600) == 150 and summary_budget(60) == 87 and description_budget(60) == 37


def _sentences(text: str) -> list[str]:
    lines = [re.sub(r"\[(\d+:)?\d+:\d\d\]", "", ln).strip() for ln in text.splitlines() if ln.strip()]
    return [s for ln in lines for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'])", ln) if s]


def test_the_talk_recap_reads_as_prose(talk_recap):
    summary = talk_recap.summary
    assert word_count(summary.text) <= summary_budget(talk_recap.video.duration), summary.text
    assert all(is_whole(s) for s in _sentences(summary.text)), summary.text
    assert summary.text.startswith("A ") and "video" in summary.text.splitlines()[0]
    for seg in talk_recap.segments:
        said = [s for s in _sentences(seg.text) if not s.startswith(("Visually:", "Heard:"))]
        assert all(is_whole(s) for s in said), seg.text
        assert word_count(" ".join(said)) <= description_budget(seg.end - seg.start), seg.text
        assert f"[{int(seg.start) // 60}:{int(seg.start) % 60:02d}]" in summary.text
    titles = [s.title.lower() for s in talk_recap.segments]
    assert len(set(titles)) == len(titles), titles
    shown = " ".join(c.on_screen for c in talk_recap.cells).lower()
    for title in titles:  # each title word is on screen or a real word
        assert all(w in shown or is_word(w) for w in re.findall(r"[a-z]+", title)), title


def test_sections_round_trip_and_old_recaps_load(talk_recap, tmp_path, capsys):
    out = tmp_path / "old"
    shutil.copytree(talk_recap.directory, out)
    data = json.loads((out / "recap.json").read_text())
    data["segments"][0]["sections"] = [{"start": data["segments"][0]["start"], "end": 9.0, "title": "A"},
                                       {"start": 9.0, "end": data["segments"][0]["end"], "title": "B"}]
    (out / "recap.json").write_text(json.dumps(data))
    loaded = load_recap(out)
    assert [x.title for x in loaded.segments[0].sections] == ["A", "B"]
    assert main(["chapters", str(out), "--sections"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"    {int(data['segments'][0]['start']) // 60}:{int(data['segments'][0]['start']) % 60:02d} A"
    assert main(["chapters", str(out), "--format", "json", "--summary"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["summary"] == talk_recap.summary.text and printed["chapters"][0]["sections"][1]["title"] == "B"
    data["schema_version"] = "1.0"  # written before sections existed
    for seg in data["segments"]:
        seg.pop("sections")
    for key in ("clips",):
        for c in data[key]:
            c.pop("sections", None)
    data["summary"].pop("sections", None)
    (out / "recap.json").write_text(json.dumps(data))
    old = load_recap(out)
    assert all(s.sections == [] for s in old.segments) and old.summary.text == talk_recap.summary.text


def test_chapter_files_nest_sections():
    chapters = [Chapter(0, 70, "Sourdough Bread", [Chapter(0, 30, "Sourdough Bread"),
                                                  Chapter(30, 70, "Feeding the Starter")]),
                Chapter(70, 100, "Roman Aqueducts")]
    assert youtube_list(chapters) == "0:00 Sourdough Bread\n1:10 Roman Aqueducts\n"
    assert youtube_list(chapters, sections=True).splitlines()[2] == "    0:30 Feeding the Starter"
    vtt = chapters_webvtt(chapters)
    assert vtt.count(" --> ") == 4 and vtt.index("Feeding the Starter") < vtt.index("Roman Aqueducts")
    assert chapters_webvtt(chapters, sections=False).count(" --> ") == 2


def test_word_list_or_tokenizer_vocabulary_is_present():
    # the vocabulary check must not silently accept everything on a fresh machine
    from vidrecap.text.vocabulary import known_words

    assert len(known_words()) > 15000 and np.mean([is_word(w) for w in ("gear", "chess", "houseplants")]) == 1.0



def test_summary_of_many_chapters_names_each_in_whole_sentences_within_budget():
    """Twelve chapters of the test topics, written by the extractive writer as a pipeline run would:
    every chapter named with its time, every sentence whole, the word budget kept."""
    from vidrecap.backends.base import TimedText, WriteRequest
    from vidrecap.writing.extractive import ExtractiveWriter

    writer, children, titles, t = ExtractiveWriter(), [], [], 0.0
    for topic in TOPICS:
        speech = [TimedText(t + k, t + k + 1, s) for k, s in enumerate(re.split(r"(?<=\.) ", _narration(topic)))]
        shown = [TimedText(t, t + 8, f"{p.title}\n{p.body}".strip()) for p in topic.parts if p.title]
        out = writer.write(WriteRequest("segment", t, t + 60, [], speech=speech, on_screen=shown))
        assert all(is_whole(s) for s in _sentences(out.text)), out.text
        assert word_count(out.text.split("Visually:")[0]) <= description_budget(60), out.text
        children.append(TimedText(t, t + 60, out.text))
        titles.append(out.title)
        t += 60
    out = writer.write(WriteRequest("summary", 0, t, children, child_titles=titles))
    assert word_count(out.text) <= summary_budget(t), out.text
    assert all(is_whole(s) for s in _sentences(out.text)), out.text
    for k, title in enumerate(titles):
        assert f"[{k}:00] {title}" in out.text
    assert out.title.startswith("12 topics: ") and out.text.startswith("A 12-minute video on 12 topics")
