"""One registry per role: backends are chosen by name (``"embedded"``, ``"hf:PATH"``, ...).

A backend spec is ``NAME`` or ``NAME:ARG`` (e.g. ``hf:/models/clip``); ``ARG`` is passed to the
factory as ``target``. Backend modules register themselves on import; ``create`` imports the
module listed in ``_MODULES`` lazily so heavy dependencies load only when used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import BackendError

# used by `vidrecap run`
PIPELINE_ROLES = ("asr", "ocr", "tagger", "faces", "picture", "objects", "sounds", "encoder", "captioner",
                  "writer", "diarizer")
# moments: text query -> windows (`vidrecap search`); xsum: recap -> key clips + text (`vidrecap xsum`)
ROLES = (*PIPELINE_ROLES, "moments", "xsum")

# backend family -> module that registers it
_MODULES = {
    "embedded": "vidrecap.backends.embedded",
    "hf": "vidrecap.backends.hf",
    "openai": "vidrecap.backends.openai",
    "gguf": "vidrecap.backends.gguf",
    "rapidocr": "vidrecap.experts.rapid",
    "tesseract": "vidrecap.backends.embedded",
    "recap": "vidrecap.train.recap.backend",
    "dual": "vidrecap.train.dual.backend",
    "xsum": "vidrecap.train.xsum.backend",
    "none": "vidrecap.backends.embedded",
    "whisper": "vidrecap.backends.embedded",
    "st": "vidrecap.backends.embedded",
}
# (role, name) served by a lighter module than its family's: a query command loads neither torch nor
# the pipeline's experts
_ROLE_MODULES = {
    ("encoder", "embedded"): "vidrecap.backends.minilm",
    ("moments", "embedded"): "vidrecap.moments.backend",
    ("writer", "embedded"): "vidrecap.writing.extractive",
    ("captioner", "embedded"): "vidrecap.writing.extractive",
}


@dataclass(frozen=True)
class BackendInfo:
    role: str
    name: str
    factory: Callable[..., Any]
    summary: str = ""
    needs: str = ""
    available: Callable[[], bool] = field(default=lambda: True)


_REGISTRY: dict[tuple[str, str], BackendInfo] = {}


def register(role: str, name: str, *, summary: str = "", needs: str = "",
             available: Callable[[], bool] | None = None):
    """Class/function decorator adding a backend factory for ``role`` under ``name``."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def deco(factory):
        _REGISTRY[(role, name)] = BackendInfo(role, name, factory, summary, needs,
                                              available or (lambda: True))
        return factory

    return deco


def parse_spec(spec: str) -> tuple[str, str | None]:
    name, _, target = spec.partition(":")
    return name.strip(), (target or None)


def _ensure_loaded(name: str, role: str | None = None) -> None:
    module = _ROLE_MODULES.get((role, name)) or _MODULES.get(name)
    if module:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise BackendError(f"backend family {name!r} needs a missing package: {exc}") from exc


def check(role: str, spec: str) -> BackendInfo:
    """The registered backend ``spec`` names for ``role``, without building it: a bad name fails
    here, before any work, with the error ``create`` would give."""
    name, _ = parse_spec(spec)
    _ensure_loaded(name, role)
    info = _REGISTRY.get((role, name))
    if info is None:
        known = ", ".join(sorted(n for r, n in _REGISTRY if r == role)) or "none"
        raise BackendError(f"no {role} backend named {name!r} (known: {known})")
    return info


def create(role: str, spec: str, **options: Any) -> Any:
    """Instantiate the backend named by ``spec`` for ``role``."""
    info = check(role, spec)
    target = parse_spec(spec)[1]
    if target is not None:
        options["target"] = target
    return info.factory(**options)


def backends(load_all: bool = True) -> list[BackendInfo]:
    """All registered backends, importing every family first when ``load_all``."""
    if load_all:
        for name, role in [*((n, None) for n in _MODULES), *((n, r) for r, n in _ROLE_MODULES)]:
            try:
                _ensure_loaded(name, role)
            except BackendError:
                pass
    return sorted(_REGISTRY.values(), key=lambda b: (b.role, b.name))
