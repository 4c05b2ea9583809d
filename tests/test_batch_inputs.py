"""Batch inputs: files chosen by content, lists (plain, CSV, stdin), URLs, folders without videos, and
streaming (a long list is read as it is consumed, not up front)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

from tests.media_factory import Scene, write_video
from vidsleuth.batch.inputs import Input, iter_inputs, sniff


def _clip(path: Path, seed: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_video(path, [Scene(0.5, seed)], size=(64, 48))


def test_sniff_knows_containers_by_their_bytes() -> None:
    assert sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00") == "video"
    assert sniff(b"\x1a\x45\xdf\xa3\x01\x00\x00\x00") == "video"
    assert sniff(b"RIFF\x00\x00\x00\x00AVI LIST") == "video"
    assert sniff(b"GIF89a\x01\x00") == "video"
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF") is None
    assert sniff(b"\xff\xd8\xff\xe0\x00\x10JFIF", images=True) == "image"
    assert sniff(b"hello, world: not a video") is None
    assert sniff(b"") is None


def test_folders_are_walked_recursively_and_files_chosen_by_content(tmp_path: Path) -> None:
    _clip(tmp_path / "clips" / "a.mp4")
    _clip(tmp_path / "clips" / "deeper" / "renamed.mp4", seed=2).rename(
        tmp_path / "clips" / "deeper" / "renamed.dat"
    )  # a video whatever its name
    (tmp_path / "clips" / "fake.mp4").write_text("not a video at all")  # a name is not a type
    (tmp_path / "clips" / "notes.txt").write_text("hello")
    names = [i.name for i in iter_inputs([str(tmp_path / "clips")])]
    assert names == [str(tmp_path / "clips" / "a.mp4"), str(tmp_path / "clips" / "deeper" / "renamed.dat")]


def test_a_folder_without_videos_is_one_failed_input(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "x.txt").write_text("nothing")
    items = list(iter_inputs([str(tmp_path / "empty")]))
    assert len(items) == 1 and items[0].error is not None and "holds no videos" in items[0].error


def test_lists_plain_csv_and_stdin(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "a.mp4")
    listing = tmp_path / "list.txt"
    listing.write_text(f"# a comment\n\n{clip}\nhttps://example.com/v.mp4\n{tmp_path / 'missing.mp4'}\n")
    items = list(iter_inputs([str(listing)]))
    assert items == [
        Input(str(clip)),
        Input("https://example.com/v.mp4", url=True),
        Input(str(tmp_path / "missing.mp4")),  # fails later, with the analysis's own reason
    ]
    table = tmp_path / "uploads.csv"
    table.write_text(f'id,url,note\n1,{clip},"a, b"\n2,https://example.com/w.mp4,x\n')
    assert [i.name for i in iter_inputs([str(table)])] == [str(clip), "https://example.com/w.mp4"]
    headless = tmp_path / "plain.csv"
    headless.write_text(f"{clip},first\n")
    assert [i.name for i in iter_inputs([str(headless)])] == [str(clip)]
    stdin = io.StringIO(f"{clip}\nhttp://10.0.0.1/x.mp4\n")
    assert [(i.name, i.url) for i in iter_inputs(["-"], stdin=stdin)] == [
        (str(clip), False),
        ("http://10.0.0.1/x.mp4", True),
    ]


def test_a_long_list_is_streamed(tmp_path: Path) -> None:
    read = 0

    class Counting(io.StringIO):
        def __next__(self) -> str:  # type: ignore[override]  # StringIO yields str
            nonlocal read
            read += 1
            return super().__next__()

    stdin = Counting("".join(f"/nowhere/{i}.mp4\n" for i in range(100_000)))
    first = list(itertools.islice(iter_inputs(["-"], stdin=stdin), 3))
    assert [i.name for i in first] == ["/nowhere/0.mp4", "/nowhere/1.mp4", "/nowhere/2.mp4"]
    assert read <= 4


def test_urls_and_missing_paths_pass_through(tmp_path: Path) -> None:
    items = list(iter_inputs(["https://example.com/a.mp4", str(tmp_path / "nope.mp4")]))
    assert items[0].url and not items[1].url and items[1].error is None
