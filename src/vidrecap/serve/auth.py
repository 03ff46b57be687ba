"""Access tokens for ``vidrecap serve``: every route but ``/login`` needs the token.

An API client sends ``Authorization: Bearer TOKEN``; a browser posts the token once to the login
form and gets an HttpOnly, SameSite=Strict cookie holding an HMAC of the token (not the token
itself). Both are checked in constant time. Anything else gets 401: the login form for a page, a
JSON error with ``WWW-Authenticate: Bearer`` for the API. Guessing is bounded: a client (by
address) gets ``MAX_FAILURES`` wrong tokens per ``WINDOW`` seconds, all clients together
``MAX_FAILURES_ALL``; past that, credentials are not even checked: 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from html import escape
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "vidrecap_session"
LOGIN_PATH = "/login"
MAX_FORM_BYTES = 4096
WINDOW, MAX_FAILURES, MAX_FAILURES_ALL = 60.0, 10, 100  # wrong tokens per window: per client, in all
MAX_CLIENTS = 10_000  # clients remembered (the oldest are forgotten first): bounded memory


class FailureLimiter:
    """Wrong-token attempts in a sliding window, per client and in all; memory stays bounded."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.clients: OrderedDict[str, deque[float]] = OrderedDict()
        self.all: deque[float] = deque(maxlen=MAX_FAILURES_ALL)

    def retry_after(self, client: str) -> int:
        """Seconds until ``client`` may try again (0: now)."""
        now = self.clock()
        mine = self.clients.get(client, ())
        waits = [t + WINDOW - now for q, cap in ((mine, MAX_FAILURES), (self.all, MAX_FAILURES_ALL))
                 if len(q) >= cap for t in (q[-cap],)]
        return max([0, *(math.ceil(w) for w in waits if w > 0)])

    def failed(self, client: str) -> None:
        now = self.clock()
        self.all.append(now)
        mine = self.clients.pop(client, None) or deque(maxlen=MAX_FAILURES)
        mine.append(now)
        self.clients[client] = mine
        while len(self.clients) > MAX_CLIENTS:
            self.clients.popitem(last=False)


def session_value(token: str) -> str:
    """The cookie a browser holds after logging in: an HMAC of the token, useless without it."""
    return hmac.new(token.encode(), b"vidrecap serve session", hashlib.sha256).hexdigest()


def login_page(message: str = "") -> str:
    note = f'<p role="alert">{escape(message)}</p>' if message else ""
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Log in · vidrecap</title></head>'
            f'<body><main><h1>vidrecap</h1>{note}<form method="post" action="{LOGIN_PATH}">'
            '<label for="token">Access token</label> <input id="token" name="token" type="password" '
            'autocomplete="current-password" required autofocus> <button type="submit">Log in</button>'
            '</form></main></body></html>')


class TokenAuth:
    """ASGI middleware: lets a request through only with the right bearer token or session cookie."""

    def __init__(self, app: ASGIApp, token: str, limiter: FailureLimiter | None = None):
        self.app, self.token = app, token
        self.cookie = session_value(token)
        self.limiter = limiter or FailureLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        if scope["path"] == LOGIN_PATH:
            await self._login(scope, receive, send, client)
            return
        bearer = _bearer(scope)
        if bearer is not None and self._limited(client):  # a locked-out guesser's token is not even checked
            await self._too_many(send, client)
            return
        if self._allowed(scope, bearer):
            await self.app(scope, receive, send)
            return
        if bearer is not None:
            self.limiter.failed(client)
        if scope["path"].startswith("/api/"):
            await _send(send, 401, json.dumps({"detail": "an access token is required"}), "application/json",
                        [(b"www-authenticate", b'Bearer realm="vidrecap"')])
        else:
            await _send(send, 401, login_page(), "text/html; charset=utf-8")

    def _limited(self, client: str) -> bool:
        return self.limiter.retry_after(client) > 0

    async def _too_many(self, send: Send, client: str) -> None:
        wait = self.limiter.retry_after(client)
        await _send(send, 429, json.dumps({"detail": f"too many wrong tokens: try again in {wait} s"}),
                    "application/json", [(b"retry-after", str(wait).encode())])

    def _allowed(self, scope: Scope, bearer: str | None) -> bool:
        if bearer is not None:
            return hmac.compare_digest(bearer.encode(), self.token.encode())
        cookies = _cookies(dict(scope["headers"]).get(b"cookie", b"").decode("latin-1"))
        return hmac.compare_digest(cookies.get(COOKIE, "").encode(), self.cookie.encode())

    async def _login(self, scope: Scope, receive: Receive, send: Send, client: str) -> None:
        if scope["method"] != "POST":
            await _send(send, 200, login_page(), "text/html; charset=utf-8")
            return
        if self._limited(client):
            await self._too_many(send, client)
            return
        body = await _read_body(receive)
        given = (parse_qs(body.decode("utf-8", "replace")).get("token") or [""])[0] if body is not None else ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            self.limiter.failed(client)
            await _send(send, 401, login_page("Wrong token."), "text/html; charset=utf-8")
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        cookie = f"{COOKIE}={self.cookie}; Path=/; HttpOnly; SameSite=Strict{secure}"
        await _send(send, 303, "", "text/plain", [(b"location", b"/"), (b"set-cookie", cookie.encode())])


def _bearer(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None without one."""
    auth = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def _cookies(header: str) -> dict[str, str]:
    out = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        out.setdefault(name, value)
    return out


async def _read_body(receive: Receive) -> bytes | None:
    """The request body, or None past ``MAX_FORM_BYTES``."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > MAX_FORM_BYTES:
            return None
        if not message.get("more_body"):
            return body


async def _send(send: Send, status: int, text: str, media: str, headers: list | None = None) -> None:
    data = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", media.encode()), (b"content-length", str(len(data)).encode()),
                            (b"cache-control", b"no-store"), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})
