"""Profiles, the TOML config file, their merging, and ``vidrecap models``."""

from __future__ import annotations

import json

import pytest

from vidrecap.backends.profiles import PROFILES, load_config, resolve_backends, resolve_options
from vidrecap.cli import main
from vidrecap.errors import InputError
from vidrecap.registry import ROLES

CONFIG = """
profile = "api"
encoder = "hf:/models/siglip"
writer = "openai:qwen2.5:3b"

[options.writer]
base_url = "http://127.0.0.1:8000/v1"
max_tokens = 300
"""


def test_default_is_the_offline_profile():
    assert resolve_backends() == dict.fromkeys(ROLES, "embedded")


def test_every_profile_names_every_role():
    for profile in PROFILES.values():
        assert set(profile.specs) == set(ROLES)
    assert resolve_backends("hf")["captioner"] == "hf:HuggingFaceTB/SmolVLM-256M-Instruct"
    assert resolve_backends("api")["writer"] == "openai"


def test_profile_then_config_then_explicit_options(tmp_path):
    path = tmp_path / "vidrecap.toml"
    path.write_text(CONFIG)
    specs = resolve_backends(config=path)
    assert specs["captioner"] == "openai"  # from the config's profile
    assert specs["encoder"] == "hf:/models/siglip" and specs["writer"] == "openai:qwen2.5:3b"
    specs = resolve_backends("hf", path, writer="gguf", captioner=None, asr="none")
    assert specs["captioner"] == "hf:HuggingFaceTB/SmolVLM-256M-Instruct"  # explicit profile wins
    assert specs["encoder"] == "hf:/models/siglip"  # config beats the profile
    assert specs["writer"] == "gguf" and specs["asr"] == "none"  # explicit options beat both
    options = resolve_options(path)
    assert options["writer"] == {"base_url": "http://127.0.0.1:8000/v1", "max_tokens": 300}
    assert options["encoder"] == {}
    assert load_config(path).profile == "api"


@pytest.mark.parametrize("text, message", [
    ("profile = 'cloud'", "unknown profile 'cloud'"),
    ("colour = 'blue'", "unknown key"),
    ("writer = 3", "non-empty string"),
    ("[options.painter]\nx = 1", r"\[options.ROLE\]"),
    ("writer = ", "invalid TOML"),
])
def test_bad_config_files_are_clear_input_errors(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        resolve_backends(config=path)


def test_bad_names_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="unknown profile"):
        resolve_backends("cloud")
    with pytest.raises(InputError, match="unknown role"):
        resolve_backends(painter="x")
    with pytest.raises(InputError, match="not found"):
        resolve_backends(config=tmp_path / "missing.toml")


def test_models_table_lists_every_backend(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ROLE", "NAME", "AVAILABLE"]
    rows = {tuple(line.split()[:3]) for line in lines[1:]}
    for role, name in [("encoder", "hf"), ("captioner", "hf"), ("writer", "hf"), ("captioner", "openai"),
                       ("writer", "openai"), ("writer", "embedded")]:
        assert (role, name, "yes") in rows
    assert any(r[:2] == ("writer", "gguf") for r in rows)


def test_models_json(capsys):
    assert main(["models", "--json", "--role", "writer"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["role"] for r in rows} == {"writer"}
    names = {r["name"]: r for r in rows}
    assert {"embedded", "hf", "openai", "gguf"} <= set(names)
    assert set(names["gguf"]) == {"role", "name", "available", "needs", "summary"}
    assert "vidrecap[gguf]" in names["gguf"]["needs"]


def test_models_profiles(capsys):
    assert main(["models", "--profiles", "--json"]) == 0
    profiles = json.loads(capsys.readouterr().out)
    assert set(profiles) == set(PROFILES) and profiles["api"]["backends"]["writer"] == "openai"
    assert main(["models", "--profiles"]) == 0
    assert "offline:" in capsys.readouterr().out
