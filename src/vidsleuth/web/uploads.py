"""Uploads: stream a multipart file part straight to disk, under a size cap, with a random name.

The body is parsed as it arrives (python-multipart's streaming parser), so an upload is never held in
memory and a too-large one is cut off as soon as it passes the limit, not after it has been received.
The file is written to ``<data>/uploads/<random>.upload`` with mode 0600: the name the client sent is
only ever *displayed* (after `sanitize_filename`), never used as a path, and uploads are never served
back. The SHA-256 is computed on the way in, so a case can be searched by hash while it is queued.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from vidsleuth.media.source import safe_display_name
from vidsleuth.web.errors import ApiError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
_MAX_FIELD_BYTES = 64 * 1024  # all non-file parts together
_MAX_PARTS = 8
_FORM_OVERHEAD = 64 * 1024  # multipart headers and boundaries on top of the file


def sanitize_filename(raw: str | None, limit: int = 120) -> str:
    """A display name from a client-supplied file name: last path component, no control, bidi or
    reserved characters, no leading dots, bounded length. Never used as a path."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if c in '<>:"|?*' else c for c in name)
    name = name.strip().lstrip(".").strip()
    if not name:
        return "upload"
    return safe_display_name(name, limit).replace("?", "_")


def too_large_message(limit: int) -> str:
    return (
        f"the file is larger than this server's upload limit of {limit / (1024 * 1024):,.0f} MB; "
        "trim or re-encode it, or ask the operator to raise --max-upload-mb"
    )


@dataclass(frozen=True, slots=True)
class Upload:
    stored_name: str
    path: Path
    display_name: str
    size_bytes: int
    sha256: str


class _Receiver:
    """python-multipart callbacks that route the file part to disk and keep small fields in memory."""

    def __init__(self, dest: Path, max_bytes: int) -> None:
        self.dest, self.max_bytes = dest, max_bytes
        self.fh: BinaryIO | None = None
        self.digest = hashlib.sha256()
        self.size = 0
        self.filename: str | None = None
        self.got_file = False
        self.parts = 0
        self.field_bytes = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._in_file = False
        self.ended = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _end(self) -> None:
        self.ended = True

    def _part_begin(self) -> None:
        self.parts += 1
        if self.parts > _MAX_PARTS:
            raise ApiError(422, "invalid_upload", f"the form has more than {_MAX_PARTS} parts")
        self._headers, self._in_file = {}, False

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") == FILE_FIELD.encode() and b"filename" in params:
            if self.got_file:
                raise ApiError(422, "invalid_upload", "send one file per case")
            self.got_file, self._in_file = True, True
            self.filename = params[b"filename"].decode("utf-8", "replace")
            fd = os.open(self.dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self.fh = os.fdopen(fd, "wb")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        n = end - start
        if self._in_file:
            self.size += n
            if self.size > self.max_bytes:
                raise ApiError(413, "too_large", too_large_message(self.max_bytes))
            chunk = data[start:end]
            self.digest.update(chunk)
            assert self.fh is not None
            self.fh.write(chunk)
        else:
            self.field_bytes += n
            if self.field_bytes > _MAX_FIELD_BYTES:
                raise ApiError(422, "invalid_upload", "the form's text fields are too large")

    def _part_end(self) -> None:
        if self._in_file and self.fh is not None:
            self.fh.close()
            self.fh = None
        self._in_file = False

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


async def receive_upload(request: Request, uploads_dir: Path, max_bytes: int) -> Upload:
    """Read a multipart/form-data body with one file in the field "file". Raises ApiError."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the video as multipart/form-data in the field 'file', or JSON {\"url\": ...}",
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + _FORM_OVERHEAD:
        raise ApiError(413, "too_large", too_large_message(max_bytes))
    stored = f"{secrets.token_hex(16)}.upload"
    dest = uploads_dir / stored
    receiver = _Receiver(dest, max_bytes)
    total, ok = 0, False
    try:
        parser = MultipartParser(boundary, receiver.callbacks())
        async for chunk in request.stream():
            total += len(chunk)
            if total > max_bytes + _FORM_OVERHEAD:
                raise ApiError(413, "too_large", too_large_message(max_bytes))
            parser.write(chunk)
        parser.finalize()
        receiver.close()
        if not receiver.ended:
            raise ApiError(
                400, "incomplete_upload", "the upload ended before the form was complete; send it again"
            )
        if not receiver.got_file:
            raise ApiError(422, "missing_file", "no file was sent: put the video in the form field 'file'")
        if receiver.size == 0:
            raise ApiError(422, "empty_file", "the uploaded file is empty (0 bytes)")
        ok = True
    except ClientDisconnect:
        raise ApiError(
            400, "incomplete_upload", "the connection closed before the upload was complete"
        ) from None
    except MultipartParseError as exc:
        raise ApiError(
            400, "invalid_upload", f"the upload is not valid multipart/form-data ({exc})"
        ) from None
    finally:
        receiver.close()
        if not ok:
            with contextlib.suppress(OSError):
                dest.unlink()
    return Upload(
        stored, dest, sanitize_filename(receiver.filename), receiver.size, receiver.digest.hexdigest()
    )
