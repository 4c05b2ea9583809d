"""The `vidsleuth` command as a user runs it: verdicts, reports, JSON, exit codes and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import media_factory as mf
from tests.conftest import corpus_path
from vidsleuth.cli import exitcodes
from vidsleuth.cli.main import main

VIDSLEUTH = [sys.executable, "-m", "vidsleuth"]


@pytest.fixture(scope="module")
def stitched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mf.stitched_4s_10s(tmp_path_factory.mktemp("cli") / "stitched.mp4")


def cli(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [*VIDSLEUTH, *args], input=stdin, capture_output=True, timeout=120, cwd=cwd, env=env, check=False
    )


def test_check_prints_a_verdict_and_writes_an_html_report(stitched: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["check", str(stitched), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "stitched.mp4:" in result.output
    assert "confidence:" in result.output
    html = out.read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert "stitched.mp4" in html


@pytest.mark.parametrize("fmt", ["json", "md", "html"])
def test_report_formats(stitched: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"r.{fmt}"
    result = CliRunner().invoke(main, ["check", str(stitched), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["schema_version"].startswith("1.")
    elif fmt == "md":
        assert "stitched.mp4" in text


def test_json_to_stdout_is_one_line_per_file(stitched: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(stitched), str(stitched), "--json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    for line in lines:
        data = json.loads(line)
        assert data["source"]["name"] == "stitched.mp4"
        assert {r["signal"] for r in data["results"]} >= {"metadata", "provenance", "shots"}
        assert data["verdict"]["label"] in {
            "ai_generated", "likely_ai_generated", "partly_ai_generated", "camera_original",
            "inconclusive", "no_indicators",
        }  # fmt: skip


def test_several_files_go_to_a_directory_with_safe_names(stitched: Path, tmp_path: Path) -> None:
    weird = tmp_path / "clip with spaces — ünïcödé ✓.mp4"
    weird.write_bytes(stitched.read_bytes())
    outdir = tmp_path / "reports"
    result = CliRunner().invoke(main, ["check", str(stitched), str(weird), "-o", str(outdir), "-q"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in outdir.iterdir())
    assert len(names) == 2
    assert all(" " not in n and "/" not in n and n.endswith(".html") for n in names)
    # Letters of any script are kept; spaces, dashes and symbols become "_".
    assert any(n.startswith("clip_with_spaces_ünïcödé-") for n in names), names


def test_signals_lists_every_builtin_signal() -> None:
    result = CliRunner().invoke(main, ["signals", "--json"])
    assert result.exit_code == 0
    rows = {r["name"]: r for r in json.loads(result.output)}
    assert {"metadata", "provenance", "shots"} <= set(rows)
    assert all(r["available"] for r in rows.values())
    plain = CliRunner().invoke(main, ["signals"])
    assert "metadata" in plain.output
    assert "ready" in plain.output


def test_unknown_signal_is_a_usage_error(stitched: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(stitched), "--only", "nosuch"])
    assert result.exit_code == exitcodes.USAGE
    assert "unknown signal" in result.output


def test_only_and_disable_select_signals(stitched: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(stitched), "--json", "--disable", "shots,provenance"])
    data = json.loads(result.stdout)
    status = {r["signal"]: r["status"] for r in data["results"]}
    assert status == {
        "metadata": "ok",
        "provenance": "skipped",
        "shots": "skipped",
        "watermark": "ok",
        "fingerprint": "ok",
        "motion": "ok",
        "faces": "not_applicable",  # the sample has no face
        "invisible": "not_applicable",  # frames under 256 px carry no readable mark
        "synthesis": "ok",
        "models": "not_applicable",  # no model given
    }
    assert any("skipped" in c for c in data["verdict"]["caveats"])


def test_report_folder_is_created(stitched: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "deeper" / "r.md"
    result = CliRunner().invoke(main, ["check", str(stitched), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# vidsleuth")


def test_unwritable_report_path_exits_4(stitched: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["check", str(stitched), "-o", str(blocker / "r.html"), "-q"])
    assert result.exit_code == exitcodes.REPORT_FAILED


def test_stdin_is_accepted(stitched: Path) -> None:
    proc = cli("check", "-", "--json", "-q", stdin=stitched.read_bytes())
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["source"]["name"] == "stdin"


# Bad input: one clear line on stderr naming the file, a non-zero exit, never a traceback or a hang.
BadMaker = Callable[[Path, Path], Path | str]


def _text_as_mp4(tmp: Path, good: Path) -> Path:
    p = tmp / "notes.mp4"
    p.write_text("this is not a video\n" * 50)
    return p


def _empty(tmp: Path, good: Path) -> Path:
    p = tmp / "empty.mp4"
    p.write_bytes(b"")
    return p


def _directory(tmp: Path, good: Path) -> Path:
    p = tmp / "adir.mp4"
    p.mkdir()
    return p


BAD_INPUTS: dict[str, tuple[BadMaker, str]] = {
    "missing": (lambda t, g: t / "nope.mp4", "no such file"),
    "directory": (_directory, "is a directory"),
    "empty": (_empty, "empty"),
    "text renamed .mp4": (_text_as_mp4, "not a readable video"),
    "truncated (moov missing)": (lambda t, g: mf.truncate(g, t / "trunc.mp4", 0.6), "not a readable video"),
    "audio only": (lambda t, g: mf.audio_only(t / "audio.mp4"), "no video stream"),
    "absurd dimensions": (lambda t, g: mf.absurd_dimensions(t / "huge.y4m"), "16000x16000"),
    "url": (lambda t, g: "https://example.com/v.mp4", "URLs are not fetched"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gets_one_clear_line(case: str, stitched: Path, tmp_path: Path) -> None:
    make, message = BAD_INPUTS[case]
    path = make(tmp_path, stitched)
    t0 = time.monotonic()
    proc = cli("check", str(path), "--no-report", cwd=tmp_path)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == exitcodes.BAD_INPUT, err
    assert "Traceback" not in err
    assert message in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err
    assert time.monotonic() - t0 < 60


def test_corrupt_middle_is_analysed_with_a_note_or_refused_cleanly(stitched: Path, tmp_path: Path) -> None:
    bad = mf.corrupt_middle(stitched, tmp_path / "corrupt.mp4", 0.1)
    proc = cli("check", str(bad), "--json", "-q")
    assert "Traceback" not in proc.stderr.decode()
    assert proc.returncode in (exitcodes.OK, exitcodes.BAD_INPUT)
    if proc.returncode == exitcodes.OK:
        data = json.loads(proc.stdout)
        codes = {e["code"] for r in data["results"] for e in r["evidence"]}
        assert codes & {"metadata.decode_problems", "metadata.missing_frames"}


def test_multi_file_run_continues_past_bad_input(stitched: Path, tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    proc = cli("check", str(tmp_path / "missing.mp4"), str(stitched), "-o", str(outdir), "-q")
    assert proc.returncode == exitcodes.BAD_INPUT
    assert "missing.mp4: no such file" in proc.stderr.decode()
    assert len(list(outdir.glob("stitched-*.html"))) == 1


def test_hostile_file_name_is_printed_safely(stitched: Path, tmp_path: Path) -> None:
    evil = tmp_path / "evil\x1b[31m\nname.txt"
    evil.write_text("not a video")
    proc = cli("check", str(evil), "--no-report")
    err = proc.stderr.decode()
    assert proc.returncode == exitcodes.BAD_INPUT
    assert "\x1b" not in err
    assert err.count("\n") == 1


@pytest.mark.corpus
def test_nested_moov_fails_cleanly_and_fast() -> None:
    path = corpus_path("bad/nested_moov_1000.mp4")
    t0 = time.monotonic()
    proc = cli("check", str(path), "--no-report")
    assert proc.returncode == exitcodes.BAD_INPUT
    assert "Traceback" not in proc.stderr.decode()
    assert time.monotonic() - t0 < 30


def test_check_matches_against_a_bank(stitched: Path, tmp_path: Path) -> None:
    bank_file = tmp_path / "bank.sqlite"
    added = CliRunner().invoke(
        main, ["bank", "--bank", str(bank_file), "add", str(stitched), "--label", "viral"]
    )
    assert added.exit_code == 0, added.output
    result = CliRunner().invoke(main, ["check", str(stitched), "--json", "--bank", str(bank_file)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    found = [e for r in data["results"] for e in r["evidence"] if e["code"] == "fingerprint.known_content"]
    assert found
    assert "viral" in json.dumps(found)
    none = CliRunner().invoke(main, ["check", str(stitched), "--json", "--no-bank"])
    codes = {e["code"] for r in json.loads(none.stdout)["results"] for e in r["evidence"]}
    assert "fingerprint.known_content" not in codes
