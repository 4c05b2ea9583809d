"""Fetch a video from a URL without letting the URL reach the server's own network (SSRF).

Before anything is fetched the host is resolved and *every* address it resolves to must be public:
loopback, private, link-local (169.254.169.254, the cloud metadata service), multicast, reserved,
unspecified and shared (CGNAT) addresses are refused, for IPv4, IPv6 and IPv4-mapped IPv6 alike. The
connection then goes to the address that was checked (not to a second lookup, which DNS rebinding
could answer differently), with TLS verified against the host name. Redirects are followed by hand, at
most `MAX_REDIRECTS`, and each target is checked the same way. Bodies are streamed to disk with a size
cap, and every network operation has a timeout. The whole download (redirects, connections, TLS
handshakes, headers and body) also has a wall-clock deadline: per-operation timeouts alone let a server
that trickles a byte a second hold a download for ever, so at the deadline a timer shuts the download's
sockets down, which ends a blocked read at once. Only the standard library is used, so proxies set in
the environment are ignored on purpose. Name resolution (getaddrinfo) cannot be interrupted; it is
bounded by the system resolver's own timeouts.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vidsleuth._version import __version__
from vidsleuth.errors import InputError

MAX_REDIRECTS = 5
MAX_URL_LENGTH = 2048
_CHUNK = 256 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefusedError(InputError):
    """The URL is not one the server will fetch (scheme, credentials, or a non-public address)."""


class FetchError(InputError):
    """The URL could not be fetched (network error, HTTP error, too large, not a video)."""


class NotAVideoPageError(FetchError):
    """The URL answered with a web page; a post URL needs the optional downloader (yt-dlp)."""


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses `host` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r} ({exc})") from None
    return sorted({str(info[4][0]) for info in infos})


def refusal_reason(address: str) -> str | None:
    """Why the server must not connect to `address`, or None when it is a public address."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_unspecified, "unspecified"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
    )
    for hit, why in checks:
        if hit:
            return why
    if not ip.is_global:
        return "not globally routable"
    return None


def _within(address: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.version == network.version and ip in network


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    url: str
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]  # every address the host resolved to, all checked


def check_url(url: str, *, resolver: Resolver = system_resolver, exempt: Sequence[str] = ()) -> CheckedUrl:
    """Parse, resolve and check `url`. Raises UrlRefusedError or FetchError; fetches nothing.

    `exempt` lists networks (CIDR) that may be reached although they are not public: for tests on
    loopback, or a deliberately configured internal source. Empty by default.
    """
    text = url.strip()
    if len(text) > MAX_URL_LENGTH:
        raise UrlRefusedError(
            f"the URL is {len(text)} characters long; at most {MAX_URL_LENGTH} are accepted"
        )
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        raise UrlRefusedError("the URL contains spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UrlRefusedError(f"the URL is malformed ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlRefusedError(
            f"only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}"
        )
    if parts.username is not None or parts.password is not None:
        raise UrlRefusedError("URLs with a user name or password are not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlRefusedError("the URL has no host")
    port = port or (443 if scheme == "https" else 80)
    addresses = tuple(resolver(host, port))
    if not addresses:
        raise FetchError(f"host {host!r} resolved to no address")
    networks = [ipaddress.ip_network(n, strict=False) for n in exempt]
    for address in addresses:
        why = refusal_reason(address)
        if why is not None and not any(_within(address, n) for n in networks):
            raise UrlRefusedError(
                f"refusing to fetch from {host}: it resolves to {address}, a {why} address; "
                "only public internet addresses are fetched"
            )
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return CheckedUrl(text, scheme, host, port, target, addresses)


class _Deadline:
    """A wall-clock limit on a whole download.

    Socket timeouts bound each wait, not their sum: a server that sends a byte a second never trips a
    60 s read timeout. When the deadline passes, a timer thread shuts down every socket the download
    opened; a blocked connect, handshake or read then returns at once, and `expired` says why."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def timeout(self, per_operation: float) -> float:
        """The timeout for the next operation: the per-operation one, or less when the deadline is near."""
        return max(0.01, min(per_operation, self.end - time.monotonic()))

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.end

    def error(self, size: int = 0) -> FetchError:
        stopped = f" (stopped after {size:,} bytes)" if size else ""
        return FetchError(f"the download took longer than its {self.seconds:.0f} s limit{stopped}")

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    """Shut a socket down from another thread. The plain socket call, also for a TLS socket: it wakes a
    blocked read without touching the TLS state the reading thread is using."""
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, whatever a new lookup of the host would say."""

    def __init__(self, host: str, port: int, address: str, timeout: float, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._deadline = deadline

    def _raw_connect(self) -> socket.socket:
        assert isinstance(self.timeout, float | int)
        sock = socket.create_connection((self._address, self.port), self._deadline.timeout(self.timeout))
        sock.settimeout(self.timeout)
        self._deadline.watch(sock)
        return sock

    def connect(self) -> None:
        self.sock = self._raw_connect()


class _PinnedHTTPS(_PinnedHTTP):
    def __init__(self, host: str, port: int, address: str, timeout: float, deadline: _Deadline) -> None:
        super().__init__(host, port, address, timeout, deadline)
        self._tls = ssl.create_default_context()

    def connect(self) -> None:
        raw = self._raw_connect()
        try:
            tls = self._tls.wrap_socket(raw, server_hostname=self.host, do_handshake_on_connect=False)
        except BaseException:
            raw.close()
            raise
        self._deadline.watch(tls)  # the TLS socket now owns the connection: watched before the handshake
        try:
            tls.do_handshake()
        except BaseException:
            tls.close()  # not yet the connection's socket: close() of the connection would not see it
            raise
        self.sock = tls


@dataclass(frozen=True, slots=True)
class Fetched:
    final_url: str
    size_bytes: int
    sha256: str
    content_type: str
    filename: str  # a name suggested by the URL path or Content-Disposition (unsanitised)


def _open(
    checked: CheckedUrl, timeout: float, headers: Mapping[str, str], deadline: _Deadline
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    """Send the GET to the first checked address that accepts a connection."""
    conn_cls = _PinnedHTTPS if checked.scheme == "https" else _PinnedHTTP
    request_headers = {
        "User-Agent": f"vidsleuth/{__version__} (video verification)",
        "Accept": "video/*, application/octet-stream;q=0.9, */*;q=0.5",
        **headers,
    }
    problem: Exception | None = None
    for address in checked.addresses:
        if deadline.passed():
            raise deadline.error()
        conn = conn_cls(checked.host, checked.port, address, timeout, deadline)
        try:
            conn.request("GET", checked.target, headers=request_headers)
            return conn, conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:  # ssl.SSLError is an OSError
            conn.close()
            if deadline.passed():
                raise deadline.error() from None
            problem = exc
    raise FetchError(f"cannot fetch from {checked.host}: {problem}")


def _suggested_name(url: str, disposition: str | None) -> str:
    if disposition:
        for part in disposition.split(";"):
            key, _, value = part.strip().partition("=")
            if key.lower() == "filename" and value:
                return value.strip().strip('"')
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1])
    return name or "download"


def fetch_to_file(
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    timeout: float = 60.0,
    exempt: Sequence[str] = (),
    resolver: Resolver = system_resolver,
    headers: Mapping[str, str] | None = None,
    accept_html: bool = False,
    deadline_s: float | None = None,
) -> Fetched:
    """Download `url` into `dest` (created; removed again on failure) and return what was fetched.

    `timeout` bounds each network operation; `deadline_s` (default: four timeouts, at least 30 s) the
    whole download, redirects included, however slowly the server sends.

    Raises UrlRefusedError before connecting anywhere that is not public, NotAVideoPageError when the
    answer is a web page (unless `accept_html`), and FetchError for every other problem, in one line.
    """
    deadline = _Deadline(deadline_s if deadline_s is not None else default_deadline(timeout))
    try:
        return _fetch(url, dest, max_bytes, timeout, exempt, resolver, headers or {}, accept_html, deadline)
    finally:
        deadline.cancel()


def default_deadline(timeout: float) -> float:
    """The wall-clock limit of a whole download whose operations each time out after `timeout`."""
    return max(timeout * 4, 30.0)


def _fetch(
    url: str,
    dest: Path,
    max_bytes: int,
    timeout: float,
    exempt: Sequence[str],
    resolver: Resolver,
    headers: Mapping[str, str],
    accept_html: bool,
    deadline: _Deadline,
) -> Fetched:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        checked = check_url(current, resolver=resolver, exempt=exempt)
        conn, response = _open(checked, timeout, headers, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{checked.host} answered a redirect without a Location")
                current = urllib.parse.urljoin(current, location)
                continue
            if response.status != 200:
                raise FetchError(f"{checked.host} answered HTTP {response.status} {response.reason}")
            ctype = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if ctype in _HTML_TYPES and not accept_html:
                raise NotAVideoPageError(f"{checked.host} answered with a web page, not a video file")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(_too_large(int(declared), max_bytes))
            size, digest = _stream(response, dest, max_bytes, deadline)
            name = _suggested_name(current, response.getheader("Content-Disposition"))
            return Fetched(current, size, digest, ctype, name)
        finally:
            response.close()
            conn.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects; giving up")


def _too_large(size: int, limit: int) -> str:
    return f"the file at this URL is larger than the limit ({size:,} > {limit:,} bytes)"


def _stream(
    response: http.client.HTTPResponse, dest: Path, max_bytes: int, deadline: _Deadline
) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    ok = False
    try:
        with os.fdopen(fd, "wb") as fh:
            while True:
                try:
                    # read1: what one receive brings, so that the deadline is looked at after each
                    chunk = response.read1(_CHUNK)
                except (OSError, http.client.HTTPException) as exc:
                    if deadline.passed():
                        raise deadline.error(size) from None
                    raise FetchError(f"the download broke off after {size:,} bytes ({exc})") from None
                if deadline.passed():  # a read the deadline's shutdown ended looks like the end
                    raise deadline.error(size + len(chunk))
                if not chunk:
                    if response.length:  # read1 ends quietly where read() would say IncompleteRead
                        raise FetchError(
                            f"the download broke off after {size:,} bytes ({response.length:,} missing)"
                        )
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(_too_large(size, max_bytes))
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise FetchError("the URL answered with an empty body")
        ok = True
        return size, digest.hexdigest()
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                dest.unlink()
