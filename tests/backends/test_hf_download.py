"""When hf backends may download a Hub model id, and when they stay on the local cache."""

from __future__ import annotations

import pytest

from vidrecap.backends import hf
from vidrecap.errors import BackendError


class RecordingLoader:
    calls: list[dict] = []

    @classmethod
    def from_pretrained(cls, source, **kwargs):
        cls.calls.append({"source": source, **kwargs})
        if kwargs.get("local_files_only"):
            raise OSError("not in the cache")
        return "model"


@pytest.fixture(autouse=True)
def online(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hf, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(hf, "has_file", lambda source, name: False)
    RecordingLoader.calls = []


def test_an_uncached_model_id_is_downloaded_when_online():
    assert hf.load(RecordingLoader, "org/model", "writer model") == "model"
    assert RecordingLoader.calls == [{"source": "org/model", "local_files_only": False}]


@pytest.mark.parametrize("value", ["1", "true", "ON"])
def test_hf_hub_offline_keeps_to_the_cache(monkeypatch, value):
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    with pytest.raises(BackendError, match="downloads are off .HF_HUB_OFFLINE=1. or the Hub cannot be reached"):
        hf.load(RecordingLoader, "org/model", "writer model")
    assert RecordingLoader.calls[0]["local_files_only"] is True


def test_cached_ids_local_directories_and_an_unreachable_hub_never_download(monkeypatch, tmp_path):
    assert hf.cache_only(str(tmp_path)) is True
    monkeypatch.setattr(hf, "has_file", lambda source, name: name == "config.json")
    assert hf.cache_only("org/cached") is True
    monkeypatch.setattr(hf, "has_file", lambda source, name: False)
    assert hf.cache_only("org/model") is False
    monkeypatch.setattr(hf, "hub_reachable", lambda timeout=3.0: False)
    assert hf.cache_only("org/model") is True
