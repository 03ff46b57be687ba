"""Per-clip feature files for training: the layout ``vidrecap features`` writes, and validating loaders.

Layout written by ``vidrecap features`` (one directory per encoder)::

    DIR/meta.json      {"format": "vidrecap-features/1", "encoder": SPEC, "dim": D,
                        "cell_seconds": 2.0, "channels": ["visual", "speech", "on_screen", "fused"],
                        "visual_space": "labels" | "image", "videos": {vid: n_cells, ...}}
    DIR/{vid}.npz      one float32 array (n_cells, D) per channel; row i covers [2i, 2i + 2) s

Externally extracted features are read in the usual layouts: ``DIR/{vid}.npz`` holding the array
under a key (``features`` for Moment-DETR's SlowFast/CLIP dumps, ``last_hidden_state`` for CLIP text
token features) or ``DIR/{vid}.npy``. Every problem raises ``InputError`` naming the file and field.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import InputError

FEATURE_FORMAT = "vidrecap-features/1"
META_FILE = "meta.json"
DEFAULT_KEYS = ("fused", "features", "last_hidden_state", "arr_0")


@dataclass
class FeatureMeta:
    """What ``meta.json`` records about a feature directory."""

    encoder: str
    dim: int
    cell_seconds: float = 2.0
    channels: list[str] = field(default_factory=list)
    visual_space: str = ""
    videos: dict[str, int] = field(default_factory=dict)
    format: str = FEATURE_FORMAT


def write_meta(directory: Path, meta: FeatureMeta) -> None:
    from ..util.fs import atomic_write_json

    atomic_write_json(Path(directory) / META_FILE, asdict(meta))


def read_meta(directory: str | Path) -> FeatureMeta | None:
    """The directory's ``meta.json``, or ``None`` when there is none (external features)."""
    path = Path(directory) / META_FILE
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    for name, kind in (("encoder", str), ("dim", int), ("cell_seconds", int | float)):
        if not isinstance(data.get(name), kind) or isinstance(data.get(name), bool):
            raise InputError(
                f"{path}: field '{name}': missing or not a {getattr(kind, '__name__', 'number')}"
            )
    known = {f for f in FeatureMeta.__dataclass_fields__}
    return FeatureMeta(**{k: v for k, v in data.items() if k in known})


def save_video_features(directory: Path, vid: str, arrays: dict[str, np.ndarray]) -> Path:
    """Write one video's channels to ``DIR/{vid}.npz`` (float32)."""
    import io

    from ..util.fs import atomic_write_bytes

    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v, np.float32) for k, v in arrays.items()})
    path = Path(directory) / f"{vid}.npz"
    atomic_write_bytes(path, buf.getvalue())
    return path


def validate_matrix(array: np.ndarray, path: Path, name: str, dim: int | None = None) -> np.ndarray:
    """A finite float ``(rows, dim)`` matrix as float32, else ``InputError`` naming file and field."""
    where = f"{path}: field '{name}'"
    if array.dtype.kind != "f":
        raise InputError(f"{where}: expected float features, got dtype {array.dtype}")
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise InputError(f"{where}: expected a 2-D (clips, dim) array, got shape {tuple(array.shape)}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(f"{where}: empty array of shape {tuple(array.shape)}")
    if dim is not None and array.shape[1] != dim:
        raise InputError(f"{where}: expected feature dim {dim}, got {array.shape[1]}")
    if not np.isfinite(array).all():
        raise InputError(f"{where}: contains NaN or infinite values")
    return np.ascontiguousarray(array, dtype=np.float32)


def load_feature_file(path: str | Path, key: str | None = None, dim: int | None = None) -> np.ndarray:
    """Read a ``.npy`` or ``.npz`` feature file (``key``: the npz member; default: a usual one)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: feature file not found")
    try:
        if path.suffix == ".npy":
            return validate_matrix(np.load(path, allow_pickle=False), path, key or "array", dim)
        with np.load(path, allow_pickle=False) as data:
            name = _pick_key(list(data.files), key, path)
            return validate_matrix(data[name], path, name, dim)
    except InputError:
        raise
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"{path}: unreadable feature file ({exc})") from exc


def _pick_key(names: list[str], key: str | None, path: Path) -> str:
    if key is not None:
        if key not in names:
            raise InputError(f"{path}: field '{key}': missing (the file has {', '.join(names) or 'nothing'})")
        return key
    if len(names) == 1:
        return names[0]
    for name in DEFAULT_KEYS:
        if name in names:
            return name
    raise InputError(f"{path}: field 'key': several arrays ({', '.join(names)}); say which one to use")


@dataclass
class FeatureDir:
    """One feature directory: ``{vid}.npz`` (with ``key``) or ``{vid}.npy`` files, cached once read."""

    directory: Path
    key: str | None = None
    pattern: str = "{vid}"
    meta: FeatureMeta | None = None
    cache_size: int = 1024
    _cache: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def open(cls, directory: str | Path, key: str | None = None, pattern: str = "{vid}") -> FeatureDir:
        directory = Path(directory)
        if not directory.is_dir():
            raise InputError(f"{directory}: feature directory not found")
        meta = read_meta(directory)
        if key is None and meta is not None and "fused" in meta.channels:
            key = "fused"
        return cls(directory, key, pattern, meta)

    @property
    def cell_seconds(self) -> float:
        return float(self.meta.cell_seconds) if self.meta else 2.0

    def path_of(self, vid: str) -> Path:
        stem = self.pattern.format(vid=vid)
        for suffix in (".npz", ".npy"):
            path = self.directory / f"{stem}{suffix}"
            if path.exists():
                return path
        raise InputError(f"{self.directory / stem}.npz: no features for {vid!r} (looked for .npz and .npy)")

    def load(self, vid: str) -> np.ndarray:
        """The video's ``(rows, dim)`` float32 features (the last ``cache_size`` videos stay in memory)."""
        if vid in self._cache:
            self._cache.move_to_end(vid)
            return self._cache[vid]
        dim = self.meta.dim if self.meta else None
        array = load_feature_file(self.path_of(vid), self.key, dim)
        self._cache[vid] = array
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return array


@dataclass
class FeatureSource:
    """Several feature directories concatenated along the feature axis (rows cut to the shortest)."""

    dirs: list[FeatureDir]

    @classmethod
    def open(
        cls, directories: Sequence[str | Path], key: str | None = None, pattern: str = "{vid}"
    ) -> FeatureSource:
        if not directories:
            raise InputError("features: no feature directory given")
        return cls([FeatureDir.open(d, key, pattern) for d in directories])

    @property
    def cell_seconds(self) -> float:
        return self.dirs[0].cell_seconds

    @property
    def encoder(self) -> str:
        meta = self.dirs[0].meta
        return meta.encoder if meta else ""

    def load(self, vid: str) -> np.ndarray:
        parts = [d.load(vid) for d in self.dirs]
        if len(parts) == 1:
            return parts[0]
        rows = min(p.shape[0] for p in parts)
        return np.concatenate([p[:rows] for p in parts], axis=1)

    def dim(self, vid: str) -> int:
        return int(self.load(vid).shape[1])


def merge_meta(meta: FeatureMeta | None, out: Path, encoder: str, arrays: dict, space: str) -> FeatureMeta:
    dim = int(next(iter(arrays.values())).shape[1])
    if meta is None:
        return FeatureMeta(encoder=encoder, dim=dim, channels=sorted(arrays), visual_space=space)
    if meta.encoder != encoder or meta.dim != dim:
        raise InputError(
            f"{out / 'meta.json'}: field 'encoder': directory holds {meta.encoder} (dim {meta.dim}) "
            f"features, not {encoder} (dim {dim}); use another -o directory"
        )
    return meta
