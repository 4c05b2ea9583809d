"""`vidsleuth bank ...` and `vidsleuth keyframes` as a user runs them: one-line errors, exit codes, and a
bank that bad input never changes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests import fingerprint_factory as ff
from vidsleuth.bank.models import SCHEMA_VERSION
from vidsleuth.cli.exitcodes import BANK_FAILED
from vidsleuth.cli.main import main
from vidsleuth.core.settings import Settings
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.signals.fingerprint import FingerprintSignal

cli = main  # the commands as users reach them, with the one error handler of the `vidsleuth` group


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bank-cli")
    a = ff.original(d / "a.mp4", seed=31, seconds=9.0)
    b = ff.original(d / "b.mp4", seed=32, seconds=9.0)
    stitched = ff.stitch(d / "stitched.mp4", [(a, 1.0, 7.0), (b, 2.0, 7.0)])  # 14 s from two videos
    photo = d / "photo.png"
    from PIL import Image

    Image.fromarray(ff.still(33, (480, 270))).save(photo)
    slideshow = ff.photo_in_video(d / "memorial.mp4", ff.still(33, (480, 270)), before_s=2.0, show_s=3.0)
    return {"a": a, "b": b, "stitched": stitched, "photo": photo, "slideshow": slideshow}


def run(bank_file: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["bank", "--bank", str(bank_file), *args])


def fresh_bank(tmp_path: Path, media: dict[str, Path]) -> Path:
    path = tmp_path / "bank.sqlite"
    result = run(path, "add", str(media["a"]), "--label", "Flood fake", "--source", "https://example.org/a")
    assert result.exit_code == 0, result.output
    result = run(path, "add", str(media["b"]), str(media["photo"]), "--note", "from a fact-check")
    assert result.exit_code == 0, result.output
    return path


def test_add_list_stats_search_remove(tmp_path: Path, media: dict[str, Path]) -> None:
    path = fresh_bank(tmp_path, media)
    listing = run(path, "list", "--json")
    items = json.loads(listing.output)
    assert [(i["item_id"], i["kind"], i["label"]) for i in items] == [
        (1, "video", "Flood fake"),
        (2, "video", None),
        (3, "image", None),
    ]
    assert run(path, "add", str(media["a"])).output.startswith("already banked as #1")
    stats = json.loads(run(path, "stats", "--json").output)
    assert stats["items"] == 3 and stats["images"] == 1 and stats["revision"] == 2
    search = run(path, "search", str(media["stitched"]), "--json")
    assert search.exit_code == 0, search.output
    found = {m["item_id"]: m for m in json.loads(search.output)["matches"]}
    assert set(found) == {1, 2}  # a 14 s clip stitched from two banked videos finds both ...
    [seg_a], [seg_b] = found[1]["segments"], found[2]["segments"]
    assert seg_a["query"]["start_s"] == pytest.approx(0.0, abs=0.3)  # ... with the time ranges on both sides
    assert seg_a["query"]["end_s"] == pytest.approx(7.0, abs=0.4)
    assert seg_a["item"]["start_s"] == pytest.approx(1.0, abs=0.3)
    assert seg_b["query"]["start_s"] == pytest.approx(7.0, abs=0.4)
    assert seg_b["item"]["start_s"] == pytest.approx(2.0, abs=0.4)
    assert found[1]["source_url"] == "https://example.org/a"
    text = run(path, "search", str(media["stitched"])).output
    assert "#1 video “Flood fake”" in text and "source: https://example.org/a" in text
    assert run(path, "remove", "2").output.startswith("removed #2")
    assert [
        m["item_id"]
        for m in json.loads(run(path, "search", str(media["stitched"]), "--json").output)["matches"]
    ] == [1]


def test_photo_origin_search(tmp_path: Path, media: dict[str, Path]) -> None:
    path = fresh_bank(tmp_path, media)
    result = run(path, "search", str(media["slideshow"]), "--json")
    [match] = json.loads(result.output)["matches"]
    assert match["item_id"] == 3 and match["kind"] == "image" and match["rule"] == "pdq"
    [segment] = match["segments"]
    assert segment["query"]["start_s"] == pytest.approx(2.0, abs=0.3)
    assert segment["query"]["end_s"] == pytest.approx(5.0, abs=0.4)


def test_search_a_saved_report(tmp_path: Path, media: dict[str, Path]) -> None:
    path = fresh_bank(tmp_path, media)
    report = analyze(media["stitched"], Settings(), registry=SignalRegistry([FingerprintSignal]))
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report.to_dict()))
    result = run(path, "search", str(saved), "--json")
    assert result.exit_code == 0, result.output
    assert {m["item_id"] for m in json.loads(result.output)["matches"]} == {1, 2}
    bad = tmp_path / "bad.json"
    bad.write_text('{"results": []}')
    result = run(path, "search", str(bad))
    assert result.exit_code == 3 and "no fingerprint hashes" in result.output


def test_export_and_import_round_trip(tmp_path: Path, media: dict[str, Path]) -> None:
    path = fresh_bank(tmp_path, media)
    for fmt, target in (
        ("te-csv", tmp_path / "bank.csv"),
        ("jsonl", tmp_path / "bank.jsonl"),
        ("vpdq", tmp_path / "vpdq"),
    ):
        result = run(path, "export", str(target), "--format", fmt)
        assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "vpdq").glob("*.txt"))) == 2  # the two videos; the photo is in the CSV
    copy = tmp_path / "copy.sqlite"
    result = run(copy, "import", str(tmp_path / "bank.jsonl"))
    assert result.exit_code == 0 and "imported 3 item(s)" in result.output
    assert json.loads(run(copy, "search", str(media["stitched"]), "--json").output)["matches"]
    assert "imported 0 item(s); 3 already banked" in run(copy, "import", str(tmp_path / "bank.jsonl")).output
    from_vpdq = tmp_path / "from-vpdq.sqlite"
    assert run(from_vpdq, "import", str(tmp_path / "vpdq"), "--label", "shared by a partner").exit_code == 0
    labels = {i["label"] for i in json.loads(run(from_vpdq, "list", "--json").output)}
    assert labels == {"shared by a partner"}
    csv_bank = tmp_path / "csv.sqlite"
    assert run(csv_bank, "import", str(tmp_path / "bank.csv")).exit_code == 0
    assert json.loads(run(csv_bank, "stats", "--json").output)["images"] > 10  # one photo item per row


def test_bad_input_never_changes_the_bank(tmp_path: Path, media: dict[str, Path]) -> None:
    path = fresh_bank(tmp_path, media)
    before = run(path, "stats", "--json").output
    missing = run(path, "add", str(media["a"].with_name("nope.mp4")), str(media["b"]))
    assert missing.exit_code == 3 and "nope.mp4: no such file; nothing was added" in missing.output
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    result = run(path, "add", str(media["b"]), str(junk))
    assert result.exit_code == 3 and "nothing was added" in result.output
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,1,x,y\nnot-a-hash,2,x,y\n"
    )
    result = run(path, "import", str(rows))
    assert result.exit_code == 3 and "rows.csv:2" in result.output and "nothing was imported" in result.output
    long_field = tmp_path / "long.csv"  # Python's csv field limit is 131,072 characters (issue #11)
    long_field.write_text(
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,1,x,y\n"
        f'c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,2,x,"{"t" * 140_000}"\n'
    )
    too_long = run(path, "import", str(long_field))
    assert too_long.exit_code == 3 and too_long.output == (
        "error: long.csv:2: field too long; nothing was imported\n"
    )
    assert run(path, "remove", "1", "99").exit_code == BANK_FAILED
    assert run(path, "stats", "--json").output == before
    assert "Traceback" not in missing.output + result.output


def test_bank_errors_are_one_line_with_exit_6(tmp_path: Path) -> None:
    result = run(tmp_path / "none.sqlite", "list")
    assert result.exit_code == BANK_FAILED and result.output.count("\n") == 1
    assert "no bank at none.sqlite" in result.output
    newer = tmp_path / "newer.sqlite"
    assert run(newer, "import", "--format", "te-csv", str(_one_row(tmp_path))).exit_code == 0
    with sqlite3.connect(newer) as db:
        db.execute("update bank_info set value = ? where key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    result = run(newer, "stats")
    assert result.exit_code == BANK_FAILED and "newer vidsleuth" in result.output
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert run(notes, "list").exit_code == BANK_FAILED
    assert run(tmp_path / "x.sqlite", "search", "--distance", "500", "f.mp4").exit_code == 2


def _one_row(tmp_path: Path) -> Path:
    f = tmp_path / "one.csv"
    f.write_text(
        "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,1,2024-01-01T00:00:00+0000,x\n"
    )
    return f


def test_keyframes_export(tmp_path: Path, media: dict[str, Path]) -> None:
    weird = tmp_path / "we;ird $(name) clip.mp4"
    weird.write_bytes(media["stitched"].read_bytes())
    out = tmp_path / "frames"
    result = CliRunner().invoke(cli, ["keyframes", str(weird), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    files = sorted(p.name for p in out.glob("*.jpg"))
    assert len(files) >= 6  # six shots (three per original), one keyframe each at least
    assert all(name.startswith("we_ird_name_clip_kf") for name in files)
    assert {k["file"] for k in listed["keyframes"]} == set(files)
    assert {s["engine"] for s in listed["search"]} == {
        "Google Lens",
        "Bing Visual Search",
        "Yandex Images",
        "TinEye",
    }
    manifest = json.loads((out / "keyframes.json").read_text())
    assert len(manifest["keyframes"]) == len(files) and manifest["source"]["name"] == weird.name
    bad = CliRunner().invoke(cli, ["keyframes", str(tmp_path / "missing.mp4"), "-o", str(out)])
    assert bad.exit_code == 3 and "no such file" in bad.output
