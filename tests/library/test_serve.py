"""`vidrecap serve ROOT` over a library: one search box, hits that open the video at the moment."""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from vidrecap.serve import ServeConfig, create_app  # noqa: E402


@pytest.fixture
def client(library_batch, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(library_batch[0], root)
    with TestClient(create_app(ServeConfig(outdirs=[root], trusted_hosts=["testserver"]))) as c:
        yield c


def test_index_has_one_search_box_and_lists_nested_recaps(client):
    page = client.get("/").text
    assert 'id="library-form"' in page and "/static/library.js" in page
    assert len(client.get("/api/recaps").json()) == 5  # chess/final.mp4.recap is two levels down
    assert client.get("/static/library.js").status_code == 200


def test_search_hits_open_the_video_at_the_moment(client):
    body = client.get("/api/library/search", params={"q": "the grandmaster wins at chess", "top_k": 5}).json()
    top = body["hits"][0]
    assert top["vid"] == "final" and top["score"] > 0.5
    assert top["url"] == f"/recaps/{top['recap_id']}#t={top['start']:g}"
    page = client.get(top["url"].split("#")[0])
    assert page.status_code == 200 and "/static/seek.js" in page.text
    video = client.get(top["video_url"].split("#")[0], headers={"Range": "bytes=0-99"})
    assert video.status_code == 206


def test_bad_queries(client):
    assert client.get("/api/library/search", params={"q": "  "}).status_code == 400
    assert client.get("/api/library/search", params={"q": "x", "top_k": 0}).status_code == 422


def test_no_library_no_box(talk_recap, tmp_path):
    shutil.copytree(talk_recap.directory, tmp_path / "talk")
    with TestClient(create_app(ServeConfig(outdirs=[tmp_path], trusted_hosts=["testserver"]))) as c:
        assert 'id="library-form"' not in c.get("/").text
        assert c.get("/api/library/search", params={"q": "bike"}).status_code == 404
