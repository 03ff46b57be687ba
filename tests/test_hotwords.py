"""Names spelled as shown: words read on screen near a speech window reach the recogniser, the same
words whatever the timing of the visual pass, journaled with the window and part of the cache key."""

from __future__ import annotations

import json
import threading
import time

import vidrecap
from tests.media import Part, build_video
from vidrecap.evidence.screen_words import ScreenWords, hotwords
from vidrecap.pipeline.options import RunOptions
from vidrecap.util.fs import cache_root

SLIDES = {0: "City Rovers\nMatch day", 1: "City Rovers\nMatch day", 5: "Harlow Wanderers", 40: "Far away"}


def _feed(screen: ScreenWords, delay: float) -> threading.Thread:
    def run():
        for cell in range(30):
            time.sleep(delay)
            screen.add(cell, SLIDES.get(cell, ""))
        screen.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_window_waits_for_the_visual_pass_and_gets_the_same_words_whatever_its_pace():
    fast, slow = ScreenWords(60.0), ScreenWords(60.0)
    _feed(fast, 0.0).join()
    _feed(slow, 0.01)
    assert slow.near(0.0, 8.0) == fast.near(0.0, 8.0) == "City Rovers Match day Harlow Wanderers"
    assert "Far" not in fast.near(0.0, 8.0)  # too far from the window


def test_a_failed_visual_pass_does_not_block_speech():
    screen = ScreenWords(60.0)
    screen.add(0, "Bramley Park")
    threading.Timer(0.05, screen.close).start()
    assert screen.near(0.0, 40.0) == "Bramley Park"


def test_hotwords_are_distinct_lines_without_list_separators():
    assert hotwords(["Prof. Amara Okafor · Zentrix", "Prof. Amara Okafor · Zentrix", "Zentrix servers"]) == (
        "Prof. Amara Okafor Zentrix Zentrix servers")
    assert len(hotwords(["word " * 100]).split()) == 40


def test_the_speech_key_holds_the_hotwords_and_what_ocr_read():
    on, off = RunOptions(), RunOptions(hotwords=False)
    assert on.stage_key("f", "speech") != off.stage_key("f", "speech")
    assert on.stage_key("f", "speech") != RunOptions(ocr="none").stage_key("f", "speech")
    assert off.stage_key("f", "speech") == RunOptions(hotwords=False, ocr="none").stage_key("f", "speech")


def test_on_screen_names_reach_the_recogniser_in_a_real_run(tmp_path):
    video = tmp_path / "names.mp4"
    parts = [Part(12, title="City Rovers", body="Harlow Wanderers",
                  say="Today City Rovers play against Harlow Wanderers.", say_at=1.0),
             Part(12, title="Ingrid Solberg", body="Kessler valve",
                  say="Our guide Ingrid Solberg shows the Kessler valve.", say_at=1.0)]
    build_video(video, parts)
    options = dict(faces="none", objects="none", picture="none", sounds="none")
    recap = vidrecap.recap(video, **options)
    assert recap.transcript.text.strip()
    key = RunOptions(**options).stage_key(recap.video.fingerprint, "speech")
    journal = cache_root() / recap.video.fingerprint / key / "journal.jsonl"
    windows = [json.loads(line) for line in journal.read_text().splitlines()]
    windows = [w for w in windows if not w.get("final")]
    assert windows and all("City Rovers" in w["hotwords"] for w in windows if w["until"] < 12)
    shown = " ".join(w["hotwords"] for w in windows)
    assert "Harlow Wanderers" in shown and "Ingrid Solberg" in shown
