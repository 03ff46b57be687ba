"""Options of a recap run; every field that changes results is part of a stage's cache key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import InputError
from .served import served_identity

STAGE_VERSION = {"visual": 9, "speech": 5, "sounds": 2, "embeddings": 5, "captions": 9, "segments": 14,
                 "speakers": 2}


@dataclass
class RunOptions:
    asr: str = "embedded"
    ocr: str = "embedded"
    tagger: str = "embedded"
    faces: str = "embedded"
    picture: str = "embedded"
    objects: str = "embedded"
    sounds: str = "embedded"
    encoder: str = "embedded"
    captioner: str = "embedded"
    writer: str = "embedded"
    diarizer: str = "embedded"  # speaker embeddings for the speakers pass; "none": no speaker turns
    speakers: int | None = None  # how many speakers (None: found automatically)
    language: str | None = None
    segment_seconds: float = 180.0
    segmentation: str = "content"  # "content": chapters follow the content; "fixed": ~segment_seconds (ReCap)
    frame_side: int = 480
    device: str = "cpu"
    asr_threads: int = 2
    translate: bool = False  # speech written in English whatever the spoken language (Whisper's translate task)
    hotwords: bool = True  # words read on screen near a speech window go to the recogniser (names as shown)
    backend_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # role -> backend kwargs

    def __post_init__(self):
        if _is_path(self.asr):  # --asr /path/to/ct2-dir
            self.asr = f"whisper:{self.asr}"
        if not 20 <= self.segment_seconds <= 3600:
            raise InputError(f"segment_seconds must be between 20 and 3600, got {self.segment_seconds}")
        if self.segmentation not in ("content", "fixed"):
            raise InputError(f"segmentation must be 'content' or 'fixed', got {self.segmentation!r}")
        if self.speakers is not None and not 1 <= self.speakers <= 20:
            raise InputError(f"speakers must be between 1 and 20, got {self.speakers}")
        if not 64 <= self.frame_side <= 2048:
            raise InputError(f"frame_side must be between 64 and 2048, got {self.frame_side}")

    @classmethod
    def resolve(cls, profile: str | None = None, config: str | None = None, **kwargs: Any) -> RunOptions:
        """Options from a profile and/or a TOML config file, overridden by explicit ``kwargs``."""
        if profile or config:
            from ..backends.profiles import resolve_backends, resolve_options
            from ..registry import PIPELINE_ROLES

            specs = resolve_backends(profile, config, **{r: kwargs.pop(r, None) for r in PIPELINE_ROLES})
            kwargs.update({r: specs[r] for r in PIPELINE_ROLES})
            if config:
                options = resolve_options(config)
                kwargs.setdefault("backend_options", {r: options[r] for r in PIPELINE_ROLES if options[r]})
        return cls.from_kwargs(**kwargs)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> RunOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - known)
        if unknown:
            raise InputError(f"unknown option(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return cls(**{k: v for k, v in kwargs.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def stage_key(self, fingerprint: str, stage: str) -> str:
        """Cache key of ``stage``: the video plus only the options that stage depends on."""
        # the speech stage hears on-screen words as hotwords: it depends on what OCR read
        speech = ("asr", "language", "translate", "hotwords", *(("ocr", "frame_side") if self.hotwords else ()))
        visual = ("tagger", "ocr", "faces", "picture", "objects")
        who = ("diarizer", "speakers")  # captions and descriptions say who speaks
        deps = {
            "visual": (*visual, "frame_side"),
            "speech": speech,
            "speakers": (*speech, *who),
            "sounds": ("sounds",),
            "embeddings": (*visual, "frame_side", *speech, "sounds", "encoder"),
            "captions": (*visual, "frame_side", *speech, *who, "sounds", "captioner"),
            "segments": (*visual, "frame_side", *speech, *who, "sounds", "captioner", "writer",
                         "segment_seconds", "segmentation", "encoder"),
        }[stage]
        heard = ("visual", "speech") if self.hotwords else ("speech",)
        upstream = {"visual": ("visual",), "speech": heard, "sounds": ("sounds",),
                    "speakers": (*heard, "speakers"),
                    "embeddings": ("visual", "speech", "sounds", "embeddings"),
                    "captions": ("visual", "speech", "speakers", "sounds", "captions"),
                    "segments": ("visual", "speech", "speakers", "sounds", "embeddings", "captions",
                                 "segments")}[stage]
        # a stage's results change when any stage it reads from changes version
        versions = {s: STAGE_VERSION[s] for s in upstream}
        payload = {"video": fingerprint, "stage": stage, "v": versions,
                   **{k: getattr(self, k) for k in deps},
                   # a model retrained into the same directory is a different model
                   "local": {k: sig for k in deps if (sig := local_signature(getattr(self, k)))},
                   "backend_options": {k: self.backend_options[k] for k in deps if self.backend_options.get(k)}}
        # openai names a protocol: key on the server and the model it serves
        served = {k: sig for k in deps if k in ("captioner", "writer")
                  and (sig := served_identity(getattr(self, k), self.backend_options.get(k)))}
        if served:
            payload["served"] = served
        if stage == "segments":  # titles are checked against the installed word lists
            from ..text.vocabulary import vocabulary_signature

            payload["vocabulary"] = vocabulary_signature()
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]
        return f"{stage}-{digest}"


def local_signature(spec: object, max_files: int = 2000) -> str:
    """For a backend spec naming a local file or directory (``dual:RUN_DIR``, ``hf:/models/x``), a
    digest of its files' names, sizes and modification times; ``""`` for anything else."""
    if not isinstance(spec, str) or ":" not in spec:
        return ""
    target = Path(spec.partition(":")[2]).expanduser()
    if not spec.partition(":")[2] or not target.exists():
        return ""
    digest = hashlib.sha256()
    try:  # an unreadable folder keys on the spec alone, as before signatures existed
        files = [target] if target.is_file() else sorted(p for p in target.rglob("*") if p.is_file())[:max_files]
        for f in files:
            st, name = f.stat(), f.relative_to(target) if f != target else f.name
            digest.update(f"{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    except OSError:
        return ""
    return digest.hexdigest()[:16]


def _is_path(spec: str) -> bool:
    name = spec.partition(":")[0]
    return spec.startswith((".", "~", "/")) or "/" in name
