"""Which model is really behind a generative backend spec, for cache keys.

``--writer openai`` names a protocol, not a model: the text it writes depends on the server the
base URL points at and the model that server serves. ``served_identity`` resolves both (option,
else environment, else default; the model ids the server lists at ``/models``), so pointing
``VIDRECAP_OPENAI_BASE_URL`` at another server, or loading another model into it, re-writes the
text instead of reusing the first model's. ``gguf`` without a path keys on the packaged model
file. A server that does not answer keys as unreachable: its fallback text is not reused once it
answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

LIST_TIMEOUT = 3.0  # s: asking a local server for its model list


def served_identity(spec: str, options: dict[str, Any] | None = None) -> str:
    """A string that changes when the model behind ``spec`` changes; ``""`` for other backends."""
    name, _, target = str(spec).partition(":")
    options = options or {}
    if name == "openai":
        return _openai_identity(target, options)
    if name == "gguf" and not target:
        from ..backends.gguf import packaged_gguf

        path = packaged_gguf()
        return _file_signature(path) if path else "no packaged model"
    return ""


def _openai_identity(target: str, options: dict[str, Any]) -> str:
    from ..backends.openai import ChatClient
    from ..errors import BackendError

    client = ChatClient.from_options(target or options.get("model"), options.get("base_url"),
                                     options.get("api_key"), timeout=LIST_TIMEOUT, retries=0, backoff=0.0)
    try:
        listed = client._call("GET", "/models").get("data") or []
        served = sorted(str(m.get("id")) for m in listed if isinstance(m, dict) and m.get("id"))
    except BackendError:
        served = ["unreachable"]
    return f"{client.base_url.rstrip('/')}|model={client.model}|served={','.join(served)}"


def _file_signature(path: Path) -> str:
    st = path.stat()
    return f"{path.name}:{st.st_size}:{st.st_mtime_ns}"
