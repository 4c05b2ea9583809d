"""End to end in a real browser: Playwright drives Debian's Chromium (headless) against `vidsleuth serve`
on loopback. Upload a generated video through the page, watch it finish, check that the verdict and a
keyframe are on the page, sign an analyst verdict, and see a bad upload explained. Screenshots are
saved under the test's tmp dir.

Skipped, with the reason, when the playwright package or the chromium binary is missing (browser
downloads are not possible here: Playwright is pointed at /usr/bin/chromium, or $VIDSLEUTH_CHROMIUM).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

from tests import media_factory as mf  # noqa: E402
from tests.web_support import running_server  # noqa: E402

CHROMIUM = os.environ.get("VIDSLEUTH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("e2e"), "--workers", "2") as (base, _pid):
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems
    yield pg
    context.close()


def test_upload_watch_read_and_review(server: str, page: Any, tmp_path: Path) -> None:
    video = mf.stitched_4s_10s(tmp_path / "conscript_video.mp4")
    page.goto(server + "/")
    page.set_input_files("#file", str(video))
    page.click("#upload-button")
    page.wait_for_url("**/cases/*")
    page.wait_for_selector("#automatic-verdict", timeout=90_000)  # the page reloads itself when done

    verdict = page.inner_text("#automatic-verdict")
    assert "automatic verdict" in verdict.lower() and "No indicators" in verdict
    report = page.frame_locator("#report")
    keyframe = report.locator("#shots img[src^='data:image/jpeg;base64,']").first
    keyframe.wait_for(timeout=30_000)
    assert keyframe.is_visible()
    assert "No indicators" in report.locator("#verdict").inner_text()
    page.screenshot(path=str(tmp_path / "case.png"))

    page.select_option("#verdict-panel select[name=label]", "ai_generated")
    page.fill(
        "#verdict-panel textarea[name=rationale]", "A 23-year-old conscript: outside the conscription age."
    )
    page.fill("#verdict-panel input[name=signed_by]", "E2E Analyst")
    page.click("#verdict-panel button[type=submit]")
    page.wait_for_selector("text=Analyst verdict saved.")
    assert "AI-generated" in page.inner_text("#analyst-verdict")
    assert "No indicators" in page.inner_text("#automatic-verdict")  # beside, not replaced
    page.screenshot(path=str(tmp_path / "case-reviewed.png"), full_page=True)
    assert (tmp_path / "case.png").stat().st_size > 10_000
    assert page.problems == []  # no script error and no Content-Security-Policy violation


def test_bad_upload_is_explained(server: str, page: Any, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("this is not a video\n" * 50)
    page.goto(server + "/")
    page.set_input_files("#file", str(junk))
    page.click("#upload-button")
    page.wait_for_selector("#failure", timeout=60_000)
    assert "could not be analysed" in page.inner_text("#failure")
    assert "not a readable video file" in page.inner_text("#failure")
    page.screenshot(path=str(tmp_path / "failed.png"))
    page.goto(server + "/cases")
    assert "notes.txt" in page.inner_text("table.cases")
    assert page.problems == []
