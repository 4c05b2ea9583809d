"""What a batch analyses: the user's INPUT arguments turned, lazily, into one `Input` per file or URL.

An argument is a media file, a folder (walked recursively; files are chosen by what their first bytes
say they are, not by their names), a URL (fetched later, by the worker, through the SSRF-safe fetcher),
a list (a text or CSV file that is not media: one path or URL per line; in a CSV the `path` or `url`
column, else the first column), or `-` (such a list on standard input). Everything is a generator: a
list of a million lines is read one line at a time and never held in memory.

Problems with an argument do not stop the listing: a missing file is still yielded (its analysis fails
with the usual one-line reason), and a folder with no media in it yields one `Input` carrying the error.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]{1,15}://")
LIST_SUFFIXES = (".txt", ".csv", ".lst", ".list", ".tsv")
_NAME_COLUMNS = ("path", "url", "file", "filename", "source")
_SNIFF_BYTES = 64
MAX_LINE = 8192  # longer lines in a list are reported as failed inputs, not kept


@dataclass(frozen=True, slots=True)
class Input:
    """One thing to analyse. `name` is what the user listed (a path as typed or found, or a URL)."""

    name: str
    url: bool = False
    error: str | None = None  # set when the input is known to be unusable before any work


def is_url(text: str) -> bool:
    return bool(_URL.match(text))


def sniff(head: bytes, *, images: bool = False) -> str | None:
    """The media kind that a file's first bytes announce ("video", "image"), or None.

    Containers: ISO BMFF (MP4, MOV, 3GP; `ftyp` at offset 4, or a leading `moov`/`mdat`/`wide`/`free`
    box), Matroska/WebM (EBML), AVI (RIFF....AVI), FLV, MPEG-TS (0x47 sync), MPEG-PS, Ogg, ASF/WMV,
    animated images (GIF, WebP) as video. Still images (JPEG, PNG, WebP) only when `images`."""
    if len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return "video"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska, WebM
        return "video"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"AVIX"):
        return "video"
    if head.startswith((b"FLV\x01", b"OggS", b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3")):
        return "video"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):  # ASF / WMV
        return "video"
    if head.startswith((b"\x47\x40", b"\x47\x00")):  # MPEG transport stream: sync byte, first packet
        return "video"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "video"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        animated = head[12:16] == b"VP8X" and len(head) > 20 and bool(head[20] & 0x02)
        return "video" if animated else ("image" if images else None)
    if images and head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return "image"
    return None


def _head(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(_SNIFF_BYTES)


def _looks_like_list(path: str, head: bytes) -> bool:
    """A text list of inputs: a list suffix, or text without NUL bytes whose first line is a path/URL."""
    if path.lower().endswith(LIST_SUFFIXES):
        return True
    if not head or b"\x00" in head:
        return False
    try:
        first = head.decode("utf-8").splitlines()[0].strip()
    except (UnicodeDecodeError, IndexError):
        return False
    return bool(first) and (is_url(first) or first.startswith(("/", "./", "../")))


def iter_inputs(
    args: Iterable[str], *, stdin: IO[str] | None = None, images: bool = False
) -> Iterator[Input]:
    """Every input named by `args`, in order, lazily (see the module docstring)."""
    for arg in args:
        if arg == "-":
            yield from _from_list(stdin if stdin is not None else io.StringIO(""), "stdin", images=images)
        elif is_url(arg):
            yield Input(arg, url=True)
        else:
            yield from _from_path(arg, images=images)


def _from_path(arg: str, *, images: bool) -> Iterator[Input]:
    try:
        st = os.stat(arg)
    except OSError:
        yield Input(arg)  # the analysis says "no such file" / "permission denied" in its own words
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _from_folder(arg, images=images)
        return
    if not stat.S_ISREG(st.st_mode):
        yield Input(arg)
        return
    try:
        head = _head(arg)
    except OSError:
        yield Input(arg)
        return
    if sniff(head, images=True) is None and _looks_like_list(arg, head):
        try:
            with open(arg, encoding="utf-8", errors="replace", newline="") as fh:
                yield from _from_list(fh, arg, images=images)
        except OSError as exc:
            yield Input(arg, error=f"{arg}: the list cannot be read ({exc.strerror or exc})")
        return
    yield Input(arg)


def _from_folder(folder: str, *, images: bool) -> Iterator[Input]:
    found = 0
    for root, dirs, files in os.walk(folder, onerror=None, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                if not stat.S_ISREG(os.stat(path).st_mode):
                    continue
                kind = sniff(_head(path), images=images)
            except OSError as exc:
                found += 1
                yield Input(path, error=f"{path}: cannot be read ({exc.strerror or exc})")
                continue
            if kind is not None:
                found += 1
                yield Input(path)
    if not found:
        media = "videos or images" if images else "videos"
        yield Input(folder, error=f"{folder}: the folder holds no {media} (files are chosen by content)")


def _from_list(fh: IO[str], shown: str, *, images: bool) -> Iterator[Input]:
    """Lines of a list (plain or CSV), one input each; a CSV header picks the path/url column."""
    column: int | None = None
    first = True
    for raw in fh:
        line = raw.rstrip("\r\n")
        if len(line) > MAX_LINE:
            yield Input(line[:80] + "…", error=f"{shown}: a line of {len(line)} characters is too long")
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        value = line.strip()
        if "," in line or "\t" in line or column is not None:
            delimiter = "\t" if "\t" in line and "," not in line else ","
            cells = next(csv.reader([line], delimiter=delimiter), [])
            cells = [c.strip() for c in cells]
            if first:
                first = False
                lowered = [c.lower() for c in cells]
                named = [i for i, c in enumerate(lowered) if c in _NAME_COLUMNS]
                if named:
                    column = named[0]
                    continue
            value = cells[column or 0] if len(cells) > (column or 0) else ""
            if not value:
                continue
        first = False
        if is_url(value):
            yield Input(value, url=True)
        elif Path(value).is_dir():
            yield from _from_folder(value, images=images)
        else:
            yield Input(value)  # not sniffed: a listed file that is no video fails with the reason
