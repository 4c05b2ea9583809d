"""Labelled datasets: label mapping, CSV and folder layouts, bad rows, missing files, subsets, groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import corpus_labels
from vidsleuth.evaluate import (
    DatasetError,
    LabelClass,
    Question,
    load_dataset,
    normalise,
    target,
    with_groups,
)
from vidsleuth.evaluate.labels import generator_family


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00")
    return path


@pytest.mark.parametrize(
    ("label", "cls"),
    [
        ("ai", LabelClass.AI),
        ("AI-Generated", LabelClass.AI),
        ("faceswap", LabelClass.FACE_MANIPULATED),
        ("Face Swap", LabelClass.FACE_MANIPULATED),
        ("REAL", LabelClass.REAL),
        ("render", LabelClass.RENDER),
        ("composite_ai", LabelClass.COMPOSITE_AI),
        ("Fake", LabelClass.FAKE),
        ("something_new", LabelClass.OTHER),
    ],
)
def test_labels_normalise(label: str, cls: LabelClass) -> None:
    assert normalise(label) is cls


@pytest.mark.parametrize("label", ["still", "ai_still", "template", "fragment", "bad"])
def test_non_video_labels_are_not_evaluated(label: str) -> None:
    assert normalise(label) is None


def test_roles_per_question() -> None:
    assert target(LabelClass.AI, Question.AI_GENERATED) == 1
    assert target(LabelClass.REAL, Question.AI_GENERATED) == 0
    assert target(LabelClass.RENDER, Question.AI_GENERATED) == 0  # CG called "AI" is a false positive
    assert target(LabelClass.FACE_MANIPULATED, Question.AI_GENERATED) is None
    assert target(LabelClass.FACE_MANIPULATED, Question.MANIPULATED) == 1
    assert target(LabelClass.RENDER, Question.MANIPULATED) is None


@pytest.mark.parametrize(
    ("text", "family"),
    [
        ("Sora 2 (Sora app feed remixes)", "Sora"),
        ("likely MiniMax Hailuo-02 (768p)", "Hailuo"),
        ("Google Veo (veo1/veo2 have audio -> Veo 3)", "Veo"),
        ("Luma (1360x752 is Dream Machine's native 16:9 size)", "Luma"),
        ("CogVideoX (THUDM)", "CogVideoX"),
        ("", ""),
        ("Some New Model", "other"),
    ],
)
def test_generator_families(text: str, family: str) -> None:
    assert generator_family(text) == family


def test_csv_with_header_and_extra_columns(tmp_path: Path) -> None:
    touch(tmp_path / "a" / "x.mp4")
    touch(tmp_path / "b.mov")
    (tmp_path / "labels.csv").write_text(
        "path,label,generator,source,group,notes\n"
        "a/x.mp4,ai,Sora 2,feed,g1,whatever\n"
        "b.mov,real,,,,\n"
        "c.png,still,,,,\n"
    )
    ds = load_dataset(tmp_path)  # a folder holding labels.csv reads the CSV
    assert [i.rel for i in ds.items] == ["a/x.mp4", "b.mov"]
    x = ds.items[0]
    assert (x.cls, x.generator, x.family, x.source, x.group) == (
        LabelClass.AI,
        "Sora 2",
        "Sora",
        "feed",
        "g1",
    )
    assert ds.items[1].source == ""
    assert ds.excluded == {"still": 1}
    assert ds.counts() == {"ai": 1, "real": 1}
    assert len(ds.digest) == 16


def test_csv_without_header(tmp_path: Path) -> None:
    touch(tmp_path / "clips" / "v.mp4")
    csv = tmp_path / "set.csv"
    csv.write_text("clips/v.mp4,faceswap,DFDC\n")
    ds = load_dataset(csv)
    assert ds.items[0].cls is LabelClass.FACE_MANIPULATED
    assert ds.items[0].source == "clips"


@pytest.mark.parametrize(
    ("rows", "expect"),
    [
        ("path,label\nx.mp4,\n", ":2: expected path,label"),
        ("x.mp4\n", ":1: expected path,label"),
        ("path,label\nx.mp4,ai\nx.mp4,real\n", "listed twice"),
        ("path,kind\nx.mp4,ai\n", "needs a 'label' column"),
    ],
)
def test_bad_rows_are_clear_errors(tmp_path: Path, rows: str, expect: str) -> None:
    touch(tmp_path / "x.mp4")
    (tmp_path / "l.csv").write_text(rows)
    with pytest.raises(DatasetError, match=expect):
        load_dataset(tmp_path / "l.csv")


def test_missing_files_error_unless_skipped(tmp_path: Path) -> None:
    touch(tmp_path / "here.mp4")
    (tmp_path / "l.csv").write_text("here.mp4,ai\ngone1.mp4,real\ngone2.mp4,real\n")
    with pytest.raises(DatasetError, match=r"2 listed file\(s\) do not exist: gone1.mp4, gone2.mp4"):
        load_dataset(tmp_path / "l.csv")
    ds = load_dataset(tmp_path / "l.csv", skip_missing=True)
    assert ds.missing == ("gone1.mp4", "gone2.mp4") and len(ds.items) == 1


def test_nothing_to_evaluate_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("a.png,still\n")
    with pytest.raises(DatasetError, match="no labelled videos"):
        load_dataset(tmp_path / "l.csv")
    with pytest.raises(DatasetError, match="no such file or folder"):
        load_dataset(tmp_path / "nope")


def test_folders_named_by_label_with_generator_subfolders(tmp_path: Path) -> None:
    touch(tmp_path / "real" / "r1.mp4")
    touch(tmp_path / "ai" / "sora" / "s1.mp4")
    touch(tmp_path / "ai" / "a1.webm")
    touch(tmp_path / "faceswap" / "f1.mp4")
    touch(tmp_path / "ai" / "notes.txt")
    touch(tmp_path / "templates" / "t.mp4")
    ds = load_dataset(tmp_path)
    by = {i.rel: i for i in ds.items}
    assert set(by) == {"real/r1.mp4", "ai/sora/s1.mp4", "ai/a1.webm", "faceswap/f1.mp4"}
    assert by["ai/sora/s1.mp4"].generator == "sora" and by["ai/sora/s1.mp4"].family == "Sora"
    assert by["ai/a1.webm"].generator == ""
    assert by["faceswap/f1.mp4"].cls is LabelClass.FACE_MANIPULATED
    assert ds.excluded == {"templates": 1}


def test_subset_is_stratified_and_reproducible(tmp_path: Path) -> None:
    rows = []
    for i in range(30):
        touch(tmp_path / f"a{i}.mp4")
        rows.append(f"a{i}.mp4,ai")
    for i in range(10):
        touch(tmp_path / f"r{i}.mp4")
        rows.append(f"r{i}.mp4,real")
    touch(tmp_path / "cg.mp4")
    rows.append("cg.mp4,render")
    (tmp_path / "l.csv").write_text("\n".join(rows))
    ds = load_dataset(tmp_path / "l.csv")
    sub = ds.subset(8, seed=5)
    assert sub == ds.subset(8, seed=5)
    assert len(sub.items) <= 9
    assert {i.cls for i in sub.items} == {LabelClass.AI, LabelClass.REAL, LabelClass.RENDER}
    assert sub.digest != ds.digest


def test_groups_file(tmp_path: Path) -> None:
    touch(tmp_path / "a.mp4")
    touch(tmp_path / "b.mp4")
    (tmp_path / "l.csv").write_text("a.mp4,real\nb.mp4,real\n")
    ds = load_dataset(tmp_path / "l.csv")
    (tmp_path / "g.csv").write_text("path,group\na.mp4,chair\nb.mp4,chair\n")
    assert {i.group for i in with_groups(ds, tmp_path / "g.csv").items} == {"chair"}
    (tmp_path / "bad.csv").write_text("zzz.mp4,chair\n")
    with pytest.raises(DatasetError, match="not in the dataset"):
        with_groups(ds, tmp_path / "bad.csv")


@pytest.mark.corpus
def test_corpus_labels_load_with_counts(corpus_dir: Path) -> None:
    ds = load_dataset(corpus_dir)
    rows = corpus_labels()
    assert len(ds.items) + sum(ds.excluded.values()) + len(ds.missing) == len(rows)
    counts = ds.counts()
    assert counts["ai"] >= 30 and counts["real"] >= 20
    assert ds.excluded.get("still", 0) > 0 and "bad" in ds.excluded
    families = {i.family for i in ds.items if i.cls is LabelClass.AI}
    assert {"Sora", "Veo", "Kling", "Hailuo", "Luma", "Grok", "CogVideoX"} <= families
