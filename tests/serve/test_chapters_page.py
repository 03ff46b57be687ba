"""The recap page shows the chapters: a seek bar with each chapter's title, and a WebVTT chapters track."""

from __future__ import annotations

from html import escape

from vidrecap.outputs.chapters import chapters_of


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
    assert vtt.text.count(" --> ") == len(talk_recap.segments)
    assert client.get("/static/chapters.js").status_code == 200
