"""Write a file so that a reader sees either the old file or the complete new one, never half of it.

Every file vidsleuth writes for people (reports, scorecards, calibrations, exports) and every cache entry
goes through `atomic_text` or `atomic_bytes`: the data goes to a temporary file in the target's folder,
is flushed to disk, gets the target's permissions (the old file's, else 0644 like any report) and is
moved into place with `os.replace`. A failed write leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

DEFAULT_MODE = 0o644


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A text handle (UTF-8) whose content replaces `path` when the block ends without an error.

    Raises OSError (from the file system) when the folder is missing or not writable."""
    with _replacing(Path(path)) as (fd, _tmp), os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_bytes(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Like `atomic_text`, for bytes."""
    with _replacing(Path(path)) as (fd, _tmp), os.fdopen(fd, "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[tuple[int, str]]:
    """A temporary file beside `target` (its descriptor and path), moved onto `target` on success."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else DEFAULT_MODE
    except OSError:
        mode = DEFAULT_MODE
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=".tmp", dir=target.parent)
    done = False
    try:
        yield fd, tmp
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        done = True
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_text(path: str | os.PathLike[str], content: str) -> Path:
    """Write `content` to `path` atomically (UTF-8)."""
    with atomic_text(path) as fh:
        fh.write(content)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], content: bytes) -> Path:
    """Write `content` to `path` atomically."""
    with atomic_bytes(path) as fh:
        fh.write(content)
    return Path(path)
