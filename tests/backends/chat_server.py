"""A real OpenAI-compatible chat-completions server on 127.0.0.1 (ephemeral port) for tests.

``mode`` picks the behaviour: ``ok`` answers; ``slow`` sleeps before answering; ``malformed``
answers broken JSON; ``no_choices`` answers JSON without ``choices``; ``flaky`` answers 503 to the
first ``failures`` requests, then ``ok``; ``unauthorized`` answers 401; ``script`` answers the
chat requests from ``script`` in order (the last one repeats): a string is the reply's content,
``Status(code, body)`` an HTTP error, ``Slow(seconds, content)`` a late reply.

In ``ok`` mode a writer prompt is answered "title line + text" (not JSON), the text quoting the
first note so that it is grounded in the evidence.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CAPTION_REPLY = "Server caption of {n} frames"
WRITER_TITLE = "Server Title"
WRITER_TEXT = "Server text written from {n} notes."
PARTIAL_TEXT = "Server partial summary."


@dataclass
class Status:
    code: int
    body: bytes = b'{"error": {"message": "scripted"}}'


@dataclass
class Slow:
    seconds: float
    content: str


@dataclass
class ChatServer:
    mode: str = "ok"
    delay: float = 0.0
    failures: int = 2
    model_ids: list[str] = field(default_factory=lambda: ["tiny-served"])
    script: list[Any] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    image_sizes: list[tuple[int, int]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        server.daemon_threads = True
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def posts(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == "POST"]

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        """Status and body for one request, according to ``mode``."""
        with self._lock:
            self.requests.append({"method": "POST" if body else "GET", "path": path, "body": body})
            count = len(self.requests)
        if self.mode == "slow":
            time.sleep(self.delay or 1.0)
        elif self.delay:
            time.sleep(self.delay)
        if self.mode == "malformed":
            return 200, b'{"choices": [ {"message": '
        if self.mode == "no_choices":
            return 200, json.dumps({"object": "chat.completion", "choices": []}).encode()
        if self.mode == "unauthorized":
            return 401, b'{"error": {"message": "bad key"}}'
        if self.mode == "flaky" and count <= self.failures:
            return 503, b"busy"
        if path.endswith("/models"):
            return 200, json.dumps({"object": "list", "data": [{"id": m} for m in self.model_ids]}).encode()
        if self.mode == "script":
            return self._scripted()
        return 200, json.dumps(self._completion(body)).encode()

    def _scripted(self) -> tuple[int, bytes]:
        with self._lock:
            item = self.script[min(len(self.posts()) - 1, len(self.script) - 1)]
        if isinstance(item, Status):
            return item.code, item.body
        if isinstance(item, Slow):
            time.sleep(item.seconds)
            item = item.content
        return 200, json.dumps(_message(item)).encode()

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        content = body["messages"][-1]["content"]
        if isinstance(content, list):
            images = [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
            self._check_images(images)
            reply = CAPTION_REPLY.format(n=len(images))
        elif "part " in content and " of " in content and "Summarize this part" in content:
            reply = PARTIAL_TEXT
        else:
            notes = [line.split("] ", 1)[-1] for line in content.splitlines() if line.startswith("[")]
            text = WRITER_TEXT.format(n=len(notes)) + (f" {notes[0]}." if notes else "")
            reply = f"{WRITER_TITLE}\n{text}"
        return _message(reply, body.get("model"))

    def _check_images(self, urls: list[str]) -> None:
        from PIL import Image

        for url in urls:
            head, _, data = url.partition(",")
            assert head == "data:image/jpeg;base64", head
            with Image.open(io.BytesIO(base64.b64decode(data))) as im:
                with self._lock:
                    self.image_sizes.append(im.size)


def _message(content: str, model: str | None = None) -> dict[str, Any]:
    return {"id": "x", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}


def _handler(state: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._respond({})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._respond(json.loads(self.rfile.read(length) or b"{}"))

        def _respond(self, body: dict[str, Any]) -> None:
            with state._lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                status, payload = state.answer(self.path, body)
            finally:
                with state._lock:
                    state.in_flight -= 1
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:
                pass  # the client gave up (timeout test)

    return Handler


def closed_port_url() -> str:
    """A base URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"
