"""The ask box in headless Chromium: a question gets an answer whose cited times seek the player."""

from __future__ import annotations

import pytest

from .helpers import HAVE_CHROMIUM, NO_CHROMIUM, wait_for

pytestmark = pytest.mark.skipif(not HAVE_CHROMIUM, reason=NO_CHROMIUM)


def test_ask_box_answers_and_citations_seek(browser, live_server, talk_id):
    d = browser
    d.get(f"{live_server.url}/recaps/{talk_id}")
    wait_for(d, "(v => v.readyState >= 1)(document.getElementById('video'))", what="video metadata")
    box = d.find_element("id", "ask-q")
    box.send_keys("How long does the spaghetti cook?")
    d.find_element("css selector", "#ask-form button").click()
    wait_for(d, "document.getElementById('recap').dataset.ask === 'done'", timeout=60, what="an answer")
    answer = d.find_element("id", "ask-answer")
    assert "spaghetti" in answer.text.lower() and answer.get_attribute("data-found") == "true", answer.text
    stamps = d.find_elements("css selector", "#ask-answer button[data-seek]")
    assert len(stamps) >= 2  # the stamp in the text and the citation list
    target = float(stamps[0].get_attribute("data-seek"))
    d.execute_script("document.getElementById('video').currentTime = 1")
    stamps[0].click()
    assert abs(d.execute_script("return document.getElementById('video').currentTime") - target) < 0.1
    assert 40 <= target <= 58  # the pasta part of the talk (42-58 s)
