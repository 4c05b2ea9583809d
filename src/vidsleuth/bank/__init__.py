"""Persistence: the fingerprint bank (SQLAlchemy; an SQLite file by default, PostgreSQL by URL).

Later stores (cases, reports) share the same database; the bank's tables are prefixed `bank_`.
"""

from vidsleuth.bank.attributes import Attribute
from vidsleuth.bank.bank import AddOutcome, Bank, BankStats, NewItem, content_id_of_frames
from vidsleuth.bank.db import default_bank_path, display_location, resolve_location
from vidsleuth.bank.errors import BankError, BankNotFoundError, BankVersionError

__all__ = [
    "AddOutcome",
    "Attribute",
    "Bank",
    "BankError",
    "BankNotFoundError",
    "BankStats",
    "BankVersionError",
    "NewItem",
    "content_id_of_frames",
    "default_bank_path",
    "display_location",
    "resolve_location",
]
