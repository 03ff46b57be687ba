"""``vidrecap serve OUTDIR... [--host H --port N] [--token T] [--allow-upload]``: recaps as web pages.

Bound to a non-local address, the server needs an access token (``--token`` or ``VIDRECAP_TOKEN``)
unless ``--no-auth`` says to serve openly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import InputError, VidrecapError
from ..library import is_library
from ..library.stores import is_url, mask
from .config import DEFAULT_HOST, DEFAULT_MAX_UPLOAD_MB, ServeConfig
from .library import find_recap_dirs

TOKEN_ENV = "VIDRECAP_TOKEN"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MIN_TOKEN = 16


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("outdirs", nargs="+", metavar="OUTDIR",
                   help="a `vidrecap run` output directory, or a folder of them (a library ROOT, or a "
                        "postgresql:// library URL, gets one search box over all its recaps)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--token", help=f"access token required by every page and API call (default: ${TOKEN_ENV}); "
                                   "needed to serve on a non-local address")
    p.add_argument("--no-auth", action="store_true", help="serve a non-local address without a token (anyone "
                                                          "who reaches it can search and, with --allow-upload, upload)")
    p.add_argument("--allow-upload", action="store_true", help="show a form to upload and recap videos")
    p.add_argument("--upload-dir", type=Path, help="where uploads and their recaps go "
                                                   "(default: ./vidrecap-uploads)")
    p.add_argument("--max-upload-mb", type=int, default=DEFAULT_MAX_UPLOAD_MB,
                   help=f"largest accepted upload in MiB (default {DEFAULT_MAX_UPLOAD_MB})")


def config_from_args(args: argparse.Namespace) -> ServeConfig:
    """Validate the arguments into a ``ServeConfig``."""
    urls = [d for d in args.outdirs if is_url(d)]
    outdirs = [Path(d) for d in args.outdirs if not is_url(d)]
    for d in outdirs:
        if not d.is_dir():
            raise InputError(f"{d}: no such directory")
        if not find_recap_dirs(d) and not is_library(d) and not args.allow_upload:
            raise InputError(f"{d}: no recap here (no recap.json in it or its subfolders)")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be 0..65535, got {args.port}")
    if args.max_upload_mb <= 0:
        raise InputError("--max-upload-mb must be positive")
    return ServeConfig(outdirs=outdirs, host=args.host, port=args.port, allow_upload=args.allow_upload,
                       upload_dir=args.upload_dir, max_upload_bytes=args.max_upload_mb * 1024 * 1024,
                       libraries=urls, token=_token(args))


def _token(args: argparse.Namespace) -> str | None:
    """The access token, or None where serving openly is allowed (local, or ``--no-auth``)."""
    token = args.token or os.environ.get(TOKEN_ENV) or None
    if token and args.no_auth:
        raise InputError("--no-auth and an access token contradict each other")
    if token and len(token) < MIN_TOKEN:
        raise InputError(f"the access token must have at least {MIN_TOKEN} characters "
                         "(e.g. python -c 'import secrets; print(secrets.token_urlsafe())')")
    if not token and not args.no_auth and args.host not in LOCAL_HOSTS:
        raise InputError(f"refusing to serve on {args.host} without an access token: pass --token or set "
                         f"{TOKEN_ENV} (or --no-auth to let anyone who reaches it in)")
    return token


def execute(args: argparse.Namespace) -> int:
    config = config_from_args(args)
    try:
        import uvicorn

        from .app import create_app
    except ModuleNotFoundError as exc:
        raise VidrecapError(f"`vidrecap serve` needs {exc.name}: pip install 'vidrecap[serve]'") from exc
    if config.host not in LOCAL_HOSTS:
        guard = "an access token is required" if config.token else "WITHOUT an access token (--no-auth)"
        print(f"vidrecap: warning: serving on {config.host}: other machines can reach it; {guard}", file=sys.stderr)
    for url in config.libraries:
        print(f"vidrecap: searching the library {mask(url)}", file=sys.stderr)
    app = create_app(config)
    shown = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
    print(f"vidrecap: serving on http://{shown}:{config.port}/ (Ctrl+C to stop)", file=sys.stderr)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning")
    return 0
