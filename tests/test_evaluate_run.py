"""The evaluation harness end to end: caching and resume, degraded copies, scorecard files, CLI, corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import av
import click
import pytest
from click.testing import CliRunner

from tests.media_factory import Scene, write_video
from vidsleuth.cli.main import main
from vidsleuth.core import (
    AnalysisContext,
    Evidence,
    FrameSample,
    FrameSignal,
    Hypothesis,
    Sampling,
    Settings,
    SignalResult,
)
from vidsleuth.evaluate import (
    CONDITIONS,
    ORIGINAL,
    analyse_dataset,
    evaluate,
    labelled_results,
    load_dataset,
)
from vidsleuth.evaluate.degrade import BY_NAME, make_copy, parse_conditions
from vidsleuth.evaluate.degrade import DegradeError as DegradeErr
from vidsleuth.evaluate.report_cache import ReportCache
from vidsleuth.fusion.calibration import default_calibration
from vidsleuth.media.source import hash_file
from vidsleuth.registry import SignalRegistry


class Counting(FrameSignal):
    """Counts analyses; says "AI" (strong) for files named *fp* or *ai*, so that errors can be staged."""

    NAME: ClassVar[str] = "counting"
    VERSION: ClassVar[str] = "1.0.0"
    calls: ClassVar[int] = 0

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        return Sampling(fps=2, pixel_format=None)

    def process_frame(self, frame: FrameSample) -> None:
        pass

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        type(self).calls += 1
        name = ctx.source.name
        ev = []
        if "fp" in name or name.startswith("ai"):
            ev.append(Evidence.supports("counting.says_ai", Hypothesis.AI_GENERATED, 0.8, "staged finding"))
        return SignalResult.ok(
            self.NAME, self.VERSION, ev, {"features": {"size": float(ctx.source.size_bytes)}}
        )


REGISTRY = SignalRegistry([Counting])


def tiny(path: Path, seed: int, seconds: float = 1.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_video(path, [Scene(seconds, seed)], size=(96, 64), fps=12)


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    tiny(root / "ai1.mp4", 1)
    tiny(root / "ai2.mp4", 2)
    tiny(root / "real1.mp4", 3)
    tiny(root / "real_fp <script>.mp4", 4)
    tiny(root / "real2.mp4", 5)
    (root / "broken.mp4").write_bytes(b"not a video at all" * 10)
    (root / "labels.csv").write_text(
        "path,label,generator\n"
        "ai1.mp4,ai,Sora 2\nai2.mp4,ai,Kling\nreal1.mp4,real,\nreal_fp <script>.mp4,real,\n"
        "real2.mp4,real,\nbroken.mp4,real,\nstill.png,still,\n"
    )
    return root


def test_reports_are_cached_and_a_crashed_run_resumes(dataset_dir: Path, tmp_path: Path) -> None:
    ds = load_dataset(dataset_dir)
    out = tmp_path / "out"
    Counting.calls = 0
    card, _ = evaluate(ds, out, registry=REGISTRY)
    assert Counting.calls == 5  # the broken file never reaches the signal
    card2, _ = evaluate(ds, out, registry=REGISTRY)
    assert Counting.calls == 5  # everything from the cache, the input error included
    assert card2["conditions"][0]["questions"] == card["conditions"][0]["questions"]
    # A run that died after some reports: remove one, and only that one is redone.
    victim = next((out / "cache" / "reports").rglob("*.json"))
    victim.unlink()
    evaluate(ds, out, registry=REGISTRY)
    assert Counting.calls == 6
    errors = card["conditions"][0]["errors"]
    assert [e["path"] for e in errors] == ["broken.mp4"]
    assert "broken.mp4" in errors[0]["error"]


def test_degraded_conditions_are_scored_cached_and_grouped(dataset_dir: Path, tmp_path: Path) -> None:
    ds = load_dataset(dataset_dir)
    conds = (ORIGINAL, BY_NAME["crf35"], BY_NAME["remux"])
    Counting.calls = 0
    card, _ = evaluate(ds, tmp_path / "out", registry=REGISTRY, conditions=conds)
    assert [c["name"] for c in card["conditions"]] == ["original", "crf35", "remux"]
    assert Counting.calls == 15
    assert card["conditions"][1]["questions"]["ai_generated"]["positives"] == 2
    evaluate(ds, tmp_path / "out", registry=REGISTRY, conditions=conds)
    assert Counting.calls == 15  # copies and reports all cached: nothing remade
    analysed = analyse_dataset(
        ds,
        ReportCache(tmp_path / "out" / "cache"),
        Settings(thumbnails=False),
        REGISTRY,
        conditions=conds,
        custom_registry=True,
    )
    rows = labelled_results(analysed)
    by_group: dict[str, set[str]] = {}
    for r in rows:
        by_group.setdefault(r.group, set()).add(r.sha256)
    assert len(rows) == 15 and len(by_group) == 5
    assert all(len(shas) == 1 for shas in by_group.values())  # copies carry their original's identity


def test_scorecard_numbers_links_and_escaping(dataset_dir: Path, tmp_path: Path) -> None:
    card, files = evaluate(load_dataset(dataset_dir), tmp_path / "out", registry=REGISTRY)
    cond = card["conditions"][0]
    q = cond["questions"]["ai_generated"]
    assert (q["positives"], q["negatives"]) == (2, 3)  # the broken file is not scored
    likely = q["verdict"]["at"]["likely_ai"]
    assert (likely["tp"], likely["fp"], likely["tn"], likely["fn"]) == (2, 1, 2, 0)
    assert q["signals"]["counting"]["alone_ai_call"]["negatives"]["hits"] == 1
    assert "counting.size" in q["features"]
    assert cond["classes"]["real"]["verdicts"]["likely_ai_generated"] == 1
    assert set(q["by_generator"]) == {"Sora", "Kling"}
    fp = cond["worst"]["false_positives"]
    assert [e["path"] for e in fp] == ["real_fp <script>.mp4"]
    assert fp[0]["report"] and (tmp_path / "out" / fp[0]["report"]).is_file()
    assert not Path(fp[0]["report"]).is_absolute()
    assert card["dataset"]["excluded"] == {"still": 1}

    data = json.loads(files["json"].read_text())
    assert data["schema"] == "vidsleuth.scorecard" and data["schema_version"] == 1
    html = files["html"].read_text()
    assert "<svg" in html and "<polyline" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "<script>" not in html and "real_fp &lt;script&gt;.mp4" in html
    md = files["md"].read_text()
    assert "| fused verdict (ordinal) |" in md and "real_fp &lt;script>.mp4" in md
    assert re.fullmatch(r"reports/original-real_fp_script-[0-9a-f]{8}\.html", fp[0]["report"])


def test_training_items_of_a_calibration_are_left_out(dataset_dir: Path, tmp_path: Path) -> None:
    ds = load_dataset(dataset_dir)
    trained = hash_file(dataset_dir / "ai1.mp4")
    cal = default_calibration()
    cal = type(cal)(
        **{**{f: getattr(cal, f) for f in cal.__slots__}, "fitted_on": {"videos": [{"sha256": trained}]}}
    )
    card, _ = evaluate(ds, tmp_path / "out", registry=REGISTRY, calibration=cal)
    assert card["dataset"]["left_out_as_calibration_training"] == 1
    assert card["conditions"][0]["questions"]["ai_generated"]["positives"] == 1


@pytest.mark.parametrize("cond", [c.name for c in CONDITIONS])
def test_degraded_copies_are_valid_and_cached(tmp_path: Path, cond: str) -> None:
    src = write_video(
        tmp_path / "src.mp4",
        [Scene(1.0, 3)],
        size=(320, 240),
        fps=12,
        audio=True,
        metadata={"comment": "tag"},
    )
    sha = hash_file(src)
    copy = make_copy(src, sha, BY_NAME[cond], tmp_path / "cache")
    with av.open(str(copy)) as c:
        v = c.streams.video[0]
        frames = sum(1 for _ in c.decode(v))
        assert [s.type for s in c.streams] == ["video", "audio"]  # the AAC track travels with the copy
        assert not c.metadata.get("comment")  # container tags are not carried over
    assert frames == 12
    w, h = v.codec_context.width, v.codec_context.height
    expected = {"720p": (320, 240), "480p": (320, 240), "crop": (256, 192)}.get(cond, (320, 240))
    assert (w, h) == expected
    mtime = copy.stat().st_mtime_ns
    assert make_copy(src, sha, BY_NAME[cond], tmp_path / "cache") == copy
    assert copy.stat().st_mtime_ns == mtime


def test_scaling_only_ever_shrinks(tmp_path: Path) -> None:
    src = write_video(tmp_path / "hd.mp4", [Scene(0.5, 3)], size=(1280, 720), fps=12)
    copy = make_copy(src, hash_file(src), BY_NAME["480p"], tmp_path / "cache")
    with av.open(str(copy)) as c:
        assert (c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height) == (854, 480)


def test_conditions_parse_and_unmakeable_copies_fail_cleanly(tmp_path: Path) -> None:
    assert parse_conditions(["all"]) == CONDITIONS
    assert [c.name for c in parse_conditions(["crf35,720p", "crf35"])] == ["crf35", "720p"]
    with pytest.raises(DegradeErr, match="unknown condition 'blur'"):
        parse_conditions(["blur"])
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"nope" * 100)
    with pytest.raises(DegradeErr, match="cannot make the crf28 copy"):
        make_copy(junk, "ab" * 32, BY_NAME["crf28"], tmp_path / "cache")
    assert make_copy(junk, "ab" * 32, ORIGINAL, tmp_path / "cache") == junk


def _cli() -> click.Group:
    return main  # eval and calibrate as users reach them, with the `vidsleuth` group's error handler


def test_cli_eval_and_calibrate(tmp_path: Path) -> None:
    root = tmp_path / "folders"
    for i in range(3):
        tiny(root / "ai" / "sora" / f"a{i}.mp4", 10 + i)
        tiny(root / "real" / f"r{i}.mp4", 20 + i)
    runner = CliRunner()
    out = tmp_path / "eval"
    res = runner.invoke(_cli(), ["eval", str(root), "-o", str(out), "--only", "metadata", "-q"])
    assert res.exit_code == 0, res.output
    assert "original: 6 videos" in res.output and (out / "scorecard.html").is_file()
    cal = tmp_path / "cal.json"
    res = runner.invoke(
        _cli(),
        [
            "calibrate",
            str(root),
            "-o",
            str(cal),
            "--cache",
            str(out),
            "--only",
            "metadata",
            "--folds",
            "3",
            "-q",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "held-out" in res.output and json.loads(cal.read_text())["policy"] == "calibrated@1"
    res = runner.invoke(
        _cli(), ["eval", str(root), "-o", str(out), "--only", "metadata", "-q", "--calibration", str(cal)]
    )
    assert res.exit_code == 0, res.output
    card = json.loads((out / "scorecard.json").read_text())
    assert card["dataset"]["left_out_as_calibration_training"] == 6  # never scored on its own training data


def test_cli_eval_runs_in_parallel_and_writes_readable_files(tmp_path: Path) -> None:
    """`eval --jobs 2` (documented, never run from the CLI before: it always refused) gives the same
    scorecard as one job; its files are mode 644 like reports."""
    root = tmp_path / "folders"
    for i in range(2):
        tiny(root / "ai" / f"a{i}.mp4", 30 + i)
        tiny(root / "real" / f"r{i}.mp4", 40 + i)
    cards = []
    for jobs in ("1", "2"):
        out = tmp_path / f"eval{jobs}"
        res = CliRunner().invoke(
            _cli(), ["eval", str(root), "-o", str(out), "--only", "metadata", "-q", "--jobs", jobs]
        )
        assert res.exit_code == 0, res.output
        cards.append(json.loads((out / "scorecard.json").read_text()))
        for name in ("scorecard.json", "scorecard.html", "scorecard.md"):
            assert (out / name).stat().st_mode & 0o777 == 0o644
    one, two = ({k: v for k, v in c["conditions"][0].items() if k != "elapsed_s"} for c in cards)
    assert one["items"] == two["items"] == 4
    assert one["questions"] == two["questions"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "/nonexistent/data"], "no such file or folder"),
        (["eval", "{data}", "--only", "nosuch"], "unknown signal(s): nosuch"),
        (["eval", "{data}", "--condition", "blur"], "unknown condition"),
        (["eval", "{data}", "--calibration", "{data}/labels.csv"], "not valid JSON"),
        (
            ["calibrate", "{data}", "--only", "metadata", "--limit", "2", "--cache", "{tmp}/c"],
            "at least 2 distinct",
        ),
    ],
)
def test_cli_errors_are_one_line_with_usage_exit(
    dataset_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    argv = [a.format(data=dataset_dir, tmp=tmp_path) for a in args] + ["-q"]
    res = CliRunner().invoke(_cli(), argv)
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert res.output.count("error:") == 1


@pytest.mark.corpus
def test_tiny_corpus_eval_runs_and_resumes(corpus_dir: Path, tmp_path: Path) -> None:
    from vidsleuth.signals import builtin_signals

    ds = load_dataset(corpus_dir)
    wanted = {
        "ai_generated/sora2_feed/remix-batch-1_remix_0035.mp4",
        "ai_generated/sora2_feed/remix-batch-2_remix_0034.mp4",
        "ai_generated/kling_likely_Standard_Mode_cats_Vizual.mp4",
        "c2pa/veo3.1_c2pa_google_office.mp4",
        "faces_real/d3.mp4",
        "faces_real/d10.mp4",
        "real/imageio_realshort.mp4",
    }
    ds = type(ds)(ds.origin, tuple(i for i in ds.items if i.rel in wanted), {}, (), "tiny")
    registry = SignalRegistry(builtin_signals())
    card, files = evaluate(ds, tmp_path / "out", registry=registry)
    q = card["conditions"][0]["questions"]["ai_generated"]
    assert (q["positives"], q["negatives"]) == (4, 3)
    said: list[str] = []
    evaluate(ds, tmp_path / "out", registry=registry, progress=said.append)
    assert sum(m.endswith(": cached") for m in said) == 7
    assert "motion" in q["signals"] and "motion.camera_shake" in q["features"]
    assert q["signals"]["motion"]["alone_ai_call"]["negatives"]["hits"] == 0
    assert card["conditions"][0]["classes"]["real"]["likely_ai"]["hits"] == 0
    assert files["html"].stat().st_size > 1000


@pytest.mark.slow
@pytest.mark.corpus
def test_full_corpus_scorecard(corpus_dir: Path, tmp_path: Path) -> None:
    """The whole corpus, every built-in signal: the numbers docs/scorecard.md reports come from here."""
    from vidsleuth.signals import builtin_signals

    registry = SignalRegistry(builtin_signals())
    ds = load_dataset(corpus_dir)
    card, files = evaluate(ds, tmp_path / "out", registry=registry)
    cond = card["conditions"][0]
    q = cond["questions"]["ai_generated"]
    assert q["positives"] >= 40 and q["negatives"] >= 40
    assert not [e for e in cond["errors"] if "internal error" in e["error"]]
    assert q["signals"]["motion"]["alone_ai_call"]["negatives"]["hits"] == 0
    assert cond["classes"]["real"]["likely_ai"]["hits"] == 0  # no confident "AI" on real footage
    assert {"Sora", "Veo", "Kling", "Hailuo", "Luma", "Grok", "CogVideoX"} <= set(q["by_generator"])
    assert files["md"].read_text().count("| motion.") >= 10


def test_cli_calibrate_unwritable_output_is_exit_4(tmp_path: Path) -> None:
    root = tmp_path / "folders"
    for i in range(2):
        tiny(root / "ai" / f"a{i}.mp4", 30 + i)
        tiny(root / "real" / f"r{i}.mp4", 40 + i)
    out = tmp_path / "no" / "such" / "dir" / "cal.json"
    res = CliRunner().invoke(
        _cli(),
        ["calibrate", str(root), "-o", str(out), "--cache", str(tmp_path / "c"), "--only", "metadata", "-q"],
    )
    assert res.exit_code == 4, res.output
    assert "cannot write calibration" in res.output
