"""The error hierarchy (public import path); defined in `vidsleuth.core.errors`, where the tree is drawn."""

from vidsleuth.core.errors import (
    ConfigError,
    ExitCode,
    InputError,
    InterruptedByUserError,
    RegistryError,
    ReportError,
    SignalUnavailableError,
    UnsupportedSourceError,
    VidsleuthError,
)

__all__ = [
    "ConfigError",
    "ExitCode",
    "InputError",
    "InterruptedByUserError",
    "RegistryError",
    "ReportError",
    "SignalUnavailableError",
    "UnsupportedSourceError",
    "VidsleuthError",
]
