"""Client paths resolve inside their root or are refused."""

from __future__ import annotations

import pytest

from vidrecap.serve.safepath import Forbidden, NotFound, is_suspicious, resolve_inside


@pytest.fixture
def root(tmp_path):
    base = tmp_path / "recap"
    (base / "frames").mkdir(parents=True)
    (base / "frames" / "cell_000000.jpg").write_bytes(b"jpg")
    (base / "recap.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("secret")
    (base / "link.txt").symlink_to(tmp_path / "secret.txt")
    (base / "outside").symlink_to(tmp_path, target_is_directory=True)
    (base / "inside.json").symlink_to(base / "recap.json")
    return base


def test_files_inside_resolve(root):
    assert resolve_inside(root, "frames/cell_000000.jpg") == (root / "frames" / "cell_000000.jpg").resolve()
    assert resolve_inside(root, "inside.json") == (root / "recap.json").resolve()  # symlink staying inside


@pytest.mark.parametrize("path", [
    "../secret.txt", "frames/../../secret.txt", "%2e%2e/secret.txt", "%2e%2e%2fsecret.txt",
    "%252e%252e%252fsecret.txt", "%25252e%25252e/secret.txt", "/etc/passwd", "%2Fetc%2Fpasswd", "C:/Windows",
    "..\\secret.txt", "frames\\..\\..\\secret.txt", "a\x00b", "~/x", "",
])
def test_escapes_are_forbidden(root, path):
    with pytest.raises(Forbidden):
        resolve_inside(root, path)


def test_symlinks_leading_outside_are_forbidden(root):
    with pytest.raises(Forbidden):
        resolve_inside(root, "link.txt")
    with pytest.raises(Forbidden):
        resolve_inside(root, "outside/secret.txt")


def test_missing_files_and_directories_are_not_found(root):
    with pytest.raises(NotFound):
        resolve_inside(root, "frames/nope.jpg")
    with pytest.raises(NotFound):
        resolve_inside(root, "frames")


def test_plain_names_are_not_suspicious():
    assert not is_suspicious("frames/cell_000001.jpg")
    assert not is_suspicious("a..b/c.jpg")  # dots inside a name are fine
