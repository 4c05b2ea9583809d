"""Errors of the store: a bank that cannot be found, opened, read or written."""

from __future__ import annotations

from vidsleuth.errors import ExitCode, VidsleuthError


class BankError(VidsleuthError, RuntimeError):
    """The bank cannot be used: not a bank, damaged, locked, or its database is unreachable."""

    exit_code = ExitCode.BANK_FAILED


class BankNotFoundError(BankError):
    """No bank exists at the location given (and this operation does not create one)."""


class BankVersionError(BankError):
    """The bank was written by a newer vidsleuth whose schema this version cannot read."""
