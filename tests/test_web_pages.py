"""The web pages without a browser: the no-JavaScript paths (form upload, form review), what the case
page shows, and that the embedded report is served with a sandboxing policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from tests import media_factory as mf
from tests.web_support import make_settings, wait_for_case
from vidsleuth.web import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(tmp_path_factory.mktemp("web"))), follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="module")
def case(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    video = mf.stitched_4s_10s(tmp_path_factory.mktemp("v") / "posted.mp4").read_bytes()
    answer = client.post("/cases", files={"file": ("posted.mp4", video, "video/mp4")})  # the plain form
    assert answer.status_code == 303
    case_id = answer.headers["location"].rsplit("/", 1)[1]
    running = client.get(f"/cases/{case_id}")
    assert running.status_code == 200
    final = wait_for_case(client, case_id)
    assert final["status"] == "done"
    return final


def test_pages_render(client: TestClient, case: dict[str, Any]) -> None:
    home = client.get("/")
    assert home.status_code == 200 and 'name="file"' in home.text and "Up to 2 MB" in home.text
    listing = client.get("/cases", params={"name": "posted", "verdict": "no_indicators"})
    assert listing.status_code == 200 and "posted.mp4" in listing.text
    assert "No cases" not in listing.text
    empty = client.get("/cases", params={"name": "zzz-nothing"})
    assert "0 cases match" in empty.text
    assert client.get("/api-reference").status_code == 200


def test_case_page_shows_both_verdicts_and_downloads(client: TestClient, case: dict[str, Any]) -> None:
    page = client.get(case["links"]["page"]).text
    assert 'id="automatic-verdict"' in page and "No indicators" in page
    assert 'id="analyst-verdict"' in page and "None yet" in page
    assert f'src="/cases/{case["id"]}/view"' in page and "sandbox" in page
    for fmt in ("html", "json", "md"):
        assert f"/cases/{case['id']}/download/{fmt}" in page
    view = client.get(f"/cases/{case['id']}/view")
    assert view.status_code == 200
    assert "sandbox" in view.headers["content-security-policy"]
    assert view.headers["x-frame-options"] == "SAMEORIGIN"
    assert re.search(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]+" alt="', view.text), "a keyframe"
    download = client.get(f"/cases/{case['id']}/download/json")
    assert download.headers["content-disposition"].startswith('attachment; filename="posted-')


def test_review_through_forms(client: TestClient, case: dict[str, Any]) -> None:
    base = f"/cases/{case['id']}"
    note = client.post(f"{base}/notes", data={"text": "Reader tip, 2 May.", "signed_by": "G. Desk"})
    assert note.status_code == 303 and note.headers["location"] == f"{base}?saved=note#review"
    verdict = client.post(
        f"{base}/analyst-verdict",
        data={
            "label": "misattributed",
            "confidence": "high",
            "rationale": "Older footage.",
            "signed_by": "G. Desk",
        },
    )
    assert verdict.status_code == 303
    checklist = client.post(
        f"{base}/checklist",
        data={
            "signed_by": "H. Check",
            "answer_age_plausibility": "contradicts",
            "detail_age_plausibility": "23-year-old conscript",
            "answer_people": "",
        },
    )
    assert checklist.status_code == 303
    page = client.get(f"{base}?saved=checklist").text
    assert "Checklist saved." in page
    assert "Real footage, false context" in page and "signed by G. Desk" in page
    assert "No indicators" in page  # the automatic verdict is still shown beside it
    assert "Reader tip, 2 May." in page and "23-year-old conscript" in page and "H. Check" in page
    annotations = client.get(case["links"]["report_json"]).json()["annotations"]
    assert annotations["analyst_verdict"]["label"] == "misattributed"
    assert [r["item"] for r in annotations["checklist"]] == ["age_plausibility"]


def test_invalid_forms_explain_themselves(client: TestClient, case: dict[str, Any]) -> None:
    base = f"/cases/{case['id']}"
    unsigned = client.post(f"{base}/notes", data={"text": "hello", "signed_by": ""})
    assert unsigned.status_code == 422
    assert "Not saved" in unsigned.text and "author" in unsigned.text
    bad_label = client.post(f"{base}/analyst-verdict", data={"label": "fake", "signed_by": "x"})
    assert bad_label.status_code == 422 and "Not saved" in bad_label.text


def test_form_upload_errors_show_on_the_page(client: TestClient) -> None:
    empty = client.post("/cases", files={"file": ("empty.mp4", b"", "video/mp4")})
    assert empty.status_code == 422
    assert "the uploaded file is empty" in empty.text and 'role="alert"' in empty.text
    refused = client.post("/cases", data={"url": "http://169.254.169.254/latest/meta-data/"})
    assert refused.status_code == 422
    assert "link-local" in refused.text
