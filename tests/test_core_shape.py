"""Typed metrics and options read from JSON, command-line strings and the environment
(`vidsleuth.core.shape`, `core.metrics`, `core.options`)."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest

from vidsleuth.core.errors import ConfigError
from vidsleuth.core.metrics import SignalMetrics, missing_defaults
from vidsleuth.core.options import SignalOptions
from vidsleuth.core.shape import coerce, from_json, to_json


class Kind(enum.StrEnum):
    A = "a"
    B = "b"


@dataclass(frozen=True, slots=True)
class Span:
    start_s: float
    end_s: float

    def valid(self) -> bool:
        return self.start_s <= self.end_s


@dataclass(frozen=True, slots=True)
class Sample(SignalMetrics):
    count: int = 0
    ratio: float | None = None
    name: str = ""
    flag: bool = False
    kind: Kind = Kind.A
    mode: Literal["x", "y"] = "x"
    spans: tuple[Span, ...] = ()
    pair: tuple[int, str] | None = None
    table: Mapping[str, float] = field(default_factory=dict)
    extra: Any = None


def test_round_trip_is_exact() -> None:
    m = Sample(3, 0.5, "n", True, Kind.B, "y", (Span(0, 1),), (2, "z"), {"a": 1.5}, {"free": [1, "x"]})
    data = json.loads(json.dumps(m.to_json()))
    assert Sample.from_json(data) == m
    assert data["kind"] == "b" and data["spans"] == [{"start_s": 0, "end_s": 1}]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"count": "3"}, Sample()),  # a string is not an int
        ({"count": True}, Sample()),  # nor is a bool
        ({"count": 2.0}, Sample(count=2)),  # an integral float is
        ({"ratio": math.nan}, Sample()),  # non-finite numbers fall back
        ({"ratio": 1}, Sample(ratio=1.0)),
        ({"kind": "c", "mode": "z"}, Sample()),
        (
            {"spans": [{"start_s": 2, "end_s": 1}, {"start_s": 0}, "junk", {"start_s": 0, "end_s": 3}]},
            Sample(spans=(Span(0, 3),)),
        ),  # invalid, incomplete and wrong-typed elements are dropped
        ({"pair": [1]}, Sample()),
        ({"table": {"a": "x", "b": 2}}, Sample(table={"b": 2.0})),
        ({"spans": {"not": "a list"}, "unknown_key": 1}, Sample()),
    ],
)
def test_bad_values_fall_back_and_bad_elements_are_dropped(raw: dict[str, Any], expected: Sample) -> None:
    assert Sample.from_json(raw) == expected


def test_not_an_object_reads_as_defaults_and_required_fields_are_enforced() -> None:
    assert Sample.from_json(None) == Sample()
    assert Sample.from_json([1, 2]) == Sample()  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="missing or invalid"):
        from_json(Span, {"start_s": 1})
    assert missing_defaults(Sample) == []


def test_to_json_refuses_what_is_not_json() -> None:
    assert to_json({"x": math.inf}) == {"x": None}
    with pytest.raises(TypeError):
        to_json({"x": object()})
    with pytest.raises(ValueError, match="expected an integer"):
        coerce(int, "1")


@dataclass(frozen=True, slots=True)
class Opts(SignalOptions):
    n: int = 1
    rate: float = 2.0
    on: bool = True
    path: str | None = field(default=None, metadata={"env": "TEST_OPTS_PATH", "help": "a file"})
    names: tuple[str, ...] = ()


def test_options_parse_strings_from_the_command_line() -> None:
    got = Opts.parse(
        {"n": "4", "rate": "0.5", "on": "no", "path": "none", "names": "a, b"}, signal="s", env={}
    )
    assert got == Opts(4, 0.5, False, None, ("a", "b"))
    assert Opts.parse({"path": "x.pem"}, signal="s", env={}).path == "x.pem"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"n": "four"}, r"s\.n: 'four' is not a valid int"),
        ({"on": "maybe"}, r"s\.on"),
        ({"x": 1}, "unknown option"),
    ],
)
def test_bad_options_are_config_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Opts.parse(raw, signal="s", env={})


def test_environment_fills_what_was_not_given() -> None:
    assert Opts.parse({}, signal="s", env={"TEST_OPTS_PATH": "/tmp/a"}).path == "/tmp/a"
    assert Opts.parse({"path": "b"}, signal="s", env={"TEST_OPTS_PATH": "/tmp/a"}).path == "b"
    rows = {r["name"]: r for r in Opts.describe()}
    assert rows["path"]["env"] == "TEST_OPTS_PATH" and rows["path"]["help"] == "a file"
    assert rows["n"]["default"] == 1 and rows["names"]["type"].startswith("tuple")
