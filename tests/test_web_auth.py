"""Bearer-token auth: optional on loopback, required elsewhere; browsers sign in once with a cookie.

These apps are used without TestClient's context manager, so the lifespan (and the worker pool) never
starts: nothing here needs an analysis to run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from tests.web_support import make_settings
from vidsleuth.errors import ConfigError
from vidsleuth.web import ServerSettings, create_app
from vidsleuth.web.security import SESSION_COOKIE

TOKEN = "test-token-0123456789abcdef"


@pytest.fixture
def secured(tmp_path: Path) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path, token=TOKEN)), follow_redirects=False)


def test_no_token_means_open_on_loopback(tmp_path: Path) -> None:
    client = TestClient(create_app(make_settings(tmp_path)))
    assert client.get("/api/cases").status_code == 200
    assert client.get("/").status_code == 200


def test_api_needs_the_token(secured: TestClient) -> None:
    missing = secured.get("/api/cases")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = secured.get("/api/cases", headers={"Authorization": "Bearer " + TOKEN[:-1] + "X"})
    assert wrong.status_code == 401
    basic = secured.get("/api/cases", headers={"Authorization": "Basic " + TOKEN})
    assert basic.status_code == 401
    ok = secured.get("/api/cases", headers={"Authorization": f"Bearer {TOKEN}"})
    assert ok.status_code == 200
    assert (
        secured.post("/api/cases/" + "0" * 32 + "/notes", json={"author": "a", "text": "b"}).status_code
        == 401
    )
    assert secured.get("/api/openapi.json").status_code == 200  # the description is public
    assert secured.get("/api/health").status_code == 200  # for load balancers; says nothing about cases


def test_pages_redirect_to_sign_in_and_cookie_works(secured: TestClient) -> None:
    page = secured.get("/cases")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/cases"
    assert secured.get("/login").status_code == 200
    refused = secured.post("/login", data={"token": "nope", "next": "/cases"})
    assert refused.status_code == 401
    assert "not right" in refused.text
    signed_in = secured.post("/login", data={"token": TOKEN, "next": "/cases"})
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/cases"
    cookie = signed_in.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert TOKEN not in cookie  # an HMAC of the token, never the token
    assert secured.get("/cases").status_code == 200
    assert secured.get("/api/cases").status_code == 200  # the page's own fetches use the cookie
    secured.post("/logout")
    assert secured.get("/cases").status_code == 303


def test_sign_in_never_redirects_off_site(secured: TestClient) -> None:
    for target in ("https://attacker.example/", "//attacker.example/", "/\\attacker.example"):
        answer = secured.post("/login", data={"token": TOKEN, "next": target})
        assert answer.headers["location"] == "/"


def test_non_loopback_bind_requires_a_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="without a bearer token"):
        create_app(ServerSettings(data_dir=tmp_path, host="0.0.0.0"))
    with pytest.raises(ConfigError, match="at least 16"):
        ServerSettings(data_dir=tmp_path, host="0.0.0.0", token="short").validate()
    ServerSettings(data_dir=tmp_path, host="0.0.0.0", token=TOKEN).validate()
    for loopback in ("127.0.0.1", "localhost", "::1", "[::1]", "127.8.9.10"):
        ServerSettings(data_dir=tmp_path, host=loopback).validate()


def test_with_a_token_any_host_name_is_answered(tmp_path: Path) -> None:
    client = TestClient(create_app(make_settings(tmp_path, token=TOKEN, host="0.0.0.0", allowed_hosts=())))
    answer = client.get(
        "/api/cases", headers={"Authorization": f"Bearer {TOKEN}", "Host": "vidsleuth.newsroom.example"}
    )
    assert answer.status_code == 200
