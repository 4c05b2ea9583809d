"""Who may call, from where, and the headers every answer carries.

- Bearer-token auth (`Authorization: Bearer <token>`) when the server has a token; browsers sign in
  once on /login and then carry an HttpOnly, SameSite=Strict cookie derived from the token (an HMAC,
  so the token itself is never stored in the browser). Without a token the server only binds
  loopback (`ServerSettings.validate`).
- Host check: without a token, only loopback host names are answered, which defeats DNS rebinding (a
  web page whose name resolves to 127.0.0.1 reading local cases).
- Origin check: a state-changing request that carries a foreign `Origin` is refused, so another site
  open in the analyst's browser cannot submit, annotate or sign in its name (CSRF). Without `Origin`,
  `Sec-Fetch-Site: cross-site`/`same-site` or a `Referer` from another host refuses it too.
- Security headers on every response: a strict Content-Security-Policy (no inline script, nothing
  from other origins), nosniff, no referrer sent to other sites, no framing except the report view by
  its own page.
"""

from __future__ import annotations

import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vidsleuth.web.errors import ApiError, error_body
from vidsleuth.web.settings import ServerSettings, is_loopback_host

SESSION_COOKIE = "vidsleuth_session"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The embedded report: its own inline styles and data: images, nothing else, in a sandbox.
REPORT_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'; sandbox"
)
DEFAULT_HEADERS: Mapping[str, str] = {
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # never to other sites; same-origin keeps form posts' Origin
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cache-control": "no-store",
}
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequiredError(Exception):
    """A browser asked for a page without a session: send it to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"vidsleuth-session-v1", hashlib.sha256).hexdigest()


def token_matches(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


def is_authorized(request: Request) -> bool:
    settings: ServerSettings = request.app.state.settings
    if not settings.token:
        return True
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token_matches(value.strip(), settings.token):
        return True
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie, session_value(settings.token))


async def require_api_auth(request: Request) -> None:
    if not is_authorized(request):
        raise ApiError(
            401,
            "unauthorized",
            "a valid bearer token is required: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": 'Bearer realm="vidsleuth"'},
        )


async def require_page_auth(request: Request) -> None:
    if is_authorized(request):
        return
    if request.method == "GET":
        raise LoginRequiredError(request.url.path)
    raise ApiError(401, "unauthorized", "your session has ended; sign in again")


def _host_allowed(host_header: str, settings: ServerSettings) -> bool:
    host = urllib.parse.urlsplit(f"//{host_header}").hostname or ""
    if host in settings.allowed_hosts or host == settings.host.strip("[]").lower():
        return True
    if settings.token and not settings.allowed_hosts:
        return True  # with a token, any name the operator points at the server is fine
    return is_loopback_host(host)


# Sec-Fetch-Site values that mean another origin sent the request ("same-site" is another origin on the
# same registrable domain, e.g. a sibling subdomain: refused as the Origin check refuses it).
_FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})


def _cross_site(headers: Mapping[str, str], host: str) -> bool:
    """Whether a state-changing request comes from another web site (CSRF).

    `Origin` decides when it is there. Some requests carry none (older browsers, some form posts and
    redirects): then a browser's `Sec-Fetch-Site` naming another site, or a `Referer` from another
    host, refuses it. A request with none of the three (curl, scripts, API clients) is not a
    browser acting for a visited page, and is judged by the token alone."""
    if "origin" in headers:
        origin = headers["origin"]
        return origin == "null" or urllib.parse.urlsplit(origin).netloc.lower() != host.lower()
    if headers.get("sec-fetch-site", "").strip().lower() in _FOREIGN_FETCH_SITES:
        return True
    referer = headers.get("referer", "").strip()
    if referer:
        try:
            netloc = urllib.parse.urlsplit(referer).netloc
        except ValueError:
            return True
        return netloc.lower() != host.lower()
    return False


class SecurityMiddleware:
    """Host and Origin checks before routing; default security headers on every response."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        refusal: tuple[int, str, str] | None = None
        if not _host_allowed(host, self.settings):
            refusal = (
                400,
                "host_not_allowed",
                "this server answers only to its own host names (DNS-rebinding protection); "
                "the operator can add one with --allowed-host",
            )
        elif scope["method"] in _UNSAFE_METHODS and _cross_site(headers, host):
            refusal = (403, "cross_origin", "requests from other web sites are not accepted")
        if refusal is not None:
            response = JSONResponse(error_body(refusal[1], refusal[2]), status_code=refusal[0])
            await response(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    @staticmethod
    def _with_headers(send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {k.decode("latin-1").lower() for k, _ in raw}
                for name, value in DEFAULT_HEADERS.items():
                    if name not in present:
                        raw.append((name.encode("latin-1"), value.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        return send_with_headers
