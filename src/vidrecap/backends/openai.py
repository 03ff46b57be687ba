"""OpenAI-compatible chat-completions backends: Ollama, vLLM, llama.cpp server, or a hosted API.

- captioner ``openai``: a VLM sees several frames of each clip (base64 JPEG ``image_url`` parts)
  plus the clip's speech and on-screen text; clips are sent concurrently (``concurrency``).
- writer ``openai``: segment descriptions and the summary, map-reduce over ``context`` tokens. The
  final reply is asked for as JSON with ``response_format`` (a JSON schema: llama.cpp server, vLLM,
  Ollama and OpenAI honour it; a server that answers 400/422 to it is asked again without, once),
  with ``frequency_penalty`` / ``presence_penalty`` against repetition loops.

``openai:MODEL`` names the model. Options (else environment, else default): ``base_url``
(``VIDRECAP_OPENAI_BASE_URL``, Ollama's ``http://127.0.0.1:11434/v1``), ``model``
(``VIDRECAP_OPENAI_MODEL``, else the first model the server lists), ``api_key`` (``OPENAI_API_KEY``),
``timeout`` s per request, ``retries`` with exponential ``backoff`` s. Only the standard library.
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import BackendError
from ..registry import register
from ..writing.prompting import (
    Budget,
    Message,
    caption_prompt,
    caption_without_frames,
    clean_caption,
    spread,
    write_in_chunks,
)
from ..writing.validation import WRITTEN_SCHEMA
from .base import ClipEvidence, WriteRequest, Written

RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "recap_text", "schema": WRITTEN_SCHEMA}}

DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1"
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
NEEDS = "an OpenAI-compatible server (Ollama, vLLM, llama.cpp) at VIDRECAP_OPENAI_BASE_URL"


class _Transient(Exception):
    """A failure worth retrying: connection refused/reset, timeout, 429 or 5xx."""


def _loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass
class ChatClient:
    """A minimal chat-completions client with timeouts and bounded retries."""

    base_url: str
    model: str = ""
    api_key: str = ""
    timeout: float = 120.0
    retries: int = 2
    backoff: float = 1.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_options(cls, model: str | None, base_url: str | None, api_key: str | None,
                     timeout: float, retries: int, backoff: float) -> ChatClient:
        return cls(base_url=(base_url or os.environ.get("VIDRECAP_OPENAI_BASE_URL") or DEFAULT_BASE_URL),
                   model=model or os.environ.get("VIDRECAP_OPENAI_MODEL", ""),
                   api_key=api_key or os.environ.get("OPENAI_API_KEY", ""),
                   timeout=float(timeout), retries=max(0, int(retries)), backoff=float(backoff))

    def complete(self, messages: list[Message], max_tokens: int, extra: dict[str, Any] | None = None) -> str:
        """The assistant's reply to ``messages`` (greedy: temperature 0); ``extra`` adds body fields."""
        body = {"model": self.resolved_model(), "messages": messages, "max_tokens": int(max_tokens),
                "temperature": 0, "stream": False, **(extra or {})}
        return _reply_text(self._call("POST", "/chat/completions", body))

    def resolved_model(self) -> str:
        """The configured model, else the first one the server lists (llama.cpp serves just one)."""
        with self._lock:
            if not self.model:
                models = self._call("GET", "/models").get("data") or []
                ids = [m.get("id") for m in models if isinstance(m, dict) and m.get("id")]
                if not ids:
                    raise BackendError(f"the server at {self.base_url} lists no models; "
                                       "give one with openai:MODEL or VIDRECAP_OPENAI_MODEL")
                self.model = str(ids[0])
            return self.model

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        url = self.base_url.rstrip("/") + path
        attempts = self.retries + 1
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return self._once(method, url, body)
            except _Transient as exc:
                reason = str(exc)
        raise BackendError(f"OpenAI-compatible server: {reason} (gave up after {attempts} attempts; "
                           "is Ollama/vLLM/llama.cpp running? set VIDRECAP_OPENAI_BASE_URL)")

    def _once(self, method: str, url: str, body: dict[str, Any] | None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if _loopback(url) \
            else urllib.request.build_opener()
        try:
            with opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode("utf-8", "replace").strip()
            if exc.code in RETRY_STATUS:
                raise _Transient(f"{url} answered HTTP {exc.code}") from exc
            raise BackendError(f"OpenAI-compatible server at {url} answered HTTP {exc.code}: "
                               f"{detail}") from exc
        except TimeoutError as exc:
            raise _Transient(f"no answer from {url} within {self.timeout:g} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Transient(f"no answer from {url} within {self.timeout:g} s") from exc
            raise _Transient(f"cannot reach {url} ({exc.reason})") from exc
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Transient(f"connection to {url} failed ({type(exc).__name__}: {exc})") from exc
        return _parse_json(raw, url)


def _parse_json(raw: bytes, url: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise BackendError(f"OpenAI-compatible server at {url} answered malformed JSON: "
                           f"{raw[:80].decode('utf-8', 'replace')!r}") from exc
    if not isinstance(data, dict):
        raise BackendError(f"OpenAI-compatible server at {url} answered {type(data).__name__}, not an object")
    if data.get("error"):
        raise BackendError(f"OpenAI-compatible server at {url} reported an error: {str(data['error'])[:200]}")
    return data


def _reply_text(data: dict[str, Any]) -> str:
    """``choices[0].message.content`` (a string, or a list of text parts)."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise BackendError(f"OpenAI-compatible server answered without choices[0].message.content: "
                           f"{json.dumps(data)[:160]}") from exc
    if isinstance(content, list):
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str):
        raise BackendError(f"OpenAI-compatible server answered a non-text message: {str(content)[:80]}")
    return content.strip()


def image_data_url(image: np.ndarray, max_side: int = 512, quality: int = 85) -> str:
    """An RGB frame as a ``data:image/jpeg;base64,...`` URL, downscaled to ``max_side``."""
    from PIL import Image

    picture = Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).convert("RGB")
    picture.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def estimate_tokens(text: str) -> int:
    """A conservative token count without the server's tokenizer (about 3 characters a token)."""
    return len(text) // 3 + 1


def _spec(client: ChatClient, extra: str) -> str:
    return f"openai:{client.model or 'server-default'}@{client.base_url}:{extra}"


@register("captioner", "openai", summary="VLM over OpenAI-compatible HTTP (several frames + context)",
          needs=NEEDS)
class OpenAICaptioner:
    """One chat request per clip, ``concurrency`` at a time."""

    def __init__(self, target: str | None = None, model: str | None = None, base_url: str | None = None,
                 api_key: str | None = None, timeout: float = 120.0, retries: int = 2, backoff: float = 1.0,
                 concurrency: int = 4, frames: int = 4, image_size: int = 512, max_tokens: int = 80,
                 **_: Any):
        self.client = ChatClient.from_options(model or target, base_url, api_key, timeout, retries, backoff)
        self.concurrency, self.frames = max(1, int(concurrency)), max(1, int(frames))
        self.image_size, self.max_tokens = int(image_size), int(max_tokens)
        self.spec = _spec(self.client, f"frames{self.frames}:px{self.image_size}:tokens{self.max_tokens}")

    def caption(self, clips: Sequence[ClipEvidence]) -> list[str]:
        if len(clips) <= 1 or self.concurrency == 1:
            return [self.caption_one(clip) for clip in clips]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(clips))) as pool:
            return list(pool.map(self.caption_one, clips))

    def caption_one(self, clip: ClipEvidence) -> str:
        if not clip.frames:
            return caption_without_frames(clip)
        frames = spread(clip.frames, self.frames)
        content: list[dict[str, Any]] = [{"type": "text", "text": caption_prompt(clip, len(frames))}]
        content += [{"type": "image_url", "image_url": {"url": image_data_url(f, self.image_size)}}
                    for f in frames]
        return clean_caption(self.client.complete([{"role": "user", "content": content}], self.max_tokens))


@register("writer", "openai", summary="chat LM over OpenAI-compatible HTTP, map-reduce over its context",
          needs=NEEDS)
class OpenAIWriter:
    """Segment descriptions and the summary from a served chat model."""

    def __init__(self, target: str | None = None, model: str | None = None, base_url: str | None = None,
                 api_key: str | None = None, timeout: float = 300.0, retries: int = 2, backoff: float = 1.0,
                 max_tokens: int = 400, context: int = 8192, structured: bool = True, json_prompt: bool = True,
                 frequency_penalty: float = 0.3, presence_penalty: float = 0.1, **_: Any):
        self.client = ChatClient.from_options(model or target, base_url, api_key, timeout, retries, backoff)
        self.max_tokens, self.context = int(max_tokens), int(context)
        self.structured, self.json_prompt = bool(structured), bool(json_prompt)
        self.penalties = {"frequency_penalty": float(frequency_penalty), "presence_penalty": float(presence_penalty)}
        if self.context <= self.max_tokens + 256:
            raise BackendError(f"writer context {self.context} is too small for max_tokens {self.max_tokens}")
        self.budget = Budget(self.context - self.max_tokens, count=estimate_tokens)
        self.spec = _spec(self.client, f"tokens{self.max_tokens}:ctx{self.context}")

    def write(self, request: WriteRequest) -> Written:
        return write_in_chunks(request, self._plain, self.budget, final=self._final, json_prompt=self.json_prompt)

    def _plain(self, messages: list[Message]) -> str:
        return self.client.complete(messages, self.max_tokens, self.penalties)

    def _final(self, messages: list[Message]) -> str:
        """The JSON-asking call, with the server's structured output when it accepts it."""
        if self.structured:
            try:
                return self.client.complete(messages, self.max_tokens,
                                            {**self.penalties, "response_format": RESPONSE_FORMAT})
            except BackendError as exc:
                if "HTTP 400" not in str(exc) and "HTTP 422" not in str(exc):
                    raise
                self.structured = False  # this server does not take response_format: prompt only
        return self._plain(messages)
