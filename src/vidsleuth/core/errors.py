"""One error hierarchy for the whole tool, and the exit code each error means on the command line.

Every error vidsleuth raises on purpose is a `VidsleuthError`. Each subclass also subclasses the builtin
it is closest to, so callers that already catch `ValueError` or `OSError` keep working. Messages say what
was expected, what arrived and what to do, in one line, because the CLI prints them as they are.

Each class carries the exit code the `vidsleuth` command returns when it stops on that error (the
click style: the error knows its code, one handler in the CLI prints and exits). The tree, with codes:

    VidsleuthError (5, internal)
    ├── InputError (3): the input cannot be analysed
    │   └── UnsupportedSourceError (3): a kind of source `check` does not take (URL, directory)
    ├── ConfigError (2): options or settings that contradict each other or name nothing
    ├── ReportError (4): a report could not be written or read
    ├── BankError (6, vidsleuth.bank.errors): the fingerprint bank cannot be used
    ├── RegistryError (5): two signals with one name
    ├── SignalUnavailableError (2): an optional dependency is missing (the message names the extra)
    └── InterruptedByUserError (130): stopped with Ctrl-C; the message says what was kept

The public import path is `vidsleuth.errors`; this module lives in `core` so that core imports nothing
else of the package.
"""

from __future__ import annotations

import enum
from typing import ClassVar


class ExitCode(enum.IntEnum):
    """Exit codes of the `vidsleuth` command (docs/cli.md)."""

    OK = 0  # every input was analysed (whatever the verdict)
    USAGE = 2  # bad options or arguments (click's own code)
    BAD_INPUT = 3  # at least one input could not be analysed (missing, not a video, truncated...)
    REPORT_FAILED = 4  # a report could not be written
    INTERNAL = 5  # an unexpected internal error (a bug: please report it with --debug output)
    BANK_FAILED = 6  # a fingerprint-bank operation failed (bad import row, newer bank, unreachable database)
    INTERRUPTED = 130  # stopped with Ctrl-C (128 + SIGINT, as shells report it)


class VidsleuthError(Exception):
    """Base class of every error vidsleuth raises on purpose."""

    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL


class InputError(VidsleuthError, ValueError):
    """The input cannot be analysed: missing, empty, not a video, truncated, absurd dimensions..."""

    exit_code = ExitCode.BAD_INPUT


class UnsupportedSourceError(InputError):
    """The source is of a kind `check` does not take (a URL, a directory)."""


class ConfigError(VidsleuthError, ValueError):
    """Settings or options that contradict each other or name things that do not exist."""

    exit_code = ExitCode.USAGE


class RegistryError(VidsleuthError, RuntimeError):
    """A signal registry problem, such as two signals with the same name."""


class SignalUnavailableError(VidsleuthError, RuntimeError):
    """A signal's optional dependency is missing; the message names the pip extra to install."""

    exit_code = ExitCode.USAGE


class InterruptedByUserError(VidsleuthError, KeyboardInterrupt):
    """The user stopped a command (Ctrl-C); the message says what was kept."""

    exit_code = ExitCode.INTERRUPTED


class ReportError(VidsleuthError, OSError):
    """A report could not be written or read."""

    exit_code = ExitCode.REPORT_FAILED
