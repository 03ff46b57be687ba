"""``vidrecap serve``: watch, read and search recaps in a browser, served on localhost.

``create_app(ServeConfig([...outdirs]))`` builds the FastAPI app; ``vidrecap serve OUTDIR...`` runs it
with uvicorn. FastAPI and uvicorn come with the ``serve`` extra.
"""

from __future__ import annotations

from .config import ServeConfig

__all__ = ["ServeConfig", "create_app"]


def create_app(config: ServeConfig):  # noqa: ANN201 - FastAPI is imported lazily
    """The web app for ``config`` (imports FastAPI on first use)."""
    from .app import create_app as _create

    return _create(config)
