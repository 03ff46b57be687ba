"""The recap page shows the chapters: a seek bar with each chapter's title, and a WebVTT chapters track."""

from __future__ import annotations

import dataclasses
from html import escape
from pathlib import Path

import pytest

from vidrecap.outputs.chapters import chapters_of
from vidrecap.results import Section
from vidrecap.serve.pages import _chapter_bar, _segment_item

from .helpers import HAVE_CHROMIUM, NO_CHROMIUM, wait_for

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_page_shows_chapters(client, talk_id, talk_recap):
    html = client.get(f"/recaps/{talk_id}").text
    assert 'id="chapter-bar"' in html and "/static/chapters.js" in html
    assert f'<track kind="chapters" src="/recaps/{talk_id}/files/chapters.vtt"' in html
    bar = html[html.index('id="chapter-bar"'):]
    bar = bar[:bar.index("</ol>")]
    chapters = chapters_of(talk_recap.segments)
    assert bar.count('class="chapter"') == len(chapters)
    for c in chapters:
        assert escape(c.title) in bar and f'data-start="{c.start:.3f}"' in bar


def test_chapter_files_are_served(client, talk_id, talk_recap):
    vtt = client.get(f"/recaps/{talk_id}/files/chapters.vtt")
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    assert vtt.text.count(" --> ") == sum(1 + len(s.sections) for s in talk_recap.segments)  # sections nest
    assert client.get("/static/chapters.js").status_code == 200


def _sectioned(recap):
    """The talk recap as one chapter whose sections are its segments (as a talk of one topic)."""
    segs = recap.segments
    one = dataclasses.replace(segs[0], end=segs[-1].end, title="Cycling in the City",
                              sections=[Section(s.start, s.end, s.title) for s in segs])
    return dataclasses.replace(recap, segments=[one])


def test_chapter_bar_and_outline_show_sections_without_inline_styles(talk_recap):
    recap = _sectioned(talk_recap)
    bar = _chapter_bar(recap)
    assert "style=" not in bar  # the page's CSP (style-src 'self') ignores inline styles
    assert bar.count('class="section-mark"') == len(talk_recap.segments) - 1
    outline = _segment_item(recap.segments[0], {})
    assert outline.count('class="node section"') == len(talk_recap.segments)
    for s in talk_recap.segments:
        assert f'data-start="{s.start:.3f}"' in outline and escape(s.title) in outline


@pytest.mark.skipif(not HAVE_CHROMIUM, reason=NO_CHROMIUM)
def test_chapter_bar_spans_the_timeline(browser, live_server, talk_id, talk_recap):
    d = browser
    d.get(f"{live_server.url}/recaps/{talk_id}")
    wait_for(d, "document.querySelector('#chapter-bar li').style.flexGrow !== ''", what="chapter bar sizes")
    video = d.execute_script("return document.getElementById('video').getBoundingClientRect().width")
    widths = d.execute_script("return [...document.querySelectorAll('#chapter-bar li')]"
                              ".map(li => li.getBoundingClientRect().width)")
    bar = d.execute_script("return document.getElementById('chapter-bar').getBoundingClientRect().width")
    assert bar >= 0.98 * video and sum(widths) >= 0.95 * video, (bar, widths, video)
    lengths = [s.end - s.start for s in talk_recap.segments]
    for w, length in zip(widths, lengths, strict=True):  # as wide as the chapter is long (2 px gaps)
        assert abs(w / sum(widths) - length / sum(lengths)) < 0.03, (widths, lengths)
    ARTIFACTS.mkdir(exist_ok=True)
    assert d.save_screenshot(str(ARTIFACTS / "chapter-bar.png"))
