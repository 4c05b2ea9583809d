"""One error hierarchy for the whole tool.

Every error vidsleuth raises on purpose is a `VidsleuthError`. Each subclass also subclasses the builtin
it is closest to, so callers that already catch `ValueError` or `OSError` keep working. Messages say what
was expected, what arrived and what to do, in one line, because the CLI prints them as they are.
"""

from __future__ import annotations


class VidsleuthError(Exception):
    """Base class of every error vidsleuth raises on purpose."""


class InputError(VidsleuthError, ValueError):
    """The input cannot be analysed: missing, empty, not a video, truncated, absurd dimensions..."""


class UnsupportedSourceError(InputError):
    """The source is of a kind `check` does not take (a URL, a directory)."""


class ConfigError(VidsleuthError, ValueError):
    """Settings or options that contradict each other or name things that do not exist."""


class RegistryError(VidsleuthError, RuntimeError):
    """A signal registry problem, such as two signals with the same name."""


class SignalUnavailableError(VidsleuthError, RuntimeError):
    """A signal's optional dependency is missing; the message names the pip extra to install."""


class ReportError(VidsleuthError, OSError):
    """A report could not be written or read."""
