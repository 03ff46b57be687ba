"""End to end in headless Chromium (Debian's chromium + chromium-driver, driven by Selenium):
the page plays and seeks the real H.264 video, follows it, searches, draws the curve, virtualises clips."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .helpers import HAVE_CHROMIUM, NO_CHROMIUM, wait_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = pytest.mark.skipif(not HAVE_CHROMIUM, reason=NO_CHROMIUM)

SEEKED = """
const [target, done] = arguments;
const v = document.getElementById('video');
v.addEventListener('seeked', () => done([v.currentTime, v.readyState, v.error ? v.error.code : 0]), {once: true});
v.currentTime = target;
"""


def current_time(driver) -> float:
    return driver.execute_script("return document.getElementById('video').currentTime")


@pytest.fixture
def recap_page(browser, live_server, talk_id):
    browser.get(f"{live_server.url}/recaps/{talk_id}")
    wait_for(browser, "document.getElementById('recap').dataset.clips === 'ready'", what="clip captions")
    state = wait_for(browser, "(v => v.readyState >= 1 || v.error ? [v.readyState, v.error && v.error.code] : null)"
                              "(document.getElementById('video'))", what="video metadata")
    assert state[1] is None, f"the browser cannot play the test video (MediaError {state[1]})"
    return browser


def test_player_plays_seeks_and_the_outline_follows(recap_page):
    d = recap_page
    t, ready, error = d.execute_async_script(SEEKED, 30.0)
    assert error == 0 and abs(t - 30.0) < 0.1 and ready >= 2  # a decoded frame at the new position
    assert d.execute_script("return document.getElementById('video').videoWidth") == 640
    d.execute_script("document.getElementById('video').play()")
    wait_for(d, "document.getElementById('video').currentTime > 30.6", timeout=20, what="playback")
    d.execute_script("document.getElementById('video').pause()")
    current = d.execute_script("return [...document.querySelectorAll('#segments [aria-current=\"true\"]')]"
                               ".map(b => +b.dataset.start)")
    assert len(current) == 1 and current[0] <= 30 < d.execute_script(
        "return +document.querySelector('#segments [aria-current=\"true\"]').dataset.end")
    clip = wait_for(d, "document.querySelector('#clips [aria-current=\"true\"]')", what="current clip")
    assert 28 <= float(clip.get_attribute("data-start")) <= 31


def test_clicking_a_segment_seeks(recap_page):
    d = recap_page
    buttons = d.find_elements("css selector", "#segments button[data-start]")
    assert len(buttons) >= 3
    target = float(buttons[2].get_attribute("data-start"))
    d.execute_async_script("const done = arguments[arguments.length - 1];"
                           "document.getElementById('video').addEventListener('seeked', () => done(), {once: true});"
                           "document.querySelectorAll('#segments button')[2].click();")
    assert abs(current_time(d) - target) < 0.1
    assert buttons[2].get_attribute("aria-current") == "true"
    summary_stamp = d.find_elements("css selector", ".summary .stamp")[-1]
    summary_stamp.click()
    assert abs(current_time(d) - float(summary_stamp.get_attribute("data-start"))) < 0.1


def test_search_lists_windows_that_seek(recap_page):
    d = recap_page
    box = d.find_element("id", "q")
    box.clear()
    box.send_keys("a big cartoon rabbit under green trees")
    d.find_element("css selector", "#search-form button").click()
    wait_for(d, "document.getElementById('recap').dataset.search === 'done'", what="search results")
    results = d.find_elements("css selector", "#search-results button[data-start]")
    assert results, d.find_element("id", "search-results").text
    first = float(results[0].get_attribute("data-start"))
    assert 50 <= first + 8 and first < 72  # the rabbit footage is the last part (58-72 s)
    d.execute_script("document.getElementById('video').currentTime = 1")
    results[0].click()
    assert abs(current_time(d) - first) < 0.1
    assert d.find_elements("css selector", "#curve rect.hit")


def test_highlight_curve_renders_and_seeks(recap_page):
    d = recap_page
    wait_for(d, "document.getElementById('recap').dataset.curve === 'ready'", what="highlight curve")
    path = d.find_element("css selector", "#curve path.line").get_attribute("d")
    assert path.startswith("M") and path.count("L") >= 10
    assert d.find_elements("css selector", "#curve rect.window")
    curve = d.find_element("id", "curve")
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(d).move_to_element(curve).click().perform()  # the middle of the curve
    assert abs(current_time(d) - 36.0) < 3.0


def test_key_frame_strip_shows_images_that_seek(recap_page):
    d = recap_page
    wait_for(d, "document.getElementById('recap').dataset.frames === 'ready'", what="key frames")
    loaded = wait_for(d, "[...document.querySelectorAll('#keyframes img')].filter(i => i.complete && "
                         "i.naturalWidth > 0).length", what="key frame images")
    assert loaded >= 1
    button = d.find_elements("css selector", "#keyframes button")[-1]
    d.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    assert abs(current_time(d) - float(button.get_attribute("data-start"))) < 0.1
    ARTIFACTS.mkdir(exist_ok=True)
    d.execute_script("document.getElementById('video').currentTime = 44; window.scrollTo(0, 0)")
    time.sleep(0.5)
    assert d.save_screenshot(str(ARTIFACTS / "serve-recap.png"))


def test_thousands_of_clip_captions_are_virtualised(browser, live_server, long_id):
    d = browser
    d.get(f"{live_server.url}/recaps/{long_id}")
    wait_for(d, "document.getElementById('recap').dataset.clips === 'ready'", what="clip captions")
    wait_for(d, "document.querySelector('#clips .row .text') && "
                "document.querySelector('#clips .row .text').textContent.startsWith('Clip number 0')")
    rows = d.execute_script("return document.querySelectorAll('#clips .row').length")
    assert 5 <= rows <= 60  # of 5000 clips, only the visible ones are in the DOM
    d.execute_script("const l = document.getElementById('clips'); l.scrollTop = l.scrollHeight;")
    wait_for(d, "[...document.querySelectorAll('#clips .row .text')].some(t => "
                "t.textContent.startsWith('Clip number 4999'))", what="the last clip after scrolling")
    assert d.execute_script("return document.querySelectorAll('#clips .row').length") <= 60
