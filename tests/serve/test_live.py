"""Against a real uvicorn server on 127.0.0.1: raw request paths (no client-side normalisation) and the
upload form driven in headless Chromium."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from vidrecap.serve import ServeConfig, create_app

from .helpers import HAVE_CHROMIUM, NO_CHROMIUM, copying_runner, start_server, wait_for


def raw_get(live, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (``http.client`` does not normalise ``..``)."""
    conn = http.client.HTTPConnection(live.host, live.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("suffix", [
    "../../../../etc/passwd", "frames/../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd", "%252e%252e%252f%252e%252e%252fetc%252fpasswd", "/etc/passwd",
    "leak.txt", "leakdir/secret.txt",
])
def test_raw_traversal_paths_never_leak(live_server, talk_id, suffix):
    status, body = raw_get(live_server, f"/recaps/{talk_id}/files/{suffix}")
    assert status in (403, 404), status
    assert b"root:" not in body and b"secret" not in body


def test_raw_traversal_outside_the_routes(live_server):
    for path in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/app.py", "/recaps/../../etc/passwd"):
        status, body = raw_get(live_server, path)
        assert status == 404 and b"root:" not in body


def test_range_over_a_real_socket(live_server, talk_id):
    status, body = raw_get(live_server, f"/recaps/{talk_id}/video", {"Range": "bytes=-16"})
    assert status == 206 and len(body) == 16
    assert raw_get(live_server, f"/recaps/{talk_id}/video", {"Range": "bytes=99999999-"})[0] == 416


def test_wrong_host_header_is_refused(live_server):
    assert raw_get(live_server, "/", {"Host": "attacker.example"})[0] == 400


@pytest.mark.skipif(not HAVE_CHROMIUM, reason=NO_CHROMIUM)
def test_upload_form_shows_progress_and_links_the_recap(browser, talk_recap, talk_video, tmp_path):
    config = ServeConfig([tmp_path / "served"], allow_upload=True, upload_dir=tmp_path / "uploads",
                         runner=copying_runner(Path(talk_recap.directory)))
    (tmp_path / "served").mkdir()
    live, server, thread = start_server(create_app(config))
    try:
        browser.get(f"{live.url}/")
        browser.find_element("id", "upload-file").send_keys(str(talk_video[0]))
        browser.find_element("css selector", "#upload-form button").click()
        wait_for(browser, "document.querySelector('#jobs progress')", what="a progress bar")
        link = wait_for(browser, "document.querySelector('#jobs a[href^=\"/recaps/\"]')", timeout=30,
                        what="the link to the finished recap")
        assert browser.execute_script("return document.querySelector('#jobs progress').value") == 1
        link.click()
        wait_for(browser, "document.getElementById('recap') && document.getElementById('recap').dataset.clips",
                 what="the uploaded recap's page")
        browser.get(f"{live.url}/")
        assert "Cycling in the City" in browser.find_element("id", "recap-list").text
    finally:
        server.should_exit = True
        thread.join(timeout=10)
