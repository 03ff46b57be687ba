"""Uploads: size limit (413), type checks (415), the background job and its status, the worker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from vidrecap.serve import ServeConfig, create_app
from vidrecap.serve.uploads import subprocess_runner

from .helpers import copying_runner

HEADERS = {"X-Vidrecap-Upload": "1"}
LIMIT = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def upload_client(talk_recap, tmp_path_factory):
    from fastapi.testclient import TestClient

    served = tmp_path_factory.mktemp("served_up")
    config = ServeConfig([served], allow_upload=True, upload_dir=tmp_path_factory.mktemp("uploads"),
                         max_upload_bytes=LIMIT, runner=copying_runner(Path(talk_recap.directory)),
                         trusted_hosts=["testserver"])
    with TestClient(create_app(config)) as c:
        c.upload_dir = config.upload_dir
        yield c


def _upload(client, name: str, body, headers=HEADERS):
    return client.post("/api/uploads", params={"filename": name}, content=body, headers=headers)


def _wait_done(client, job_id: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        assert 0 <= job["progress"] < 1
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_a_video_upload_becomes_a_recap(upload_client, talk_video):
    assert 'id="upload-form"' in upload_client.get("/").text
    r = _upload(upload_client, "../../my talk.mp4", talk_video[0].read_bytes())
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["name"] == "my talk.mp4" and job["state"] in ("queued", "running", "done")
    done = _wait_done(upload_client, job["id"])
    assert done["state"] == "done" and done["progress"] == 1.0 and done["recap_url"]
    assert any(r["id"] == done["recap_id"] for r in upload_client.get("/api/recaps").json())
    assert upload_client.get(done["recap_url"]).status_code == 200
    saved = list(upload_client.upload_dir.glob(f"{job['id']}/source.mp4"))
    assert len(saved) == 1  # stored under the job's folder, never under the client's name
    assert upload_client.get(f"{done['recap_url']}/video", headers={"Range": "bytes=0-3"}).status_code == 206


def test_declared_oversize_is_413(upload_client):
    r = upload_client.post("/api/uploads", params={"filename": "big.mp4"}, content=b"x" * 10,
                           headers={**HEADERS, "Content-Length": str(LIMIT + 1)})
    assert r.status_code == 413


def test_streamed_oversize_is_413_and_leaves_nothing(upload_client):
    before = set(upload_client.upload_dir.iterdir())

    def chunks():  # no Content-Length: chunked transfer, counted while streaming
        for _ in range(LIMIT // (1 << 20) + 2):
            yield b"\0" * (1 << 20)

    r = _upload(upload_client, "big.mp4", chunks())
    assert r.status_code == 413
    assert set(upload_client.upload_dir.iterdir()) == before  # no file, no job folder left


@pytest.mark.parametrize("name", ["notes.txt", "script.sh", "noextension", "video.mp4.exe", "x.html"])
def test_wrong_extension_is_415(upload_client, name):
    assert _upload(upload_client, name, b"hello").status_code == 415


def test_content_that_is_not_media_is_415(upload_client):
    before = set(upload_client.upload_dir.iterdir())
    assert _upload(upload_client, "fake.mp4", b"<html>not a video</html>" * 100).status_code == 415
    assert set(upload_client.upload_dir.iterdir()) == before  # no file, no job folder left


def test_uploads_need_the_custom_header(upload_client):
    assert _upload(upload_client, "a.mp4", b"x", headers={}).status_code == 403


def test_unknown_job_is_404(upload_client):
    assert upload_client.get("/api/jobs/0123456789abcdef").status_code == 404


def test_worker_failure_is_reported(tmp_path):
    run = subprocess_runner({})
    with pytest.raises(RuntimeError, match="no such file|not found|No such file|InputError"):
        (tmp_path / "job").mkdir()
        run(tmp_path / "missing.mp4", tmp_path / "job" / "recap", lambda *a: None)
