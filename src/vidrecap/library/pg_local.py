"""A throwaway local PostgreSQL + pgvector server, for trying the shared library and for tests.

``vidrecap library server DIR`` creates a cluster in ``DIR`` (``initdb``, trust auth for local
connections only), starts it on a free port of 127.0.0.1 (and a Unix socket in ``DIR``) and prints
the ``postgresql://`` URL; ``--stop`` stops it. The binaries come from the ``pgserver`` wheel
(PostgreSQL with pgvector built in) or, failing that, from ``pg_config`` on PATH if its server has the
``vector`` extension. PostgreSQL refuses to run as root, so as root the server runs as the system
user ``postgres`` (Debian's) or ``nobody``.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import VidrecapError

USER = "vidrecap"
DATABASE = "postgres"


def find_binaries() -> Path:
    """The ``bin`` folder of a PostgreSQL whose server has pgvector (``VidrecapError`` if none)."""
    candidates = []
    spec = importlib.util.find_spec("pgserver")  # the pgserver wheel (not imported: it has side effects)
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations]
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append(Path(out))
    for bindir in candidates:
        share = bindir.parent / "share"
        if (bindir / "initdb").is_file() and any(share.glob("**/extension/vector.control")):
            return bindir
    raise VidrecapError("no PostgreSQL with pgvector found: pip install pgserver==0.1.4 "
                        "(or install pgvector for your server)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LocalServer:
    """One cluster in ``folder``: ``start()`` (idempotent), ``url``, ``stop()``."""

    folder: Path
    port: int = 0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> str:
        bindir = _runnable(find_binaries())
        self.folder.mkdir(parents=True, exist_ok=True)
        run_as = _server_user()
        if run_as is not None:
            _open_path(self.folder)
            os.chown(self.folder, run_as.pw_uid, run_as.pw_gid)
        if not (self.data / "PG_VERSION").is_file():
            self._run(bindir / "initdb", "-D", self.data, "-U", USER, "--auth=trust", "-E", "UTF8",
                      "--no-instructions", user=run_as)
        port_file = self.folder / "port"
        if (self.data / "postmaster.pid").is_file() and port_file.is_file():
            self.port = int(port_file.read_text())
            return self.url
        self.port = self.port or free_port()
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(bindir / "pg_ctl", "-D", self.data, "-o", options, "-l", self.folder / "server.log",
                  "-w", "-t", "60", "start", user=run_as)
        port_file.write_text(str(self.port))
        return self.url

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").is_file():
            return
        bindir = _runnable(find_binaries())
        self._run(bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", user=_server_user())
        (self.folder / "port").unlink(missing_ok=True)

    def _run(self, *argv, user) -> None:
        kwargs = {"user": user.pw_uid, "group": user.pw_gid} if user is not None else {}
        done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False, cwd="/",
                              **kwargs)
        if done.returncode:
            why = (done.stderr or done.stdout).strip().splitlines()
            raise VidrecapError(f"{Path(str(argv[0])).name} failed: {why[-1] if why else done.returncode}")


def _server_user():
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise VidrecapError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


def _open_path(path: Path) -> None:
    """Let another user reach ``path``: its parents must be searchable by others."""
    for parent in path.resolve().parents:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise VidrecapError(f"{path}: {parent} is not reachable by the server's user: use a folder under /tmp")


def _runnable(bindir: Path) -> Path:
    """As root, binaries inside a private folder (e.g. a venv under /root) are copied to /tmp once."""
    if os.geteuid() != 0 or all(p.stat().st_mode & stat.S_IXOTH for p in bindir.resolve().parents):
        return bindir
    target = Path(tempfile.gettempdir()) / f"vidrecap-pg-{abs(hash(str(bindir.resolve()))) % 10**8}"
    if not (target / "bin" / "initdb").is_file():
        tmp = Path(tempfile.mkdtemp(prefix=".vidrecap-pg-", dir=target.parent))
        for part in ("bin", "lib", "share"):
            shutil.copytree(bindir.parent / part, tmp / part, symlinks=True)
        tmp.chmod(0o755)
        try:
            os.replace(tmp, target)
        except OSError:  # another process copied it first
            shutil.rmtree(tmp, ignore_errors=True)
    return target / "bin"
