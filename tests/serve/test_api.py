"""The HTTP API with FastAPI's TestClient: pages, ranged video, traversal attempts, search, status codes."""

from __future__ import annotations

import pytest


def _video_size(client, rid) -> int:
    return int(client.head(f"/recaps/{rid}/video").headers["content-length"])


def test_index_lists_recaps_with_opaque_ids(client, talk_id, long_id, talk_dir):
    page = client.get("/")
    assert page.status_code == 200
    assert f'href="/recaps/{talk_id}"' in page.text and "Cycling in the City" in page.text
    listed = client.get("/api/recaps").json()
    assert {r["id"] for r in listed} == {talk_id, long_id}
    assert all(str(talk_dir) not in str(r) for r in listed)  # no paths leak


def test_recap_page_has_player_outline_and_controls(client, talk_id):
    html = client.get(f"/recaps/{talk_id}").text
    assert f'src="/recaps/{talk_id}/video"' in html
    for marker in ('id="segments"', 'id="clips"', 'id="curve"', 'id="search-form"', 'id="keyframes"',
                   "Cooking Pasta", 'class="node stamp"'):
        assert marker in html


def test_meta_and_clip_pages(client, long_id):
    meta = client.get(f"/api/recaps/{long_id}").json()
    assert meta["clip_count"] == len(meta["clip_starts"]) == 5000
    page = client.get(f"/api/recaps/{long_id}/clips", params={"offset": 4990, "limit": 200}).json()
    assert page["total"] == 5000 and [c["index"] for c in page["clips"]] == list(range(4990, 5000))
    assert client.get(f"/api/recaps/{long_id}/clips", params={"limit": 100000}).status_code == 422


def test_video_whole_file_and_head(client, talk_id, talk_dir):
    import json

    source = json.loads((talk_dir / "recap.json").read_text())["video"]["path"]
    data = open(source, "rb").read()
    r = client.get(f"/recaps/{talk_id}/video")
    assert r.status_code == 200 and r.content == data
    assert r.headers["accept-ranges"] == "bytes" and r.headers["content-type"] == "video/mp4"
    head = client.head(f"/recaps/{talk_id}/video")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == len(data)


@pytest.mark.parametrize(("header", "first", "last"), [
    ("bytes=0-1023", 0, 1023), ("bytes=1000-", 1000, None), ("bytes=-500", -500, None), ("bytes=10-99999999", 10, None),
])
def test_video_range_requests(client, talk_id, header, first, last):
    full = client.get(f"/recaps/{talk_id}/video").content
    size = len(full)
    start = first % size
    end = size - 1 if last is None else last
    r = client.get(f"/recaps/{talk_id}/video", headers={"Range": header})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes {start}-{end}/{size}"
    assert int(r.headers["content-length"]) == end - start + 1
    assert r.content == full[start:end + 1]


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0", "bytes=50-10", "bytes=x-y"])
def test_bad_ranges_are_416(client, talk_id, header):
    size = _video_size(client, talk_id)
    r = client.get(f"/recaps/{talk_id}/video", headers={"Range": header})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{size}"


def test_multi_range_and_stale_if_range_get_the_whole_file(client, talk_id):
    size = _video_size(client, talk_id)
    assert client.get(f"/recaps/{talk_id}/video", headers={"Range": "bytes=0-1,4-5"}).status_code == 200
    stale = client.get(f"/recaps/{talk_id}/video", headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert stale.status_code == 200 and len(stale.content) == size
    etag = client.head(f"/recaps/{talk_id}/video").headers["etag"]
    fresh = client.get(f"/recaps/{talk_id}/video", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert fresh.status_code == 206 and len(fresh.content) == 10


def test_recap_files_are_served_with_ranges(client, talk_id, talk_dir):
    vtt = client.get(f"/recaps/{talk_id}/files/clips.vtt")
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT")
    frame = client.get(f"/recaps/{talk_id}/files/frames/cell_000000.jpg", headers={"Range": "bytes=0-1"})
    assert frame.status_code == 206 and frame.content == b"\xff\xd8"


@pytest.mark.parametrize("path", [
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",            # ../../etc/passwd, encoded
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%252e%252e%252f%252e%252e%252fetc%252fpasswd",  # double-encoded
    "frames/%2e%2e/%2e%2e/recap.json",
    "%2Fetc%2Fpasswd",                          # absolute
    "/etc/passwd",                              # absolute after the slash
    "..%5C..%5Cetc%5Cpasswd",                   # backslashes
    "leak.txt",                                 # symlink to a file outside
    "leakdir/secret.txt",                       # symlink to a folder outside
])
def test_traversal_attempts_are_403(client, talk_id, path):
    r = client.get(f"/recaps/{talk_id}/files/{path}")
    assert r.status_code == 403, (path, r.status_code)
    assert b"secret" not in r.content and b"root:" not in r.content


def test_unknown_things_are_404(client, talk_id):
    assert client.get("/recaps/000000000000").status_code == 404
    assert client.get("/recaps/000000000000/video").status_code == 404
    assert client.get("/api/recaps/..%2F..%2Ftmp").status_code == 404
    assert client.get("/api/recaps/nope/search", params={"q": "x"}).status_code == 404
    assert client.get(f"/recaps/{talk_id}/files/frames/none.jpg").status_code == 404
    assert client.get(f"/recaps/{talk_id}/files/frames").status_code == 404
    assert client.get("/static/../serve/app.py").status_code == 404


def test_search_endpoint_ranks_the_matching_part_first(client, talk_id):
    r = client.get(f"/api/recaps/{talk_id}/search", params={"q": "boil water and cook spaghetti", "top_k": 5})
    assert r.status_code == 200
    windows = r.json()["windows"]
    assert 1 <= len(windows) <= 5
    assert windows[0]["start"] < 58 and windows[0]["end"] > 42  # part four: 42-58 s
    assert [w["score"] for w in windows] == sorted((w["score"] for w in windows), reverse=True)


def test_search_input_errors(client, talk_id):
    assert client.get(f"/api/recaps/{talk_id}/search", params={"q": "   "}).status_code == 400
    assert client.get(f"/api/recaps/{talk_id}/search").status_code == 422
    assert client.get(f"/api/recaps/{talk_id}/search", params={"q": "x" * 1001}).status_code == 422


def test_highlights_and_key_frames(client, talk_id):
    h = client.get(f"/api/recaps/{talk_id}/highlights").json()
    assert len(h["points"]) > 10 and h["windows"]
    assert all(0 <= p[0] <= h["duration"] for p in h["points"])
    frames = client.get(f"/api/recaps/{talk_id}/keyframes").json()["frames"]
    assert frames and all(f["url"].startswith(f"/recaps/{talk_id}/files/frames/") for f in frames)
    assert client.get(frames[0]["url"]).headers["content-type"] == "image/jpeg"


def test_security_headers_and_host_check(client, talk_id):
    r = client.get(f"/recaps/{talk_id}")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400  # DNS rebinding


def test_static_assets_come_from_the_package(client):
    for name, kind in [("recap.js", "javascript"), ("style.css", "text/css"), ("favicon.svg", "svg")]:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"]


def test_uploads_are_off_by_default(client):
    r = client.post("/api/uploads", params={"filename": "a.mp4"}, content=b"x", headers={"X-Vidrecap-Upload": "1"})
    assert r.status_code == 403
    assert client.get("/api/jobs").status_code == 403
    assert 'id="upload-form"' not in client.get("/").text
