"""One error shape for every endpoint: ``{"error": {"code": "...", "message": "..."}}``.

`ApiError` is what route code raises on purpose. The handlers installed by `install_error_handlers`
turn it, FastAPI's validation errors, Starlette's 404/405 and any unexpected exception into that one
shape, with a stable machine-readable `code` and a one-line human `message`. Browser pages (paths
outside /api that accept HTML) get the same code and message as a small HTML page instead.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

_STATUS_CODES: Mapping[int, tuple[str, str]] = {
    400: ("bad_request", "the request could not be understood"),
    401: ("unauthorized", "a valid bearer token is required"),
    403: ("forbidden", "this request is not allowed"),
    404: ("not_found", "there is nothing at this address"),
    405: ("method_not_allowed", "this address does not accept that method"),
    413: ("too_large", "the request body is too large"),
    415: ("unsupported_media_type", "this content type is not accepted here"),
    422: ("invalid_request", "the request is not valid"),
    503: ("unavailable", "the server cannot take this request now; try again later"),
}


class ApiError(Exception):
    """An error a route raises on purpose: HTTP status, stable code, one-line message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        details: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.details = list(details or [])


def error_body(code: str, message: str, details: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = [dict(d) for d in details]
    return {"error": error}


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/") or request.url.path == "/api":
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    details: Sequence[Mapping[str, Any]] = (),
) -> Response:
    """The error as JSON, or as an HTML page for a browser on a page route."""
    if _wants_html(request):
        templates = getattr(request.app.state, "templates", None)
        if templates is not None:
            response: Response = templates.TemplateResponse(
                request,
                "error.html.j2",
                {"status": status, "code": code, "message": message},
                status_code=status,
                headers=dict(headers or {}),
            )
            return response
        return HTMLResponse(f"<p>{status}: {code}</p>", status_code=status, headers=dict(headers or {}))
    return JSONResponse(error_body(code, message, details), status_code=status, headers=dict(headers or {}))


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Where and what, without echoing the submitted values back."""
    out = []
    for err in exc.errors()[:20]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        out.append({"field": ".".join(loc) or "body", "problem": str(err.get("msg", "invalid"))})
    return out


async def _on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(
        request, exc.status, exc.code, exc.message, headers=exc.headers, details=exc.details
    )


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, default = _STATUS_CODES.get(exc.status_code, ("http_error", "the request failed"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else default
    if exc.status_code in (404, 405):  # Starlette's own texts ("Not Found") say less than ours
        detail = default
    return error_response(request, exc.status_code, code, detail, headers=exc.headers)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = _validation_details(exc)
    first = details[0] if details else {"field": "body", "problem": "invalid"}
    message = f"{first['field']}: {first['problem']}"
    if len(details) > 1:
        message += f" (and {len(details) - 1} more problem{'s' if len(details) > 2 else ''})"
    return error_response(request, 422, "invalid_request", message, details=details)


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    reference = secrets.token_hex(4)
    log.error(
        "internal error %s on %s %s: %s: %s",
        reference,
        request.method,
        request.url.path,
        type(exc).__name__,
        exc,
        exc_info=exc,
    )
    return error_response(
        request,
        500,
        "internal_error",
        f"an unexpected error occurred; the server logged it with reference {reference}",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(Exception, _on_unexpected)
