"""Settings of one ``vidrecap serve`` instance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_MAX_UPLOAD_MB = 2048

# (video, out_dir, report(stage, done, total)) -> None; raises on failure.
RecapRunner = Callable[[Path, Path, Callable[[str, float, float], None]], None]


@dataclass
class ServeConfig:
    """What to serve and how: recap directories, uploads, trusted Host names."""

    outdirs: list[Path]
    host: str = DEFAULT_HOST
    port: int = 8000
    allow_upload: bool = False
    upload_dir: Path | None = None  # where uploaded videos and their recaps go
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    run_options: dict[str, object] = field(default_factory=dict)  # passed to vidrecap.recap
    runner: RecapRunner | None = None  # how an upload is recapped (default: a worker subprocess)
    trusted_hosts: list[str] | None = None  # Host header values accepted (default: from host)
    libraries: list[str] = field(default_factory=list)  # library URLs (postgresql://) searched too
    token: str | None = None  # access token every route but /login needs (None: open)

    def allowed_hosts(self) -> list[str]:
        """Host names accepted in the Host header (guards against DNS rebinding)."""
        if self.trusted_hosts is not None:
            return list(self.trusted_hosts)
        if self.host in ("0.0.0.0", "::"):
            return ["*"]
        return sorted({self.host, "127.0.0.1", "localhost", "::1", "[::1]"})
