"""Errors of the fingerprint package: files to import that do not parse, indexes that cannot be read.

Both subclass the project's base errors (vidsleuth.errors), so the CLI reports them in one line.
"""

from __future__ import annotations

from vidsleuth.errors import InputError, VidsleuthError


class ExchangeFormatError(InputError):
    """A hash file to import is malformed: the message names the file, the line and what was expected."""


class IndexFormatError(VidsleuthError, ValueError):
    """A serialized hash index is damaged, of another kind, or written by a newer vidsleuth."""
