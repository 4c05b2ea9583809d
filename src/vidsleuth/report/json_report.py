"""The JSON report: the canonical, versioned form every other format and every store is derived from.

It is `Report.to_dict()` written out as it is, so that a report read back with `parse_json` and written
again is the same document. The shape is documented in docs/report-schema.md and pinned by
tests/golden/report_shape.json.
"""

from __future__ import annotations

import json
import math
from typing import Any

from vidsleuth.core.report import SCHEMA_VERSION, Report
from vidsleuth.errors import ReportError


def _finite(value: Any) -> Any:
    """The value with NaN and infinities replaced by None: JSON has no spelling for them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Fallback for values a signal left in a non-JSON type: numpy scalars and arrays become numbers and
    lists, anything else its text, so that one careless metric never stops a report from being written."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return _finite(tolist())
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def render_json(report: Report) -> str:
    """The report as indented UTF-8 JSON text ending with a newline (strict JSON: no NaN or Infinity)."""
    data = report.to_dict()
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=_plain)
    except ValueError:  # a non-finite number somewhere in the metrics
        text = json.dumps(_finite(data), indent=2, ensure_ascii=False, allow_nan=False, default=_plain)
    return text + "\n"


def parse_json(text: str, origin: str = "report") -> Report:
    """Read a JSON report back. Raises ReportError with one line saying what is wrong and what to do."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{origin}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "expected a vidsleuth JSON report"
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise ReportError(
            f"{origin}: not a vidsleuth report (a JSON object with a schema_version is expected)"
        )
    version = str(data.get("schema_version"))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise ReportError(
            f"{origin}: report schema {version!r} is not readable by this vidsleuth "
            f"(it reads {SCHEMA_VERSION.split('.')[0]}.x); upgrade vidsleuth to read it"
        )
    try:
        report = Report.from_dict(data)
        report.to_dict()  # a report that cannot be written back out holds values of the wrong type
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        detail = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else lines[0]
        raise ReportError(
            f"{origin}: report schema {version} is damaged or incomplete ({detail}); "
            "re-run `vidsleuth check` to produce a fresh report"
        ) from None
    return report
