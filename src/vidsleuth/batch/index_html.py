"""The HTML index of a batch: one self-contained page (or a few) with a sortable table linking every report.

Entry point: `write_index(rows, path, *, title=..., reports_root=None, page_rows=PAGE_ROWS) -> IndexPages`.
It reads `rows` once, in order, and writes each table row as it comes (never the whole page as one
string), so memory stays flat for any batch size. Above `page_rows` rows (50,000 by default) the index is
split into pages: `path` holds the first, ``<stem>-2.html``, ``<stem>-3.html``... the next ones, each
linked to its neighbours; a page's sorting sorts that page.

Each row shows the input's name (a link to its report when one was written), a verdict chip, the
confidence, attribution, watermark @handle, C2PA signer and trust state, bank matches, status or error,
and the time the analysis took. Clicking a header sorts by it (a small inline script, allowed by the
page's Content-Security-Policy through its hash); with JavaScript off the rows stay in input order. The
page loads nothing from the network.

Every value is attacker-controlled (file names, manifest fields, OCR reads) and is HTML-escaped. Report
links are relative paths only: a path that is absolute, climbs out with ``..`` or is not a plain relative
path is shown as text, and the rest are percent-encoded, so no name can become a ``javascript:`` URL.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from vidsleuth.atomic import atomic_text
from vidsleuth.batch.columns import Value, record_of
from vidsleuth.batch.export import valid_text
from vidsleuth.batch.rows import BatchRow
from vidsleuth.errors import ReportError

PAGE_ROWS = 50_000

HEADERS: tuple[tuple[str, str], ...] = (  # (label, sort type)
    ("#", "num"),
    ("Input", "text"),
    ("Verdict", "text"),
    ("Confidence", "text"),
    ("Attribution", "text"),
    ("Handle", "text"),
    ("C2PA signer", "text"),
    ("Bank matches", "num"),
    ("Status", "text"),
    ("Time (s)", "num"),
)

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24}
h1{font-size:1.3em;margin:0 0 .3em}
p.meta{color:#57606a;margin:.2em 0 1em}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d0d7de;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{word-break:break-all;max-width:28em}
.chip{display:inline-block;padding:0 .5em;border-radius:1em;font-size:.9em;white-space:nowrap;
background:#eaeef2}
.v-ai_generated{background:#ffd8d3;color:#82071e}
.v-likely_ai_generated{background:#ffe2cc;color:#8a3b00}
.v-partly_ai_generated{background:#fff1c2;color:#6b4e00}
.v-camera_original{background:#d2f4dc;color:#0f5323}
.v-inconclusive{background:#eaeef2;color:#424a53}
.v-no_indicators{background:#ddf4ff;color:#0a3069}
.failed{color:#82071e}
nav{margin:1em 0}
"""

_JS = """
(function(){
var t=document.getElementById('rows');if(!t)return;
var ths=t.tHead.rows[0].cells;
function key(td,type){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;
if(type==='num'){var f=parseFloat(v);return isNaN(f)?-Infinity:f;}return v.toLowerCase();}
Array.prototype.forEach.call(ths,function(th,i){th.tabIndex=0;
function go(){var type=th.getAttribute('data-type');
var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
Array.prototype.forEach.call(ths,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',dir>0?'ascending':'descending');
var body=t.tBodies[0];var rs=Array.prototype.slice.call(body.rows);
rs.sort(function(a,b){var x=key(a.cells[i],type),y=key(b.cells[i],type);
return x<y?-dir:x>y?dir:(+a.cells[0].textContent)-(+b.cells[0].textContent);});
var frag=document.createDocumentFragment();rs.forEach(function(r){frag.appendChild(r);});
body.appendChild(frag);}
th.addEventListener('click',go);
th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});});
})();
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True, slots=True)
class IndexPages:
    """What `write_index` wrote: the page files in order and the rows they hold."""

    pages: tuple[Path, ...]
    rows: int


def esc(value: object) -> str:
    """Text for HTML: valid UTF-8, control characters as U+FFFD, escaped (quotes included)."""
    text = valid_text(str(value))
    text = "".join(ch if ch.isprintable() or ch in "\t\n" else "\ufffd" for ch in text)
    return html.escape(text, quote=True)


def safe_href(report_path: str | None, prefix: str = "") -> str | None:
    """A relative URL to a report, or None when `report_path` is not a plain relative path.

    Absolute paths, ``..`` and anything with a control character are refused; the rest is
    percent-encoded segment by segment (so ``javascript:x`` becomes the harmless ``javascript%3Ax``)."""
    if not report_path or not isinstance(report_path, str):
        return None
    path = report_path.replace("\\", "/")
    if any(not ch.isprintable() for ch in path) or path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    joined = posixpath.join(prefix, *parts) if prefix else "/".join(parts)
    return quote(valid_text(joined), safe="/")


def _page_name(first: Path, number: int) -> Path:
    return first if number == 1 else first.with_name(f"{first.stem}-{number}{first.suffix}")


def _num(value: Value) -> str:
    return "" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def _cell(text: str, sort: Value = None, cls: str = "") -> str:
    attrs = f' class="{cls}"' if cls else ""
    if sort is not None:
        attrs += f' data-v="{esc(sort)}"'
    return f"<td{attrs}>{text}</td>"


def row_html(row: BatchRow, prefix: str = "") -> str:
    """One `<tr>` of the table."""
    rec = record_of(row, ())
    name = esc(row.name)
    href = safe_href(row.report_path, prefix)
    name_html = f'<a href="{esc(href)}">{name}</a>' if href else name
    verdict = rec["verdict"]
    chip = (
        f'<span class="chip v-{esc(verdict)}">{esc(str(verdict).replace("_", " "))}</span>'
        if isinstance(verdict, str)
        else ""
    )
    handle = esc(rec["handle"] or "")
    if rec["handle_confidence"] is not None:
        handle += f" <small>({_num(rec['handle_confidence'])})</small>"
    signer = esc(rec["c2pa_signer"] or "")
    if rec["c2pa_trust"]:
        signer += f" <small>({esc(rec['c2pa_trust'])})</small>"
    bank = _num(rec["bank_matches"])
    if rec["bank_best_item_id"] is not None:
        best = f"#{rec['bank_best_item_id']}" + (
            f" {rec['bank_best_label']}" if rec["bank_best_label"] else ""
        )
        bank += f" <small>{esc(best)}</small>"
    status = esc(row.status.value)
    if row.error:
        status = f'<span class="failed">{status}: {esc(row.error)}</span>'
    cells = (
        _cell(str(row.position), row.position, "num"),
        _cell(name_html, row.name, "name"),
        _cell(chip, verdict),
        _cell(esc(rec["confidence"] or ""), rec["confidence"]),
        _cell(esc(rec["attribution"] or "")),
        _cell(handle, rec["handle"]),
        _cell(signer, rec["c2pa_signer"]),
        _cell(bank, rec["bank_matches"], "num"),
        _cell(status, row.status.value),
        _cell(_num(rec["elapsed_s"]), rec["elapsed_s"], "num"),
    )
    return "<tr>" + "".join(cells) + "</tr>\n"


def _head(fh: IO[str], title: str, number: int, previous: Path | None) -> None:
    heading = esc(title) + (f" — page {number}" if number > 1 else "")
    fh.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{heading}</title>\n<style>{_CSS}</style></head><body>\n<h1>{heading}</h1>\n"
        '<p class="meta">Click a column header to sort; rows are listed in input order.</p>\n'
    )
    if previous is not None:
        fh.write(f'<nav><a href="{esc(quote(previous.name))}">← previous page</a></nav>\n')
    fh.write('<table id="rows"><thead><tr>')
    for label, kind in HEADERS:
        fh.write(f'<th data-type="{kind}" scope="col">{esc(label)}</th>')
    fh.write("</tr></thead><tbody>\n")


def _foot(fh: IO[str], count: int, following: Path | None, page_rows: int) -> None:
    fh.write("</tbody></table>\n")
    note = f"{count} row{'s' if count != 1 else ''} on this page"
    if following is not None:
        note += f"; the index is split into pages of {page_rows} rows"
        fh.write(f'<nav><a href="{esc(quote(following.name))}">next page →</a></nav>\n')
    fh.write(f'<p class="meta">{esc(note)}.</p>\n<script>{_JS}</script>\n</body></html>\n')


def write_index(
    rows: Iterable[BatchRow],
    path: str | os.PathLike[str],
    *,
    title: str = "vidsleuth batch",
    reports_root: str | os.PathLike[str] | None = None,
    page_rows: int = PAGE_ROWS,
) -> IndexPages:
    """Write the index of `rows` to `path` (and following pages beyond `page_rows` rows).

    Report links are `row.report_path` taken relative to `reports_root` (default: the index's folder).
    Each page is written atomically. Raises ReportError when a page cannot be written."""
    if page_rows < 1:
        raise ValueError("page_rows must be at least 1")
    first = Path(path)
    prefix = ""
    if reports_root is not None:
        prefix = Path(os.path.relpath(Path(reports_root).resolve(), first.parent.resolve())).as_posix()
        prefix = "" if prefix == "." else prefix
    it: Iterator[BatchRow] = iter(rows)
    pending = next(it, None)
    pages: list[Path] = []
    total = 0
    try:
        while True:
            page = _page_name(first, len(pages) + 1)
            with atomic_text(page) as fh:
                _head(fh, title, len(pages) + 1, pages[-1] if pages else None)
                count = 0
                while pending is not None and count < page_rows:
                    fh.write(row_html(pending, prefix))
                    count += 1
                    pending = next(it, None)
                following = _page_name(first, len(pages) + 2) if pending is not None else None
                _foot(fh, count, following, page_rows)
            pages.append(page)
            total += count
            if pending is None:
                break
        number = len(pages) + 1  # pages an earlier, longer index left behind
        while (stale := _page_name(first, number)).is_file():
            stale.unlink()
            number += 1
        return IndexPages(tuple(pages), total)
    except OSError as exc:
        raise ReportError(f"cannot write the batch index {page}: {exc.strerror or exc}") from None
