"""A recap that ``vidrecap run --follow`` is still writing: the page carries a live badge and its
poller, the live API reports the state without paths and each rewrite of recap.json; search and
ask answer between rewrites."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from vidrecap.outputs.store import load_recap, save_recap
from vidrecap.serve import ServeConfig, create_app
from vidrecap.serve.library import recap_id


@pytest.fixture
def live_dir(talk_recap, tmp_path):
    if talk_recap.directory is None:
        pytest.skip("the talk recap was not saved")
    d = tmp_path / "live"
    shutil.copytree(talk_recap.directory, d)
    (d / "live.json").write_text(json.dumps({"live": True, "status": "recording", "seconds": 20.0, "rounds": 3,
                                             "source": "/secret/path.ts", "recording": "/secret/path.ts"}))
    return d


def test_live_page_badge_and_api_follow_rewrites(live_dir):
    from fastapi.testclient import TestClient

    rid = recap_id(live_dir)
    with TestClient(create_app(ServeConfig([live_dir.parent], trusted_hosts=["testserver"]))) as client:
        page = client.get(f"/recaps/{rid}").text
        assert 'id="live-badge"' in page and 'data-live="1"' in page and "/static/live.js" in page
        assert client.get("/static/live.js").status_code == 200
        state = client.get(f"/api/recaps/{rid}/live").json()
        assert state["live"] and state["status"] == "recording" and "secret" not in json.dumps(state)
        assert client.get("/api/recaps").json()[0]["live"] == "recording"

        full = load_recap(live_dir)  # a later round: the same recap with one more clip about a new topic
        clips = [*full.clips, dataclasses.replace(full.clips[-1], index=len(full.clips),
                                                  text="A violinist plays under the railway bridge.")]
        save_recap(dataclasses.replace(full, clips=clips), live_dir)
        (live_dir / "live.json").write_text(json.dumps({"live": True, "status": "stalled"}))
        later = client.get(f"/api/recaps/{rid}/live").json()
        assert later["version"] != state["version"] and later["clip_count"] == len(full.clips) + 1
        assert later["status"] == "stalled"
        assert "LIVE · stalled" in client.get(f"/recaps/{rid}").text
        hits = client.get(f"/api/recaps/{rid}/search", params={"q": "cooking pasta"})
        assert hits.status_code == 200 and hits.json()["windows"]
        assert client.get(f"/api/recaps/{rid}/ask", params={"q": "what do they cook?"}).status_code == 200

        (live_dir / "live.json").write_text(json.dumps({"live": False, "status": "ended"}))
        assert 'data-live="0"' in client.get(f"/recaps/{rid}").text


def test_a_normal_recap_has_no_badge(client, talk_id):
    html = client.get(f"/recaps/{talk_id}").text
    assert "live-badge" not in html and "live.js" not in html
