"""URL submissions and server-side request forgery: every address a host resolves to must be public,
before anything is fetched and again on every redirect. No test touches the network: fetches go to a
server on loopback (allowed through `exempt` only where a test says so), and name lookups that must
not happen are answered by a fake resolver."""

from __future__ import annotations

import contextlib
import dataclasses
import http.server
import socket
import sys
import threading
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from tests import media_factory as mf
from tests.web_support import make_settings
from vidsleuth.core.settings import Settings
from vidsleuth.web import create_app
from vidsleuth.web.downloader import DOWNLOAD_EXTRA, resolve_post
from vidsleuth.web.urlfetch import (
    FetchError,
    NotAVideoPageError,
    UrlRefusedError,
    check_url,
    fetch_to_file,
    refusal_reason,
)
from vidsleuth.web.worker import Job, run_job

LOOPBACK = ("127.0.0.0/8",)


class _Handler(http.server.BaseHTTPRequestHandler):
    video: ClassVar[bytes] = b""
    hits: ClassVar[list[str]] = []

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.hits.append(self.path)
        port = cast(http.server.HTTPServer, self.server).server_port
        routes = {
            "/redirect-metadata": "http://169.254.169.254/latest/meta-data/",
            "/redirect-private": "http://10.1.2.3/clip.mp4",
            "/redirect-ok": f"http://127.0.0.1:{port}/clip.mp4",
            "/redirect-loop": "/redirect-loop",
        }
        if self.path in routes:
            self.send_response(302)
            self.send_header("Location", routes[self.path])
            self.end_headers()
        elif self.path == "/clip.mp4":
            self._send(200, "video/mp4", self.video)
        elif self.path == "/post":
            self._send(200, "text/html; charset=utf-8", b"<html><body>a post</body></html>")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
        elif self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"\0" * 65536)
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _Handler.video = mf.write_video(
        tmp_path_factory.mktemp("srv") / "clip.mp4", [mf.Scene(1.0, 3)], size=(64, 48)
    ).read_bytes()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fake_resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        return table[host]

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.mp4",
        "http://127.1/x.mp4",
        "http://2130706433/x.mp4",
        "http://localhost:8000/x.mp4",
        "http://10.0.0.8/x.mp4",
        "http://172.16.5.4/x.mp4",
        "http://192.168.1.1/x.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.mp4",
        "http://[::ffff:127.0.0.1]/x.mp4",
        "http://[fe80::1]/x.mp4",
        "http://[fd00::1]/x.mp4",
        "http://0.0.0.0/x.mp4",
        "http://100.64.0.1/x.mp4",
        "http://224.0.0.1/x.mp4",
    ],
)
def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(UrlRefusedError, match="only public internet addresses"):
        check_url(url)


def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    resolver = fake_resolver(
        {"rebind.example": ["93.184.216.34", "127.0.0.1"], "ok.example": ["93.184.216.34"]}
    )
    with pytest.raises(UrlRefusedError, match=r"rebind\.example: it resolves to 127\.0\.0\.1, a loopback"):
        check_url("https://rebind.example/clip.mp4", resolver=resolver)
    checked = check_url("https://ok.example/a/clip.mp4?x=1", resolver=resolver)
    assert (checked.host, checked.port, checked.target) == ("ok.example", 443, "/a/clip.mp4?x=1")


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.org/x", "only http and https"),
        ("gopher://example.org/", "only http and https"),
        ("example.org/clip.mp4", "without a scheme"),
        ("http://user:pw@example.org/x", "user name or password"),
        ("http:///x", "no host"),
        ("http://exa mple.org/", "spaces or control"),
        ("http://example.org:99999/", "malformed"),
    ],
)
def test_malformed_or_unsupported_urls(url: str, match: str) -> None:
    with pytest.raises(UrlRefusedError, match=match):
        check_url(url, resolver=fake_resolver({"example.org": ["93.184.216.34"]}))


def test_refusal_reasons() -> None:
    assert refusal_reason("93.184.216.34") is None
    assert refusal_reason("2606:2800:220:1::1") is None
    assert refusal_reason("169.254.169.254") == "link-local"
    assert refusal_reason("::ffff:10.0.0.1") == "private"


def test_fetch_from_loopback_only_when_exempt(server: str, tmp_path: Path) -> None:
    before = len(_Handler.hits)
    with pytest.raises(UrlRefusedError):
        fetch_to_file(f"{server}/clip.mp4", tmp_path / "a", max_bytes=10**7)
    assert len(_Handler.hits) == before  # refused before connecting
    got = fetch_to_file(f"{server}/redirect-ok", tmp_path / "b", max_bytes=10**7, exempt=LOOPBACK)
    assert got.size_bytes == len(_Handler.video) and got.filename == "clip.mp4"
    assert (tmp_path / "b").read_bytes() == _Handler.video


@pytest.mark.parametrize("path", ["/redirect-metadata", "/redirect-private"])
def test_redirects_are_checked_again(server: str, tmp_path: Path, path: str) -> None:
    with pytest.raises(UrlRefusedError):
        fetch_to_file(f"{server}{path}", tmp_path / "x", max_bytes=10**7, exempt=LOOPBACK)
    assert not (tmp_path / "x").exists()


def test_fetch_limits(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_to_file(f"{server}/redirect-loop", tmp_path / "l", max_bytes=10**7, exempt=LOOPBACK)
    with pytest.raises(FetchError, match="larger than the limit"):
        fetch_to_file(f"{server}/huge", tmp_path / "h", max_bytes=10**6, exempt=LOOPBACK)
    with pytest.raises(FetchError, match="larger than the limit"):
        fetch_to_file(f"{server}/endless", tmp_path / "e", max_bytes=10**6, exempt=LOOPBACK)
    assert not (tmp_path / "e").exists()
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_to_file(f"{server}/missing", tmp_path / "m", max_bytes=10**6, exempt=LOOPBACK)
    with pytest.raises(NotAVideoPageError):
        fetch_to_file(f"{server}/post", tmp_path / "p", max_bytes=10**6, exempt=LOOPBACK)


def test_post_urls_need_the_downloader(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yt_dlp", None)  # as if not installed
    with pytest.raises(FetchError, match=r"pip install 'vidsleuth\[download\]'"):
        resolve_post(f"{server}/post", exempt=LOOPBACK)
    assert DOWNLOAD_EXTRA == "vidsleuth[download]"


def test_post_urls_with_a_downloader(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeYDL:
        def __init__(self, options: dict[str, Any]) -> None:
            assert options["skip_download"] is True

        def __enter__(self) -> FakeYDL:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def extract_info(self, url: str, download: bool) -> dict[str, Any]:
            assert not download
            return {
                "title": "A post",
                "ext": "mp4",
                "url": f"{server}/clip.mp4",
                "http_headers": {"Cookie": "x"},
            }

    monkeypatch.setitem(sys.modules, "yt_dlp", types.SimpleNamespace(YoutubeDL=FakeYDL))
    link = resolve_post(f"{server}/post", exempt=LOOPBACK)
    assert link.url.endswith("/clip.mp4") and link.title == "A post" and "Cookie" not in link.headers


def test_worker_fetches_then_analyses(server: str, tmp_path: Path) -> None:
    """The worker's URL path end to end, in this process: fetch over loopback, then analyse."""
    sent: list[tuple[Any, ...]] = []
    job = Job(
        case_id="c1",
        display_name="127.0.0.1",
        settings=Settings(),
        max_duration_s=60,
        url=f"{server}/clip.mp4",
        fetch_dir=str(tmp_path),
        max_bytes=10**7,
        url_exempt_networks=LOOPBACK,
    )
    run_job(job, sent.append)
    kinds = [m[0] for m in sent]
    assert kinds[0] == "progress" and "fetched" in kinds and kinds[-1] == "done", sent[-1][:4]
    fetched = next(m for m in sent if m[0] == "fetched")[2]
    assert fetched["display_name"] == "clip.mp4" and fetched["size"] == len(_Handler.video)
    assert sent[-1][2]["source"]["name"] == "clip.mp4"

    refused: list[tuple[Any, ...]] = []
    run_job(dataclasses.replace(job, url_exempt_networks=()), refused.append)
    assert refused[-1][:3] == ("failed", "c1", "url_refused")


def test_api_refuses_private_urls_before_fetching(tmp_path: Path, server: str) -> None:
    client = TestClient(create_app(make_settings(tmp_path)))  # no lifespan: nothing would run anyway
    before = len(_Handler.hits)
    port = server.rsplit(":", 1)[1]
    for url in (
        f"http://127.0.0.1:{port}/clip.mp4",
        f"http://localhost:{port}/clip.mp4",
        "http://10.20.30.40/clip.mp4",
        "http://169.254.169.254/latest/meta-data/iam/",
        f"http://[::1]:{port}/clip.mp4",
        "file:///etc/passwd",
    ):
        answer = client.post("/api/cases", json={"url": url})
        assert answer.status_code == 422, (url, answer.text)
        assert answer.json()["error"]["code"] == "url_refused", url
    assert len(_Handler.hits) == before
    assert client.get("/api/cases").json()["total"] == 0  # no case was created
    disabled = TestClient(create_app(make_settings(tmp_path / "b", allow_urls=False)))
    assert disabled.post("/api/cases", json={"url": "https://example.org/x.mp4"}).json()["error"]["code"] == (
        "urls_disabled"
    )


class _Trickle:
    """A loopback server that answers one request per connection, slowly: `head` is sent one byte every
    `interval` seconds, then `body_bytes` more the same way, for at most `give_up` seconds (so a
    regression hangs a test for a bounded time, not for ever)."""

    def __init__(self, head: bytes, body_bytes: int, interval: float = 0.1, give_up: float = 20.0) -> None:
        self.head, self.body_bytes, self.interval, self.give_up = head, body_bytes, interval, give_up
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self.listener.accept()
            with conn:
                conn.recv(65536)
                end = time.monotonic() + self.give_up
                for byte in [self.head[k : k + 1] for k in range(len(self.head))] + [b"\0"] * self.body_bytes:
                    if time.monotonic() > end:
                        return
                    conn.sendall(byte)
                    time.sleep(self.interval)

    def close(self) -> None:
        self.listener.close()
        self.thread.join(25)


@pytest.mark.parametrize(
    ("scheme", "head"),
    [
        ("http", b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 1000000\r\n\r\n"),
        ("http", b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 1000),  # headers that never end
        ("https", b"\x16\x03\x03\x40\x00"),  # a TLS handshake record of 16 kB, sent a byte at a time
    ],
    ids=["body", "headers", "tls-handshake"],
)
def test_the_download_deadline_holds_while_a_read_is_blocked(
    scheme: str, head: bytes, tmp_path: Path
) -> None:
    """Issue #11: a server trickling a byte at a time kept a 30 s deadline waiting for 75 s, because each
    read waited for a full buffer and every byte came within the socket timeout."""
    trickle = _Trickle(head, body_bytes=10_000)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"took longer than its 2 s limit"):
            fetch_to_file(
                f"{scheme}://127.0.0.1:{trickle.port}/slow.mp4",
                tmp_path / "slow",
                max_bytes=10**7,
                timeout=5.0,  # every byte comes well within it: only the deadline can end this
                deadline_s=2.0,
                exempt=LOOPBACK,
            )
        elapsed = time.monotonic() - started
    finally:
        trickle.close()
    assert 1.9 < elapsed < 3.5, elapsed
    assert not (tmp_path / "slow").exists()  # nothing half-downloaded is left


def test_a_body_shorter_than_its_length_is_a_failed_download(tmp_path: Path) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n"
    short = _Trickle(head, body_bytes=20, interval=0.0)
    try:
        with pytest.raises(FetchError, match="broke off after 20 bytes"):
            fetch_to_file(
                f"http://127.0.0.1:{short.port}/short.mp4", tmp_path / "s", max_bytes=10**7, exempt=LOOPBACK
            )
    finally:
        short.close()
    assert not (tmp_path / "s").exists()
