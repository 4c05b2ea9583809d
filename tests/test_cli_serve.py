"""`vidsleuth serve`: option checks, one-line errors and exit codes; uvicorn itself is replaced by a
stand-in here (the browser test starts a real server)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from vidsleuth.cli import exitcodes
from vidsleuth.cli.serve import serve

TOKEN = "serve-token-0123456789abcdef"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    pytest.importorskip("uvicorn")
    import uvicorn

    calls: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serves_on_loopback_without_a_token(started: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        serve, ["--data-dir", str(tmp_path / "d"), "--port", "8123", "--workers", "1"]
    )
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)
    assert started["app"].state.settings.workers == 1
    assert "auth: off (loopback only)" in result.output
    assert (tmp_path / "d" / "uploads").is_dir()


def test_refuses_a_public_bind_without_a_token(started: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        serve, ["--host", "0.0.0.0", "--data-dir", str(tmp_path)], env={"VIDSLEUTH_TOKEN": ""}
    )
    assert result.exit_code == exitcodes.USAGE
    assert result.output.startswith("error: refusing to serve on 0.0.0.0 without a bearer token")
    assert result.output.count("\n") == 1
    assert not started


def test_token_comes_from_the_environment(started: dict[str, Any], tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        serve, ["--host", "0.0.0.0", "--data-dir", str(tmp_path)], env={"VIDSLEUTH_TOKEN": TOKEN}
    )
    assert ok.exit_code == 0, ok.output
    assert started["app"].state.settings.token == TOKEN
    assert TOKEN not in ok.output
    short = runner.invoke(
        serve, ["--token-env", "MY_TOKEN", "--data-dir", str(tmp_path)], env={"MY_TOKEN": "abc"}
    )
    assert short.exit_code == exitcodes.USAGE and "at least 16" in short.output


def test_names_the_extra_when_the_web_stack_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(serve, ["--data-dir", str(tmp_path)])
    assert result.exit_code == exitcodes.USAGE
    assert "pip install 'vidsleuth[web]'" in result.output


def test_bad_options(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(serve, ["--port", "0"]).exit_code == exitcodes.USAGE
    missing = runner.invoke(
        serve, ["--data-dir", str(tmp_path), "--trust-anchors", str(tmp_path / "none.pem")]
    )
    assert missing.exit_code == exitcodes.USAGE and "no such file" in missing.output
