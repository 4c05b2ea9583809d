"""`check --calibration`, and `eval` / `calibrate` as commands of `vidsleuth`.

A calibration is part of the analysis settings: the settings digest names it by content, the verdict
records which one made it (JSON, terminal, HTML, Markdown), the shipped default behaves exactly as
rules@1, and an unusable calibration file is one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result

from tests.media_factory import Scene, write_video
from tests.test_calibration import rows_from
from vidsleuth.cli import exitcodes
from vidsleuth.cli.main import main
from vidsleuth.core.report import Report
from vidsleuth.core.settings import Settings
from vidsleuth.core.verdict import VerdictLabel
from vidsleuth.fusion import rules
from vidsleuth.fusion.calibration import Calibration, calibration_for, default_calibration, write_calibration
from vidsleuth.fusion.fitting import fit_calibration
from vidsleuth.media.source import hash_file
from vidsleuth.pipeline import analyze, prepare_settings

SHIPPED = Path(str(resources.files("vidsleuth.data").joinpath("calibration_default.json")))


def tiny(path: Path, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_video(path, [Scene(1.0, seed)], size=(96, 64), fps=12)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny(tmp_path_factory.mktemp("calcli") / "clip.mp4", 7)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A calibrated@1 file fitted (with cross-validation) on synthetic labelled rows."""
    rng = np.random.default_rng(5)
    y = np.r_[np.ones(20), np.zeros(20)]
    cal = fit_calibration(rows_from(np.where(y == 1, 1.5, -1.5) + rng.normal(0, 1, 40), y), name="newsroom")
    return write_calibration(cal, tmp_path_factory.mktemp("cal") / "newsroom.json")


def check(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["check", *args, "--only", "metadata"], env=env)


def one_error_line(res: Result) -> str:
    assert res.exit_code == exitcodes.USAGE, res.output
    assert isinstance(res.exception, SystemExit)  # not an escaped exception
    assert "Traceback" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    return lines[0]


# check --calibration -------------------------------------------------------------------------------


def test_check_with_a_fitted_calibration_names_it_everywhere(
    video: Path, fitted: Path, tmp_path: Path
) -> None:
    res = check(str(video), "--calibration", str(fitted), "--json")
    assert res.exit_code == 0, res.output
    report = Report.from_dict(json.loads(res.stdout.splitlines()[0]))
    v = report.verdict
    sha = hash_file(fitted)
    assert v.policy == "calibrated@1"
    assert v.extras["calibration"] == {"name": "newsroom", "policy": "calibrated@1", "sha256": sha}
    assert 0.0 <= v.extras["p_ai_generated"] <= 1.0
    assert report.settings["calibration_sha256"] == sha
    # The JSON report round-trips the record of what made the verdict.
    again = Report.from_dict(report.to_dict())
    assert again.verdict.extras == v.extras and again.verdict.made_by == v.made_by
    assert v.made_by == f"calibrated@1 (calibration newsroom, sha256 {sha[:12]})"

    shown = check(str(video), "--calibration", str(fitted), "--no-report")
    assert shown.exit_code == 0, shown.output
    assert f"verdict by calibrated@1 (calibration newsroom, sha256 {sha[:12]})" in shown.stdout
    for fmt in ("html", "md"):
        out = tmp_path / f"r.{fmt}"
        written = check(str(video), "--calibration", str(fitted), "-o", str(out), "-q")
        assert written.exit_code == 0, written.output
        assert f"calibration newsroom, sha256 {sha[:12]}" in out.read_text(encoding="utf-8")


def test_a_calibration_changes_the_verdict_only_as_it_says(video: Path, fitted: Path, tmp_path: Path) -> None:
    plain = analyze(video, Settings(only=("metadata",)))
    assert plain.verdict.label is VerdictLabel.NO_INDICATORS
    # The fitted model with a very low "worth checking" threshold flags the same clip for a person.
    cal = json.loads(fitted.read_text())
    cal["model"]["check_threshold"] = 0.001
    eager = tmp_path / "eager.json"
    eager.write_text(json.dumps(cal))
    res = check(str(video), "--calibration", str(eager), "--json")
    assert res.exit_code == 0, res.output
    v = json.loads(res.stdout.splitlines()[0])["verdict"]
    assert (v["label"], v["worth_checking"], v["policy"]) == ("inconclusive", True, "calibrated@1")


def test_calibration_from_the_environment(video: Path, fitted: Path, tmp_path: Path) -> None:
    res = check(str(video), "--json", env={"VIDSLEUTH_CALIBRATION": str(fitted)})
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout.splitlines()[0])["verdict"]["extras"]["calibration"]["name"] == "newsroom"
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{nope")
    assert "not valid JSON" in one_error_line(check(str(video), env={"VIDSLEUTH_CALIBRATION": str(garbage)}))


def test_shipped_default_gives_the_rules_verdict(video: Path) -> None:
    report = analyze(video, Settings(only=("metadata",)))
    before = rules.fuse(report.results)  # what the pipeline gave before calibrations were wired
    assert replace(report.verdict, extras=before.extras) == before
    assert report.verdict.extras["calibration"] == {
        "name": default_calibration().name,
        "policy": "rules@1",
        "sha256": None,
    }
    assert "calibration" not in report.settings  # the default settings keep their digest

    default = check(str(video), "--json")
    named = check(str(video), "--json", "--calibration", str(SHIPPED))
    assert default.exit_code == named.exit_code == 0, default.output + named.output
    a, b = (json.loads(r.stdout.splitlines()[0])["verdict"] for r in (default, named))
    assert b["policy"] == a["policy"] == "rules@1"
    assert {k: v for k, v in a.items() if k != "extras"} == {k: v for k, v in b.items() if k != "extras"}


def _future(tmp: Path) -> Path:
    data = default_calibration().to_dict()
    data["schema_version"] = 99
    path = tmp / "future.json"
    path.write_text(json.dumps(data))
    return path


def _garbage(tmp: Path) -> Path:
    path = tmp / "garbage.json"
    path.write_text("this is { not json")
    return path


def _not_a_calibration(tmp: Path) -> Path:
    path = tmp / "other.json"
    path.write_text(json.dumps({"hello": "world"}))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.json", "cannot be read"),
        (lambda tmp: tmp, "cannot be read"),  # a folder
        (_garbage, "not valid JSON"),
        (_not_a_calibration, "not a vidsleuth calibration file"),
        (_future, "newer than this vidsleuth reads"),
    ],
    ids=["missing", "folder", "garbage", "not-a-calibration", "future-schema"],
)
def test_unusable_calibration_is_one_line_and_exit_2(
    video: Path, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    line = one_error_line(check(str(video), "--calibration", str(make(tmp_path)), "--no-report"))
    assert message in line


def test_unusable_calibration_in_a_real_process(video: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vidsleuth", "check", str(video), "--calibration", str(_future(tmp_path))],
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert proc.returncode == exitcodes.USAGE
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "newer than this vidsleuth reads" in err[0]
    assert not proc.stdout


# Settings ------------------------------------------------------------------------------------------


def test_settings_digest_follows_the_calibration_content(fitted: Path, tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere.json"
    copy.write_bytes(fitted.read_bytes())
    other = write_calibration(replace(default_calibration(), name="other"), tmp_path / "other.json")

    def resolve_calibration(settings: Settings) -> tuple[Settings, Calibration]:
        prepared = prepare_settings(settings)
        return prepared, calibration_for(prepared)

    default, _ = resolve_calibration(Settings())
    a, cal_a = resolve_calibration(Settings(calibration=str(fitted)))
    b, _ = resolve_calibration(Settings(calibration=str(copy)))
    c, cal_c = resolve_calibration(Settings(calibration=str(other)))
    assert a.calibration_sha256 == cal_a.sha256 == hash_file(fitted)
    assert a.digest() == b.digest()  # same content, other path
    assert len({default.digest(), a.digest(), c.digest()}) == 3
    assert cal_a.name == "newsroom" and cal_c.name == "other"
    assert "calibration" not in default.to_dict()  # no calibration named: not part of the identity
    assert a.to_dict()["calibration"] == str(fitted)


# eval and calibrate as commands of vidsleuth ---------------------------------------------------------


def test_eval_and_calibrate_are_vidsleuth_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0 and "eval" in top.stdout and "calibrate" in top.stdout
    for command in ("eval", "calibrate"):
        res = runner.invoke(main, [command, "--help"])
        assert res.exit_code == 0 and "--only" in res.stdout, res.output

    data = tmp_path / "data"
    for name, seed in (("ai1", 1), ("ai2", 2), ("real1", 3), ("real2", 4)):
        tiny(data / f"{name}.mp4", seed)
    (data / "labels.csv").write_text("path,label\nai1.mp4,ai\nai2.mp4,ai\nreal1.mp4,real\nreal2.mp4,real\n")
    out = tmp_path / "eval"
    res = runner.invoke(main, ["eval", str(data / "labels.csv"), "-o", str(out), "--only", "metadata", "-q"])
    assert res.exit_code == 0, res.output
    for name in ("scorecard.json", "scorecard.html", "scorecard.md"):
        assert (out / name).is_file(), name
    assert json.loads((out / "scorecard.json").read_text())["conditions"][0]["items"] == 4

    # Only one class: nothing to fit. One line, exit 2 (the reports come from eval's cache).
    (data / "ai_only.csv").write_text("path,label\nai1.mp4,ai\nai2.mp4,ai\n")
    same_run = ["--only", "metadata", "-q"]  # the signals eval ran, so that its cache is used
    res = runner.invoke(
        main,
        [
            "calibrate",
            str(data / "ai_only.csv"),
            "-o",
            str(tmp_path / "c.json"),
            "--cache",
            str(out),
            *same_run,
        ],
    )
    assert res.exit_code == exitcodes.USAGE, res.output
    assert isinstance(res.exception, SystemExit) and "Traceback" not in res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "at least 2 distinct videos of each class" in lines[0]
    assert not (tmp_path / "c.json").exists()
