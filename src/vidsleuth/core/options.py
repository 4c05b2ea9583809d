"""Typed options of a signal: declared once, parsed and checked once, whatever the front end.

A signal that takes options declares a frozen dataclass subclassing `SignalOptions` in its `options.py`,
every field with a default, and points `Signal.OPTIONS` at it. Options arrive as

- typed instances (the Python API: ``Settings(options={"fingerprint": FingerprintOptions(bank=...)})``),
- plain mappings from JSON or code (``{"fingerprint": {"bank": "bank.sqlite"}}``),
- strings from the command line (``--option fingerprint.bank=bank.sqlite``; `parse` converts them),
- environment variables, for fields that name one in their metadata (``field(metadata={"env": ...})``).

`vidsleuth.pipeline.prepare_settings` turns each into the signal's options class and calls `validate`,
which checks values and resolves what depends on the machine (the default bank file, a trust list's
content hash). So `check`, `serve`, `eval` and `analyze()` accept and refuse the same options with the same
one-line `ConfigError`. A field's metadata may carry ``help`` (shown by `vidsleuth signals --options`).
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from typing import Any, Self

from vidsleuth.core import shape
from vidsleuth.core.errors import ConfigError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_NONE = {"", "none", "null"}


@dataclasses.dataclass(frozen=True, slots=True)
class SignalOptions:
    """Base class of a signal's options (a frozen dataclass whose fields all have defaults)."""

    def validate(self) -> Self:
        """Check the values and resolve machine-dependent ones; raise ConfigError naming the problem.

        Called once per run by `prepare_settings`; returns the (possibly resolved) options."""
        return self

    def to_dict(self) -> dict[str, Any]:
        out = shape.to_json(self)
        assert isinstance(out, dict)
        return out

    @classmethod
    def parse(cls, raw: Mapping[str, object], *, signal: str, env: Mapping[str, str] | None = None) -> Self:
        """Options from a mapping of values (strings from a command line are converted) and `env`.

        Unknown keys and values that do not fit a field's type raise ConfigError."""
        types_ = shape.field_types(cls)
        known = [f.name for f in dataclasses.fields(cls) if f.init]
        unknown = sorted(k for k in raw if k not in known)
        if unknown:
            raise ConfigError(
                f"{signal}: unknown option(s) {', '.join(unknown)} (known: {', '.join(known) or 'none'})"
            )
        environment = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            if f.name in raw:
                values[f.name] = _convert(types_[f.name], raw[f.name], f"{signal}.{f.name}")
            elif f.metadata.get("env") and environment.get(f.metadata["env"]):
                name = f.metadata["env"]
                values[f.name] = _convert(types_[f.name], environment[name], f"{name} (environment)")
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{signal}: {exc}") from None

    @classmethod
    def of(cls, settings: Any, signal: str) -> Self:
        """The options `settings` hold for `signal`, or the defaults; typed instances only (the pipeline
        turned every mapping into one when it prepared the settings)."""
        got = getattr(settings, "options", {}).get(signal)
        if isinstance(got, cls):
            return got
        if isinstance(got, Mapping):
            return cls.parse(got, signal=signal, env={}).validate()
        return cls()

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """Each option's name, type, default, environment variable and help text."""
        types_ = shape.field_types(cls)
        rows = []
        for f in dataclasses.fields(cls):
            if not f.init:
                continue
            default = f.default if f.default is not dataclasses.MISSING else None
            rows.append(
                {
                    "name": f.name,
                    "type": _type_name(types_[f.name]),
                    "default": shape.to_json(default),
                    "env": f.metadata.get("env"),
                    "help": f.metadata.get("help", ""),
                }
            )
        return rows


class NoOptions(SignalOptions):
    """The options of a signal that takes none."""


def _type_name(tp: Any) -> str:
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _convert(tp: Any, value: object, where: str) -> Any:
    """`value` as type `tp`; a string (command line, environment) is parsed first."""
    if isinstance(value, str):
        value = _from_text(tp, value)
    try:
        return shape.coerce(tp, value)
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a valid {_type_name(tp)}") from None


def _from_text(tp: Any, text: str) -> object:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    s = text.strip()
    if origin is typing.Union or origin is types.UnionType:
        if type(None) in args and s.lower() in _NONE:
            return None
        for arg in args:
            if arg is type(None):
                continue
            candidate = _from_text(arg, text)
            try:
                shape.coerce(arg, candidate)
            except ValueError:
                continue
            return candidate
        return text
    if tp is bool:
        low = s.lower()
        return True if low in _TRUE else False if low in _FALSE else text
    if tp is int:
        try:
            return int(s)
        except ValueError:
            return text
    if tp is float:
        try:
            return float(s)
        except ValueError:
            return text
    if origin is tuple:
        return [p.strip() for p in s.split(",") if p.strip()]
    return text
