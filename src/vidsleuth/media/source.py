"""Turn what the user gave (a path, bytes from stdin) into a checked local file with a content hash.

Everything a user can get wrong about the *file* (missing, a directory, empty, a URL) is caught here with
a one-line message, before any decoder sees it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vidsleuth.core.media import SourceInfo
from vidsleuth.errors import InputError, UnsupportedSourceError

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]{1,15}://")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CHUNK = 1 << 20


def safe_display_name(name: str, limit: int = 120) -> str:
    """A file name that is safe to print and embed: no control or bidi characters, bounded length."""
    cleaned = _CONTROL.sub("?", name)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned or "?"


def hash_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def open_source(
    path: str | os.PathLike[str], display_name: str | None = None, *, sha256: str | None = None
) -> SourceInfo:
    """Check that `path` is a non-empty regular file and hash it. Raises InputError otherwise.

    `sha256`: the content hash when the caller already computed it while writing the file (an upload);
    the file is then not read again."""
    text = os.fspath(path)
    # Messages name the file as the user gave it (the path as typed, or the upload's name); the report
    # keeps only the file name, never a local folder.
    shown = safe_display_name(display_name or text, 200)
    name = safe_display_name(display_name or os.path.basename(text.rstrip("/\\")) or text)
    if _URL.match(text):
        raise UnsupportedSourceError(
            f"{shown}: URLs are not fetched by `check`; download the video first and pass the file"
        )
    try:
        st = os.stat(text)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file") from None
    except PermissionError:
        raise InputError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{shown}: is a directory, expected a video file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{shown}: is not a regular file (device, pipe or socket)")
    if st.st_size == 0:
        raise InputError(f"{shown}: file is empty (0 bytes)")
    try:
        sha = sha256 or hash_file(text)
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    return SourceInfo(name=name, path=str(Path(text)), size_bytes=st.st_size, sha256=sha, shown=shown)


@contextlib.contextmanager
def spooled_bytes(data: bytes, suffix: str = ".bin") -> Iterator[str]:
    """Write in-memory bytes (stdin, an upload) to a private temporary file and remove it afterwards."""
    fd, tmp = tempfile.mkstemp(prefix="vidsleuth-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield tmp
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
