"""Typed dataclasses to and from JSON: one checked reader instead of a hand-written one per shape.

A signal's metrics, a panel's inputs and a signal's options are frozen dataclasses. `to_json` turns one
into plain JSON values; `from_json` reads JSON back into the dataclass, checking every value against the
field's type hint. Reports are read back from files that may be old, hand-edited or hostile, so reading
never trusts a value and never raises on a bad one:

- a value of the wrong type (or a non-finite number) falls back to the field's default;
- in a tuple or a mapping, elements that do not fit are dropped and the rest kept;
- a nested dataclass whose own `valid()` says no (an end before its start) is dropped like a bad element;
- a nested dataclass missing a field that has no default cannot be read and is dropped.

Supported field types: bool, int, float, str, None, `X | None` unions, `Literal[...]`, enums,
`tuple[X, ...]`, fixed `tuple[X, Y]`, `Mapping[str, X]` / `dict[str, X]`, nested dataclasses, and `Any`
(any JSON value, kept as it is). Lists are written as tuples so that instances stay hashable and frozen.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

_NO_DEFAULT = object()


class _InvalidError(Exception):
    """A value does not fit its type (internal: reading falls back or drops, it never raises outward)."""


def to_json(value: Any) -> Any:
    """`value` as plain JSON values: dataclasses as objects, tuples as lists, enums as their values.

    Non-finite floats become None (JSON has no NaN)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not JSON data")


def from_json(cls: type[T], data: object) -> T:
    """Read `data` (parsed JSON) into dataclass `cls`; bad values fall back to the fields' defaults.

    Raises ValueError only when `data` is not an object or a field without a default is missing."""
    try:
        return _dataclass(cls, data)
    except _InvalidError as exc:
        raise ValueError(f"cannot read {cls.__name__}: {exc}") from None


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _NO_DEFAULT


def _dataclass(cls: type[T], data: object) -> T:
    if not isinstance(data, Mapping):
        raise _InvalidError(f"expected an object, got {type(data).__name__}")
    hints = _hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init:
            continue
        default = _default(f)
        if f.name in data:
            try:
                kwargs[f.name] = _value(hints[f.name], data[f.name])
                continue
            except _InvalidError:
                pass
        if default is _NO_DEFAULT:
            raise _InvalidError(f"field {f.name!r} is missing or invalid")
        kwargs[f.name] = default
    try:
        obj = cls(**kwargs)
    except (TypeError, ValueError) as exc:  # a __post_init__ check
        raise _InvalidError(str(exc)) from None
    check = getattr(obj, "valid", None)
    if callable(check) and not check():
        raise _InvalidError(f"{cls.__name__} is not valid")
    return obj


def _value(tp: Any, value: object) -> Any:
    if tp is Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _value(arg, value)
            except _InvalidError:
                continue
        raise _InvalidError("fits no member of the union")
    if origin is typing.Literal:
        if value in args and not (isinstance(value, bool) and not any(isinstance(a, bool) for a in args)):
            return value
        raise _InvalidError(f"not one of {args}")
    if tp is type(None):
        if value is None:
            return None
        raise _InvalidError("expected null")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise _InvalidError("expected a boolean")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        raise _InvalidError("expected an integer")
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise _InvalidError("expected a finite number")
    if tp is str:
        if isinstance(value, str):
            return value
        raise _InvalidError("expected a string")
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            raise _InvalidError(f"not a {tp.__name__}") from None
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise _InvalidError("expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            out = []
            for item in value:
                try:
                    out.append(_value(args[0], item))
                except _InvalidError:
                    continue  # drop what does not fit, keep the rest
            return tuple(out)
        if len(args) != len(value):
            raise _InvalidError(f"expected {len(args)} items")
        return tuple(_value(a, v) for a, v in zip(args, value, strict=True))
    if origin in (Mapping, dict, typing.Mapping) or (
        isinstance(origin, type) and issubclass(origin, Mapping)
    ):
        if not isinstance(value, Mapping):
            raise _InvalidError("expected an object")
        key_type, value_type = args if args else (str, Any)
        out_map: dict[Any, Any] = {}
        for k, v in value.items():
            try:
                out_map[_value(key_type, k)] = _value(value_type, v)
            except _InvalidError:
                continue
        return out_map
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp, value)
    raise _InvalidError(f"unsupported type {tp!r}")


def field_types(cls: type[Any]) -> dict[str, Any]:
    """The resolved type hint of each field of dataclass `cls` (for parsers such as option flags)."""
    return dict(_hints(cls))


def coerce(tp: Any, value: object) -> Any:
    """`value` read as type `tp` (the rules of `from_json`); raises ValueError when it does not fit."""
    try:
        return _value(tp, value)
    except _InvalidError as exc:
        raise ValueError(str(exc)) from None
