"""The scorecard: assemble the numbers of every condition, link the worst errors to their reports, and
write it as JSON (the record), a self-contained HTML page (ROC curves and score histograms as inline
SVG) and a Markdown summary.

Layout of an output folder::

    OUT/scorecard.json  OUT/scorecard.html  OUT/scorecard.md
    OUT/reports/<name>-<sha8>.html       HTML reports of the worst errors, linked relatively
    OUT/cache/                           cached JSON reports, hashes and degraded copies (reused by reruns)
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vidsleuth._version import __version__
from vidsleuth.atomic import write_text
from vidsleuth.errors import ReportError
from vidsleuth.evaluate.metrics import Row, condition_metrics
from vidsleuth.report import load_report, write_report

SCHEMA = "vidsleuth.scorecard"
SCHEMA_VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def git_commit(start: Path | None = None) -> str | None:
    """The checkout's commit (with "+dirty" when it has changes), or None outside git."""
    folder = start or Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def build_scorecard(
    rows: Mapping[str, Sequence[Row]],
    descriptions: Mapping[str, str],
    meta: Mapping[str, Any],
) -> dict[str, Any]:
    """The scorecard as a JSON-ready dict. `rows` maps condition name -> rows, in display order."""
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "created_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
        "tool_version": __version__,
        **meta,
        "conditions": [condition_metrics(r, name, descriptions.get(name, "")) for name, r in rows.items()],
    }


def report_name(condition: str, rel: str, sha256: str) -> str:
    """A safe file name: condition, the video's stem (sanitised) and the first 8 hex of its sha256."""
    stem = _UNSAFE.sub("_", Path(rel).stem).strip("._")[:60] or "video"
    cond = _UNSAFE.sub("_", condition)[:20]
    return f"{cond}-{stem}-{sha256[:8]}.html"


def link_reports(card: dict[str, Any], rows: Mapping[str, Sequence[Row]], out_dir: Path) -> None:
    """Write the HTML reports of the listed worst errors and put relative links into the scorecard."""
    by_key = {(name, r.item.rel): r for name, rs in rows.items() for r in rs}
    folder = out_dir / "reports"
    for cond in card["conditions"]:
        for kind in ("false_positives", "misses"):
            for entry in cond["worst"][kind]:
                row = by_key.get((cond["name"], entry["path"]))
                if row is None or row.report_json is None:
                    continue
                name = report_name(cond["name"], entry["path"], row.sha256)
                target = folder / name
                if not target.is_file():
                    try:
                        folder.mkdir(parents=True, exist_ok=True)
                        write_report(load_report(row.report_json), target, "html")
                    except (ReportError, OSError) as exc:
                        entry["report_error"] = str(exc)
                        continue
                    except Exception as exc:  # a renderer bug must not sink the scorecard; say so instead
                        entry["report_error"] = f"the HTML report could not be rendered: {type(exc).__name__}"
                        continue
                entry["report"] = f"reports/{name}"


def finite(value: Any) -> Any:
    """`value` with every non-finite float replaced by None (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def write_scorecard(card: Mapping[str, Any], out_dir: Path) -> dict[str, Path]:
    """scorecard.json, .html and .md in `out_dir`; returns their paths. Raises ReportError."""
    from vidsleuth.evaluate.html import render_html
    from vidsleuth.evaluate.markdown import render_markdown

    card = finite(card)
    out: dict[str, Path] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt, text in (
            ("json", json.dumps(card, indent=1, ensure_ascii=False, allow_nan=False)),
            ("html", render_html(card)),
            ("md", render_markdown(card)),
        ):
            path = out_dir / f"scorecard.{fmt}"
            write_text(path, text)
            out[fmt] = path
    except OSError as exc:
        raise ReportError(f"cannot write the scorecard to {out_dir}: {exc.strerror or exc}") from None
    return out
