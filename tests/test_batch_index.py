"""The batch's HTML index: self-contained, one escaped row per input in input order, report links that are
relative paths only, a sortable table whose script the page's CSP allows by hash, and pages beyond the
row limit."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests import batch_factory as bf
from vidsleuth.batch.index_html import safe_href, write_index
from vidsleuth.batch.rows import BatchRow, RowStatus
from vidsleuth.errors import ReportError

XSS = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'


class Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def rows() -> list[BatchRow]:
    done = bf.row(
        "sora/clip 1.mp4", 0, bf.report([bf.watermark(), bf.provenance()]), report_path="reports/a b.html"
    )
    failed = bf.row("missing.mp4", 1, None, status=RowStatus.FAILED, error=f"missing: {XSS}")
    hostile = bf.row(
        f"{XSS}{ATTR}.mp4",
        2,
        bf.report([bf.watermark(f"@{XSS}"), bf.provenance(ATTR, XSS)]),
        report_path="javascript:alert(1)",
    )
    climbing = bf.row("up.mp4", 3, bf.report([]), report_path="../../etc/passwd")
    absolute = bf.row("abs.mp4", 4, bf.report([]), report_path="/etc/passwd")
    return [done, failed, hostile, climbing, absolute]


def test_the_index_lists_every_row_in_input_order_with_its_facts(tmp_path: Path) -> None:
    out = tmp_path / "index.html"
    result = write_index(rows(), out, title="Takedown list 2025-06-01")
    assert result.pages == (out,) and result.rows == 5
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    body_rows = re.findall(r"<tr>(.*?)</tr>", text.split("<tbody>")[1])
    assert len(body_rows) == 5
    firsts = [re.search(r'data-v="(\d+)"', r).group(1) for r in body_rows]  # type: ignore[union-attr]
    assert firsts == ["0", "1", "2", "3", "4"]
    assert "Takedown list 2025-06-01" in text
    assert 'class="chip v-ai_generated"' in body_rows[0] and "@AndrewDefee" in body_rows[0]
    assert "OpenAI Media Signer" in body_rows[0] and "(trusted)" in body_rows[0]
    assert "failed: missing: &lt;script&gt;" in body_rows[1]
    headers = [a.get("data-type") for a in page.all("th")]
    assert headers[0] == "num" and len(headers) == 10


def test_everything_is_escaped_and_links_are_plain_relative_paths(tmp_path: Path) -> None:
    out = tmp_path / "index.html"
    write_index(rows(), out)
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert XSS not in text and ATTR not in text
    assert not any(t == "img" for t, _ in page.tags)
    hrefs = [a["href"] for a in page.all("a")]
    assert hrefs == ["reports/a%20b.html", "javascript%3Aalert%281%29"]
    # the escaped hostile name is shown as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img" in text


@pytest.mark.parametrize(
    ("path", "href"),
    [
        ("reports/x.html", "reports/x.html"),
        ("./reports//x.html", "reports/x.html"),
        ("reports\\x.html", "reports/x.html"),
        ("javascript:alert(1)", "javascript%3Aalert%281%29"),
        ("JaVaScRiPt:x", "JaVaScRiPt%3Ax"),
        ("data:text/html,<b>", "data%3Atext/html%2C%3Cb%3E"),
        ("//evil.example/x", None),
        ("/etc/passwd", None),
        ("a/../../b", None),
        ("a\x00b", None),
        ("tab\tx", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_href(path: str | None, href: str | None) -> None:
    assert safe_href(path) == href


def test_reports_root_elsewhere_prefixes_links(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    write_index(rows()[:1], tmp_path / "site" / "index.html", reports_root=tmp_path)
    assert 'href="../reports/a%20b.html"' in (tmp_path / "site" / "index.html").read_text()


def test_the_page_is_self_contained_and_its_script_is_allowed_by_hash(tmp_path: Path) -> None:
    out = tmp_path / "index.html"
    write_index(rows(), out)
    text = out.read_text(encoding="utf-8")
    page = Page(text)
    assert not any(a.get("src") for _, a in page.tags)  # nothing loaded
    assert not page.all("link")
    [csp] = [a["content"] for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None and "default-src 'none'" in csp
    [script] = page.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "addEventListener('click'" in script  # sorting by header


def test_large_batches_are_split_into_linked_pages_and_stale_pages_go(tmp_path: Path) -> None:
    def many(n: int) -> Iterator[BatchRow]:
        for i in range(n):
            yield bf.row(f"{i}.mp4", i, None, status=RowStatus.FAILED, error="x")

    out = tmp_path / "index.html"
    result = write_index(many(7), out, page_rows=3)
    assert [p.name for p in result.pages] == ["index.html", "index-2.html", "index-3.html"]
    assert result.rows == 7
    first, second, third = (p.read_text() for p in result.pages)
    assert 'href="index-2.html"' in first and "previous page" not in first
    assert 'href="index.html"' in second and 'href="index-3.html"' in second
    assert "next page" not in third and third.count("<tr>") == 1 + 1  # header row + one
    write_index(many(2), out, page_rows=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_an_empty_batch_and_an_unwritable_path(tmp_path: Path) -> None:
    result = write_index([], tmp_path / "index.html")
    assert result.rows == 0 and "0 rows on this page" in (tmp_path / "index.html").read_text()
    with pytest.raises(ReportError, match="cannot write the batch index"):
        write_index([], tmp_path / "missing" / "index.html")
