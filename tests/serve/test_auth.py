"""Access tokens: no token -> 401 on every route but /login; wrong token -> 401; right token -> page and API."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.routing import APIRoute  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from vidrecap.cli import build_parser, main  # noqa: E402
from vidrecap.serve import ServeConfig, create_app  # noqa: E402
from vidrecap.serve.command import config_from_args  # noqa: E402

TOKEN = "correct-horse-battery-staple-42"
FILL = {"rid": None, "relative": "recap.json", "job_id": "nosuchjob"}


@pytest.fixture(scope="module")
def guarded(served_root):
    app = create_app(ServeConfig([served_root], trusted_hosts=["testserver"], token=TOKEN, allow_upload=True,
                                 upload_dir=served_root.parent / "auth-uploads"))
    with TestClient(app) as client:
        yield app, client


def _every_route(app, talk_id: str) -> list[tuple[str, str]]:
    """``(method, path)`` of every route of the app, its parameters filled in, and a static file."""
    out = [("GET", "/static/style.css"), ("GET", "/no/such/page")]
    for route in app.routes:
        if isinstance(route, APIRoute):
            path = route.path_format
            for name in route.param_convertors:
                path = path.replace("{" + name + "}", FILL[name] or talk_id)
            out += [(m, path + ("?q=lighthouse" if "search" in path or "ask" in path else ""))
                    for m in sorted(route.methods - {"HEAD"})]
    return out


def test_no_token_is_401_everywhere_but_the_login_page(guarded, talk_id):
    app, client = guarded
    client.cookies.clear()
    routes = _every_route(app, talk_id)
    assert len(routes) >= 14
    for method, path in routes:
        r = client.request(method, path, headers={"x-vidrecap-upload": "1"})
        assert r.status_code == 401, (method, path, r.status_code)
        assert "Bearer" in r.headers.get("www-authenticate", "") if path.startswith("/api/") else \
            'name="token"' in r.text
    login = client.get("/login")
    assert login.status_code == 200 and 'type="password"' in login.text


def test_wrong_token_is_401(guarded, talk_id):
    _, client = guarded
    client.cookies.clear()
    for headers in ({"Authorization": "Bearer " + TOKEN[:-1] + "x"}, {"Authorization": "Bearer"},
                    {"Authorization": "Basic " + TOKEN}, {"Cookie": "vidrecap_session=" + TOKEN}):
        assert client.get("/api/recaps", headers=headers).status_code == 401
        assert client.get(f"/recaps/{talk_id}", headers=headers).status_code == 401
    wrong = client.post("/login", data={"token": "not-the-token-at-all"}, follow_redirects=False)
    assert wrong.status_code == 401 and "Wrong token" in wrong.text and "set-cookie" not in wrong.headers


def test_right_token_opens_the_api_and_the_page(guarded, talk_id):
    _, client = guarded
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    listing = client.get("/api/recaps", headers=bearer)
    assert listing.status_code == 200 and talk_id in {r["id"] for r in listing.json()}
    found = client.get(f"/api/recaps/{talk_id}/search", params={"q": "lighthouse"}, headers=bearer)
    assert found.status_code == 200 and "windows" in found.json()
    login = client.post("/login", data={"token": TOKEN}, follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    page = client.get(f"/recaps/{talk_id}")  # the cookie from the login form
    assert page.status_code == 200 and "<video" in page.text
    assert client.get("/").status_code == 200 and client.get("/static/style.css").status_code == 200
    assert client.get(f"/api/recaps/{talk_id}/clips").status_code == 200


def test_public_address_needs_a_token_or_no_auth(talk_dir, capsys, monkeypatch):
    monkeypatch.delenv("VIDRECAP_TOKEN", raising=False)
    assert main(["serve", str(talk_dir), "--host", "0.0.0.0"]) == 2
    assert "refusing to serve on 0.0.0.0 without an access token" in capsys.readouterr().err
    assert main(["serve", str(talk_dir), "--host", "0.0.0.0", "--token", "short"]) == 2
    assert "at least 16 characters" in capsys.readouterr().err
    parse = build_parser().parse_args
    assert config_from_args(parse(["serve", str(talk_dir), "--host", "0.0.0.0", "--no-auth"])).token is None
    assert config_from_args(parse(["serve", str(talk_dir), "--host", "0.0.0.0", "--token", TOKEN])).token == TOKEN
    monkeypatch.setenv("VIDRECAP_TOKEN", TOKEN)
    assert config_from_args(parse(["serve", str(talk_dir), "--host", "10.1.2.3"])).token == TOKEN
    assert config_from_args(parse(["serve", str(talk_dir)])).token == TOKEN  # a token given is always required


def test_guessing_is_rate_limited_per_client_and_in_all():
    """Past MAX_FAILURES wrong tokens a client gets 429 (its tokens unchecked) until the window passes;
    other clients are unaffected until all of them together reach MAX_FAILURES_ALL."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from vidrecap.serve import auth

    now = [1000.0]
    inner = Starlette(routes=[Route("/api/x", lambda request: PlainTextResponse("ok"))])
    app = auth.TokenAuth(inner, TOKEN, auth.FailureLimiter(clock=lambda: now[0]))

    def client(host: str) -> TestClient:
        return TestClient(app, client=(host, 5000))

    guesser, other = client("10.0.0.1"), client("10.0.0.2")
    for i in range(auth.MAX_FAILURES):
        assert guesser.post("/login", data={"token": f"guess-{i}"}).status_code == 401
    assert guesser.post("/login", data={"token": TOKEN}).status_code == 429  # even the right one, for now
    blocked = guesser.get("/api/x", headers={"Authorization": f"Bearer {TOKEN}"})
    assert blocked.status_code == 429 and 0 < int(blocked.headers["retry-after"]) <= auth.WINDOW
    assert other.get("/api/x", headers={"Authorization": f"Bearer {TOKEN}"}).text == "ok"
    assert guesser.get("/api/x").status_code == 401  # no credentials: the usual answer, nothing counted
    now[0] += auth.WINDOW + 1
    assert guesser.get("/api/x", headers={"Authorization": f"Bearer {TOKEN}"}).text == "ok"
    for i in range(auth.MAX_FAILURES_ALL):  # many addresses, one guess each
        client(f"10.1.{i // 250}.{i % 250}").get("/api/x", headers={"Authorization": f"Bearer bad-{i}"})
    assert other.get("/api/x", headers={"Authorization": "Bearer another-guess"}).status_code == 429
    assert len(app.limiter.clients) <= auth.MAX_CLIENTS
