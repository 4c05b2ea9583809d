"""The HTTP API in-process (FastAPI's TestClient, real worker processes): submit a generated video,
poll it to the end, fetch the report in three formats, search cases, and review a case (notes, an
analyst verdict beside the automatic one, the context checklist with who signed it)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

from tests import media_factory as mf
from tests.web_support import make_settings, wait_for_case
from vidsleuth.web import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("api-data")
    with TestClient(create_app(make_settings(data))) as c:
        yield c


@pytest.fixture(scope="module")
def seed_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The seed case's structure: a 4 s shot then a 10 s shot (two keyframes in the report)."""
    return mf.stitched_4s_10s(tmp_path_factory.mktemp("videos") / "seed.mp4").read_bytes()


@pytest.fixture(scope="module")
def done_case(client: TestClient, seed_video: bytes) -> dict[str, Any]:
    response = client.post("/api/cases", files={"file": ("seed clip.mp4", seed_video, "video/mp4")})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    assert response.headers["location"] == f"/api/cases/{body['id']}"
    final = wait_for_case(client, body["id"])
    assert final["status"] == "done", final
    return final


def test_submit_poll_done(done_case: dict[str, Any], seed_video: bytes) -> None:
    import hashlib

    assert done_case["display_name"] == "seed clip.mp4"
    assert done_case["sha256"] == hashlib.sha256(seed_video).hexdigest()
    assert done_case["size_bytes"] == len(seed_video)
    assert done_case["verdict"]["label"] == "no_indicators"
    assert done_case["analyst_verdict"] is None
    assert done_case["error"] is None
    # Each signal's final state is in the progress, as the page shows it.
    assert set(done_case["progress"]["signals"]) >= {"metadata", "provenance", "shots"}
    assert done_case["progress"]["signals"]["shots"] == "ok"
    assert done_case["progress"]["stage"] == "done"


def test_report_in_three_formats(client: TestClient, done_case: dict[str, Any]) -> None:
    links = done_case["links"]
    as_json = client.get(links["report_json"])
    assert as_json.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    report = as_json.json()
    assert report["verdict"]["label"] == "no_indicators"
    assert report["source"]["sha256"] == done_case["sha256"]
    assert report["annotations"]["case"]["id"] == done_case["id"]
    assert client.get(f"{links['self']}/report").json()["verdict"] == report["verdict"]

    html = client.get(links["report_html"])
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "sandbox" in html.headers["content-security-policy"]
    assert "No indicators" in html.text
    assert 'src="data:image/jpeg;base64,' in html.text  # a keyframe

    md = client.get(links["report_md"])
    assert md.status_code == 200
    assert md.headers["content-type"].startswith("text/markdown")
    assert "No indicators" in md.text

    download = client.get(links["report_md"], params={"download": "true"})
    assert (
        download.headers["content-disposition"]
        == f'attachment; filename="seed_clip-{done_case["sha256"][:8]}.report.md"'
    )
    assert client.get(f"{links['self']}/report.pdf").json()["error"]["code"] == "unknown_format"


def test_list_and_search(client: TestClient, done_case: dict[str, Any]) -> None:
    def ids(**params: Any) -> set[str]:
        response = client.get("/api/cases", params=params)
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    me = done_case["id"]
    today = dt.datetime.now(dt.UTC).date()
    assert me in ids()
    assert me in ids(name="SEED")
    assert me not in ids(name="nothing-like-it")
    assert me in ids(sha256=done_case["sha256"][:10])
    assert me not in ids(sha256="0000000000")
    assert me in ids(verdict="no_indicators")
    assert me not in ids(verdict="ai_generated")
    assert me in ids(status="done", since=str(today), until=str(today))
    assert me not in ids(until=str(today - dt.timedelta(days=1)))
    assert me not in ids(since=str(today + dt.timedelta(days=1)))
    page = client.get("/api/cases", params={"limit": 1}).json()
    assert page["limit"] == 1 and len(page["items"]) == 1 and page["total"] >= 1
    bad = client.get("/api/cases", params={"verdict": "fake", "limit": 0})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_request"


def test_notes(client: TestClient, done_case: dict[str, Any]) -> None:
    url = f"/api/cases/{done_case['id']}/notes"
    created = client.post(url, json={"author": "R. Analyst", "text": "Sent by a reader on 1 May."})
    assert created.status_code == 201, created.text
    assert created.json()["author"] == "R. Analyst"
    notes = client.get(url).json()
    assert [n["text"] for n in notes][-1] == "Sent by a reader on 1 May."
    empty = client.post(url, json={"author": "R. Analyst", "text": ""})
    assert empty.status_code == 422
    assert empty.json()["error"]["message"].startswith("text:")
    control = client.post(url, json={"author": "x\x1b[31m", "text": "hi"})
    assert control.status_code == 422


def test_analyst_verdict_is_kept_beside_the_automatic_one(
    client: TestClient, done_case: dict[str, Any]
) -> None:
    url = f"/api/cases/{done_case['id']}/analyst-verdict"
    first = client.put(url, json={"label": "unverified", "signed_by": "A. First"})
    assert first.status_code == 200, first.text
    second = client.put(
        url,
        json={
            "label": "ai_generated",
            "confidence": "high",
            "rationale": "The stated age contradicts the conscription age.",
            "signed_by": "B. Second",
        },
    )
    assert second.json()["headline"] == "AI-generated"
    case = client.get(f"/api/cases/{done_case['id']}").json()
    assert case["verdict"]["label"] == "no_indicators"  # the automatic verdict is untouched
    assert case["analyst_verdict"]["label"] == "ai_generated"
    assert case["analyst_verdict"]["signed_by"] == "B. Second"
    report = client.get(done_case["links"]["report_json"]).json()
    assert report["verdict"]["label"] == "no_indicators"
    review = report["annotations"]["analyst_verdict"]
    assert (review["label"], review["signed_by"]) == ("ai_generated", "B. Second")
    assert [v["signed_by"] for v in report["annotations"]["analyst_verdict_history"]] == ["A. First"]
    assert client.get("/api/cases", params={"analyst_verdict": "ai_generated"}).json()["total"] >= 1
    bad = client.put(url, json={"label": "fake", "signed_by": "x"})
    assert bad.status_code == 422
    unsigned = client.put(url, json={"label": "authentic"})
    assert unsigned.status_code == 422
    assert "signed_by" in unsigned.json()["error"]["message"]


def test_checklist_answers_are_signed(client: TestClient, done_case: dict[str, Any]) -> None:
    url = f"/api/cases/{done_case['id']}/checklist"
    body = {
        "signed_by": "C. Checker",
        "answers": {
            "age_plausibility": {
                "answer": "contradicts",
                "detail": "A 23-year-old conscript: outside the age.",
            },
            "claimed_place": {"answer": "unclear", "detail": ""},
        },
    }
    saved = client.put(url, json=body)
    assert saved.status_code == 200, saved.text
    later = client.put(
        url, json={"signed_by": "D. Later", "answers": {"claimed_place": {"answer": "consistent"}}}
    )
    answers = {a["item"]: a for a in later.json()["answers"]}
    assert answers["age_plausibility"]["signed_by"] == "C. Checker"
    assert answers["claimed_place"]["signed_by"] == "D. Later"
    assert answers["claimed_place"]["answer"] == "consistent"
    assert answers["age_plausibility"]["signed_at"].endswith("Z")
    assert client.get(url).json() == later.json()

    report = client.get(done_case["links"]["report_json"]).json()
    rows = {r["item"]: r for r in report["annotations"]["checklist"]}
    assert rows["age_plausibility"]["answer"] == "contradicts"
    assert rows["age_plausibility"]["signed_by"] == "C. Checker"
    assert "conscript" in client.get(done_case["links"]["report_html"]).text

    unknown = client.put(url, json={"signed_by": "x", "answers": {"horoscope": {"answer": "consistent"}}})
    assert unknown.status_code == 422
    assert "horoscope" in unknown.json()["error"]["message"]


def test_vocabulary_and_openapi(client: TestClient) -> None:
    vocab = client.get("/api/vocabulary").json()
    assert "age_plausibility" in {i["key"] for i in vocab["checklist_items"]}
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/cases", "post"),
        ("/api/cases", "get"),
        ("/api/cases/{case_id}", "get"),
        ("/api/cases/{case_id}/report.{fmt}", "get"),
        ("/api/cases/{case_id}/notes", "post"),
        ("/api/cases/{case_id}/analyst-verdict", "put"),
        ("/api/cases/{case_id}/checklist", "put"),
    ]:
        assert method in paths[path], (path, method)
    body = paths["/api/cases"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
    assert not any(p.startswith(("/cases", "/login")) for p in paths)  # pages are not API


def test_report_not_ready_and_unknown_case(client: TestClient, tmp_path: Path) -> None:
    missing = client.get("/api/cases/" + "0" * 32)
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "case_not_found", "message": f"there is no case {'0' * 32!r}"}
    }
    assert client.get("/api/cases/not-an-id").json()["error"]["code"] == "case_not_found"
    assert client.get("/api/cases/" + "0" * 32 + "/report.json").status_code == 404


def test_health(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok"
    assert health["workers"] >= 1


def test_review_is_in_json_and_html_reports(client: TestClient, done_case: dict[str, Any]) -> None:
    client.post(
        f"/api/cases/{done_case['id']}/notes", json={"author": "E. Notes", "text": "unique-note-4711"}
    )
    report = client.get(done_case["links"]["report_json"]).json()
    assert "unique-note-4711" in json.dumps(report["annotations"])
    assert "unique-note-4711" in client.get(done_case["links"]["report_html"]).text


def test_review_is_in_markdown_report(client: TestClient, done_case: dict[str, Any]) -> None:
    client.post(
        f"/api/cases/{done_case['id']}/notes", json={"author": "F. Notes", "text": "unique-note-0815"}
    )
    assert "unique-note-0815" in client.get(done_case["links"]["report_md"]).text
