"""The FastAPI app: HTML pages, the JSON API, ranged file serving and (optional) uploads."""

from __future__ import annotations

import mimetypes
import threading
from email.utils import formatdate
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import InputError, VidrecapError
from ..outputs.speakers import load_names, renamed, save_names
from . import pages
from .analysis import RecapAnalysis
from .auth import TokenAuth
from .config import ServeConfig
from .library import Library, RecapEntry
from .library_search import LibrarySearch
from .ranges import RangeNotSatisfiable, parse_range, read_chunks
from .safepath import Forbidden, NotFound, resolve_inside
from .uploads import JobManager, UnsupportedMedia, UploadTooLarge, probe_media, save_stream, subprocess_runner
from .uploads import upload_suffix as check_upload_suffix

STATIC_DIR = Path(__file__).parent / "static"
CLIP_PAGE_MAX = 500
UPLOAD_HEADER = "x-vidrecap-upload"  # custom header: cross-site forms cannot send it without CORS
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": ("default-src 'self'; img-src 'self'; media-src 'self'; style-src 'self'; "
                                "script-src 'self'; object-src 'none'; base-uri 'none'; "
                                "frame-ancestors 'none'; form-action 'self'"),
}


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` to every HTTP response (streams untouched)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerState:
    """The library of recaps, their cached analyses and the upload jobs."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.library = Library(config.outdirs)
        self.search = LibrarySearch(config.outdirs, self.library, config.libraries)
        self._analyses: dict[tuple[str, int], RecapAnalysis] = {}
        self._lock = threading.Lock()
        self.jobs = self._job_manager() if config.allow_upload else None

    def _job_manager(self) -> JobManager:
        upload_dir = (self.config.upload_dir or Path("vidrecap-uploads")).resolve()
        upload_dir.mkdir(parents=True, exist_ok=True)
        for done in sorted(upload_dir.glob("*/recap/recap.json")):
            self.library.add(done.parent)
        runner = self.config.runner or subprocess_runner(self.config.run_options)
        return JobManager(upload_dir, runner, lambda d: self.library.add(d).id)

    def entry(self, rid: str) -> RecapEntry:
        """The loaded entry, or 404 for an unknown id or a recap that failed to load."""
        entry = self.library.get(rid)
        if entry is None or entry.recap is None:
            raise HTTPException(404, "no such recap")
        return entry

    def analysis(self, rid: str) -> RecapAnalysis:
        """The cached analysis of the recap's current version (rebuilt when recap.json changes)."""
        entry = self.entry(rid)
        with self._lock:
            return self._analyses.setdefault((rid, entry.mtime_ns), RecapAnalysis(entry.recap))


LIVE_FIELDS = ("live", "status", "seconds", "rounds", "reconnects", "updated")


def create_app(config: ServeConfig) -> FastAPI:
    """Build the app serving ``config.outdirs``."""
    state = ServerState(config)
    app = FastAPI(title="vidrecap", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.vidrecap = state
    if config.token:
        app.add_middleware(TokenAuth, token=config.token)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=config.allowed_hosts())

    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_pages(app, state)
    _add_files(app, state)
    _add_api(app, state)
    _add_uploads(app, state)
    return app


def _add_pages(app: FastAPI, state: ServerState) -> None:
    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        state.library.refresh()
        state.search.register_recaps()
        return pages.index_page(state.library.entries(), state.jobs is not None, state.search.enabled)

    @app.get("/recaps/{rid}", response_class=HTMLResponse)
    def recap_page(rid: str) -> HTMLResponse:
        entry = state.library.get(rid)
        if entry is None or entry.recap is None:
            return HTMLResponse(pages.not_found_page("No such recap."), status_code=404)
        return HTMLResponse(pages.recap_page(entry))


def _add_files(app: FastAPI, state: ServerState) -> None:
    @app.api_route("/recaps/{rid}/video", methods=["GET", "HEAD"])
    def video(rid: str, request: Request) -> Response:
        path = state.entry(rid).video_path
        if path is None:
            raise HTTPException(404, "the source video is not available")
        return ranged_file_response(path, request)

    @app.api_route("/recaps/{rid}/files/{relative:path}", methods=["GET", "HEAD"])
    def recap_file(rid: str, relative: str, request: Request) -> Response:
        root = state.entry(rid).directory
        try:
            path = resolve_inside(root, relative)
        except Forbidden:
            raise HTTPException(403, "outside the recap directory") from None
        except NotFound:
            raise HTTPException(404, "no such file") from None
        return ranged_file_response(path, request)


def _add_api(app: FastAPI, state: ServerState) -> None:
    @app.get("/api/recaps")
    def list_recaps() -> list[dict[str, Any]]:
        state.library.refresh()
        return [_recap_brief(e) for e in state.library.entries() if e.recap is not None]

    @app.get("/api/recaps/{rid}")
    def recap_meta(rid: str) -> dict[str, Any]:
        entry = state.entry(rid)
        recap = entry.recap
        return {**_recap_brief(entry),
                "summary": {"title": recap.summary.title, "text": recap.summary.text},
                "segments": [_caption(s) for s in recap.segments],
                "clip_starts": [round(c.start, 3) for c in recap.clips]}

    @app.get("/api/recaps/{rid}/live")
    def live(rid: str) -> dict[str, Any]:
        """A followed stream's state and the recap's version: the page polls it while live."""
        entry = state.entry(rid)
        live = pages.live_state(entry.directory)  # no paths: the source and recording stay private
        return {**{k: live[k] for k in LIVE_FIELDS if k in live}, "version": entry.mtime_ns,
                "clip_count": len(entry.recap.clips), "segment_count": len(entry.recap.segments)}

    @app.get("/api/recaps/{rid}/clips")
    def clips(rid: str, offset: int = Query(0, ge=0), limit: int = Query(200, ge=1, le=CLIP_PAGE_MAX)
              ) -> dict[str, Any]:
        entry = state.entry(rid)
        recap, names = entry.recap, load_names(entry.directory)
        page = recap.clips[offset:offset + limit]
        return {"total": len(recap.clips), "offset": offset,
                "clips": [_clip(c, recap, names) for c in page]}

    @app.post("/api/recaps/{rid}/speakers")
    async def name_speakers(rid: str, request: Request) -> dict[str, Any]:
        entry = state.entry(rid)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            # a JSON content type cannot be sent cross-site without a CORS preflight, which we never grant
            raise HTTPException(415, "send the names as application/json")
        try:
            body = await request.json()
        except ValueError:
            raise HTTPException(400, "expected a JSON object like {\"S1\": \"Maria\"}") from None
        if not isinstance(body, dict):
            raise HTTPException(400, "expected a JSON object like {\"S1\": \"Maria\"}")
        try:
            return {"names": save_names(entry.directory, body, entry.recap)}
        except InputError as exc:
            raise HTTPException(400, str(exc)) from None
        except OSError as exc:
            raise HTTPException(403, f"cannot write beside this recap ({exc.strerror or exc})") from None

    @app.get("/api/recaps/{rid}/search")
    def search(rid: str, q: str = Query(..., max_length=1000), top_k: int = Query(10, ge=1, le=50)
               ) -> dict[str, Any]:
        analysis = state.analysis(rid)
        try:
            return analysis.search(q, top_k)
        except InputError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.get("/api/library/search")
    def library_search(q: str = Query(..., max_length=1000), top_k: int = Query(10, ge=1, le=50)
                       ) -> dict[str, Any]:
        if not state.search.enabled:
            raise HTTPException(404, "no recap library among the served folders (`vidrecap library add`)")
        try:
            return state.search.search(q, top_k)
        except InputError as exc:
            raise HTTPException(400, str(exc)) from None
        except VidrecapError as exc:  # the library's database is unreachable
            raise HTTPException(503, str(exc)) from None

    @app.get("/api/recaps/{rid}/ask")
    def ask(rid: str, q: str = Query(..., max_length=1000)) -> dict[str, Any]:
        analysis = state.analysis(rid)
        try:
            return analysis.ask(q)
        except InputError as exc:
            raise HTTPException(400, str(exc)) from None

    @app.get("/api/recaps/{rid}/highlights")
    def highlights(rid: str) -> dict[str, Any]:
        return state.analysis(rid).highlights()

    @app.get("/api/recaps/{rid}/keyframes")
    def keyframes(rid: str) -> dict[str, Any]:
        frames = state.analysis(rid).key_frames()
        return {"frames": [{"start": f.start, "end": f.end, "relevance": f.relevance,
                            "url": f"/recaps/{rid}/files/{f.frame}" if f.frame else None} for f in frames]}


def _add_uploads(app: FastAPI, state: ServerState) -> None:
    def jobs() -> JobManager:
        if state.jobs is None:
            raise HTTPException(403, "uploads are disabled (start the server with --allow-upload)")
        return state.jobs

    @app.post("/api/uploads", status_code=202)
    async def upload(request: Request, filename: str = Query(..., max_length=255)) -> dict[str, Any]:
        manager = jobs()
        if request.headers.get(UPLOAD_HEADER) != "1":
            raise HTTPException(403, f"missing the {UPLOAD_HEADER} header")
        try:
            suffix = check_upload_suffix(filename)
        except UnsupportedMedia as exc:
            raise HTTPException(415, str(exc)) from None
        limit = state.config.max_upload_bytes
        if _declared_length(request) > limit:
            raise HTTPException(413, f"the file is larger than {limit} bytes")
        job = manager.new_job(filename, suffix)
        try:
            await save_stream(request.stream(), job.video, limit)
            await run_in_threadpool(probe_media, job.video)
        except UploadTooLarge:
            manager.discard(job)
            raise HTTPException(413, f"the file is larger than {limit} bytes") from None
        except UnsupportedMedia as exc:
            manager.discard(job)
            raise HTTPException(415, str(exc)) from None
        except BaseException:  # client gone mid-upload, server stopping
            manager.discard(job)
            raise
        return manager.submit(job).to_dict()

    @app.get("/api/jobs")
    def list_jobs() -> list[dict[str, Any]]:
        return [j.to_dict() for j in jobs().jobs()]

    @app.get("/api/jobs/{job_id}")
    def job_status(job_id: str) -> dict[str, Any]:
        job = jobs().get(job_id)
        if job is None:
            raise HTTPException(404, "no such job")
        return job.to_dict()


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        raise HTTPException(400, "bad Content-Length") from None


def _recap_brief(entry: RecapEntry) -> dict[str, Any]:
    recap = entry.recap
    return {"id": entry.id, "title": pages.recap_title(entry), "duration": recap.video.duration,
            "url": f"/recaps/{entry.id}", "video_url": f"/recaps/{entry.id}/video",
            "segment_count": len(recap.segments), "clip_count": len(recap.clips),
            "live": pages.live_state(entry.directory).get("status")}


def _clip(c: Any, recap: Any, names: dict[str, str]) -> dict[str, Any]:
    """A clip caption for the page: speaker labels in its text named, and who speaks in it."""
    who = list(dict.fromkeys(s for i in c.children if i < len(recap.cells) for s in recap.cells[i].speakers))
    return {**_caption(c), "text": renamed(c.text, names), "speakers": who,
            "names": [names.get(s, s) for s in who]}


def _caption(c: Any) -> dict[str, Any]:
    return {"index": c.index, "start": c.start, "end": c.end, "title": c.title, "text": c.text}


def ranged_file_response(path: Path, request: Request) -> Response:
    """``path`` as 200, or 206 for one satisfiable ``Range``, or 416; HEAD gets headers only."""
    stat = path.stat()
    size = stat.st_size
    etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
    headers = {"Accept-Ranges": "bytes", "ETag": etag, "Last-Modified": formatdate(stat.st_mtime, usegmt=True)}
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != etag:
        range_header = None  # the client's copy is stale: send the whole current file
    try:
        byte_range = parse_range(range_header, size)
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, length, status = 0, size, 200
    if byte_range is not None:
        start, length, status = byte_range.start, byte_range.length, 206
        headers["Content-Range"] = byte_range.content_range()
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    return StreamingResponse(read_chunks(path, start, length), status_code=status, headers=headers,
                             media_type=media_type)
