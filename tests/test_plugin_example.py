"""The example plugin (examples/vidsleuth-luma), installed through its entry point: vidsleuth lists it,
runs it in every check, takes its options, and the reports show its own section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import media_factory as mf
from tests.plugin_support import luma_installed
from vidsleuth.cli.main import main
from vidsleuth.core.result import Status
from vidsleuth.core.settings import Settings
from vidsleuth.errors import ConfigError
from vidsleuth.pipeline import analyze
from vidsleuth.registry import default_registry
from vidsleuth.report import render


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plugin")
    return mf.fade_through_black(folder / "fade.mp4")


def test_the_plugin_is_found_run_and_shown(clip: Path, tmp_path: Path) -> None:
    with luma_installed(tmp_path / "site"):
        registry = default_registry()
        assert "luma" in registry and not registry.broken
        report = analyze(clip, Settings(only=("luma",)), registry=registry)
        result = report.result("luma")
        assert result is not None and result.status is Status.OK
        share = result.metrics["black_share"]
        assert 0.0 < share < 1.0  # the clip fades through black in its middle
        html = render(report, "html")
        assert '<section id="luma">' in html and "Brightness" in html and "mini" in html
        assert "## Brightness" in render(report, "md")


def test_the_plugin_appears_in_the_cli_with_its_options(clip: Path, tmp_path: Path) -> None:
    with luma_installed(tmp_path / "site"):
        listed = CliRunner().invoke(main, ["signals", "--json"])
        rows = {r["name"]: r for r in json.loads(listed.output)}
        assert "luma" in rows and {o["name"] for o in rows["luma"]["options"]} == {"black_level", "fps"}
        ok = CliRunner().invoke(
            main, ["check", str(clip), "--only", "luma", "--option", "luma.black_level=200", "--json", "-q"]
        )
        assert ok.exit_code == 0, ok.output
        got = next(r for r in json.loads(ok.output)["results"] if r["signal"] == "luma")
        assert got["metrics"]["black_level"] == 200.0 and got["metrics"]["black_share"] > 0.9
        bad = CliRunner().invoke(main, ["check", str(clip), "--option", "luma.black_level=999", "-q"])
        assert bad.exit_code == 2 and bad.output.count("\n") == 1 and "luma.black_level" in bad.output


def test_plugin_options_are_checked_like_built_in_ones(clip: Path, tmp_path: Path) -> None:
    with luma_installed(tmp_path / "site"):
        registry = default_registry()
        with pytest.raises(ConfigError, match="unknown option"):
            analyze(clip, Settings(options={"luma": {"colour": "red"}}), registry=registry)
