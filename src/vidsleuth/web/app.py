"""`create_app(settings)`: the FastAPI application behind `vidsleuth serve`.

The factory builds everything from one `ServerSettings`: the case store, the worker pool (started and
stopped with the app's lifespan), the JSON API, the web pages, the error handlers (one JSON shape) and
the security middleware. Nothing is global, so tests build as many apps as they like.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from vidsleuth._version import __version__
from vidsleuth.errors import ConfigError
from vidsleuth.web import routes_api, routes_hash, routes_web
from vidsleuth.web.cases_store import CaseStore
from vidsleuth.web.errors import install_error_handlers
from vidsleuth.web.hashing import HashService
from vidsleuth.web.pool import AnalysisPool
from vidsleuth.web.security import LoginRequiredError, SecurityMiddleware
from vidsleuth.web.settings import ServerSettings

HERE = Path(__file__).resolve().parent

DESCRIPTION = """\
Submit a video (upload or URL), poll its case while the checks run, then fetch the report as JSON,
HTML or Markdown. Analysts add notes, a signed analyst verdict (kept beside the automatic verdict) and
answers to the context checklist; all of it appears in the report's `annotations`.

Every error has one shape: `{"error": {"code": "...", "message": "..."}}`. When the server has a token,
send `Authorization: Bearer <token>`.
"""


def _prepare_dirs(settings: ServerSettings) -> None:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        settings.uploads_dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(settings.uploads_dir, 0o700)
    except OSError as exc:
        raise ConfigError(
            f"cannot use the data directory {settings.data_dir}: {exc.strerror or exc}"
        ) from None


class _Static(StaticFiles):
    """Static files with a short cache lifetime (they change with the package version)."""

    async def get_response(self, path: str, scope: dict) -> Response:  # type: ignore[override,type-arg]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def create_app(settings: ServerSettings) -> FastAPI:
    """Build the app. Raises ConfigError for unsafe settings or an unusable data directory/database."""
    settings.validate()
    _prepare_dirs(settings)
    store = CaseStore(settings.db_url)
    pool = AnalysisPool(store, settings)
    hasher = HashService(settings.workers, settings.worker_memory_mb, settings.job_timeout_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pool.start()
        try:
            yield
        finally:
            pool.stop()
            hasher.stop()
            store.close()

    app = FastAPI(
        title="vidsleuth",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads scripts from a CDN; the spec is at /api/openapi.json
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        version=__version__,
        auth=bool(settings.token),
        max_upload_mb=settings.max_upload_bytes // (1024 * 1024),
        max_upload_bytes=settings.max_upload_bytes,
        max_duration_s=int(settings.max_duration_s),
        allow_urls=settings.allow_urls,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.pool = pool
    app.state.hash_service = hasher
    app.state.bank_matcher = routes_hash.BankMatcher()
    app.state.templates = Jinja2Templates(env=env)

    install_error_handlers(app)

    async def to_login(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequiredError)
        return RedirectResponse(f"/login?next={urllib.parse.quote(exc.next_path)}", status_code=303)

    app.add_exception_handler(LoginRequiredError, to_login)
    app.add_middleware(SecurityMiddleware, settings=settings)
    app.include_router(routes_api.public)
    app.include_router(routes_api.router)
    app.include_router(routes_hash.router)
    app.include_router(routes_web.login_router)
    app.include_router(routes_web.router)
    app.mount("/static", _Static(directory=HERE / "static"), name="static")
    return app
