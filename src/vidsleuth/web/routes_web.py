"""The web pages: upload, watch the checks run, read the report, review it, browse past cases.

Server-rendered (Jinja2, autoescaped) so every page works without JavaScript; /static/app.js only
adds drag-and-drop, live progress and the permalink button. Forms post back here and redirect (303)
to the case page, so a reload never resubmits. The report itself is the self-contained HTML report,
served from its own route into a sandboxed frame.
"""

from __future__ import annotations

import urllib.parse
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from vidsleuth.core.verdict import VerdictLabel
from vidsleuth.web.cases_store import DONE, QUEUED, RUNNING, CaseQuery, CaseStore, iso
from vidsleuth.web.errors import ApiError
from vidsleuth.web.presenter import case_out, checklist_out, download_name, get_case, rendered
from vidsleuth.web.review import ANALYST_CONFIDENCE, ANALYST_LABELS, CHECKLIST, CHECKLIST_ANSWERS
from vidsleuth.web.routes_api import case_query, read_small_body, report_response, store_of, submit_case
from vidsleuth.web.schemas import AnalystVerdictIn, ChecklistIn, NoteIn
from vidsleuth.web.security import SESSION_COOKIE, require_page_auth, session_value, token_matches

router = APIRouter(dependencies=[Depends(require_page_auth)], include_in_schema=False)
login_router = APIRouter(include_in_schema=False)
StoreDep = Annotated[CaseStore, Depends(store_of)]
SAVED = {"note": "Note added.", "verdict": "Analyst verdict saved.", "checklist": "Checklist saved."}
TONES = {
    "ai_generated": "alert",
    "likely_ai_generated": "alert",
    "partly_ai_generated": "alert",
    "inconclusive": "caution",
    "camera_original": "attested",
    "manipulated": "alert",
    "misattributed": "alert",
    "authentic": "attested",
}


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    response: Response = request.app.state.templates.TemplateResponse(
        request, name, {"tones": TONES, **context}, status_code=status
    )
    return response


async def small_form(request: Request) -> dict[str, str]:
    body = await read_small_body(request, 64 * 1024)
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=50)
    return dict(pairs)


@router.get("/")
def index(request: Request) -> Response:
    return page(request, "index.html.j2")


@router.post("/cases")
async def submit_form(request: Request) -> Response:
    try:
        out = await submit_case(request)
    except ApiError as exc:
        return page(request, "index.html.j2", status=exc.status, error=exc.message)
    return RedirectResponse(f"/cases/{out.id}", status_code=303)


@router.get("/cases")
def cases(
    request: Request,
    store: StoreDep,
    name: str = "",
    sha256: str = "",
    verdict: str = "",
    analyst_verdict: str = "",
    status: str = "",
    since: str = "",
    until: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
) -> Response:
    import datetime as dt

    def day(text: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(text) if text else None
        except ValueError:
            return None

    sha = "".join(c for c in sha256.lower() if c in "0123456789abcdef")[:64]
    limit = 50
    query = case_query(
        name[:200],
        sha,
        verdict if verdict in {v.value for v in VerdictLabel} else None,
        analyst_verdict if analyst_verdict in ANALYST_LABELS else None,
        status,
        day(since),
        day(until),
        limit,
        (page_no - 1) * limit,
    )
    records, total = store.search(query)
    return page(
        request,
        "cases.html.j2",
        rows=[case_out(r, store) for r in records],
        total=total,
        filters={
            "name": name,
            "sha256": sha256,
            "verdict": verdict,
            "analyst_verdict": analyst_verdict,
            "status": status,
            "since": since,
            "until": until,
        },
        labels=[(v.value, v.headline) for v in VerdictLabel],
        analyst_labels=ANALYST_LABELS,
        any_filter=any((name, sha256, verdict, analyst_verdict, status, since, until)),
    )


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str, store: StoreDep, saved: str = "") -> Response:
    record = get_case(store, case_id)
    return _case_page(request, store, record.id, saved=SAVED.get(saved, ""))


def _case_page(request: Request, store: CaseStore, case_id: str, status: int = 200, **extra: Any) -> Response:
    record = get_case(store, case_id)
    verdicts = store.analyst_verdicts(record.id)
    out = case_out(record, store, analyst=verdicts[-1] if verdicts else {})
    checklist = {a.item: a for a in checklist_out(store, record.id)}
    same: list[Any] = []
    if record.sha256:
        others, _ = store.search(CaseQuery(sha256=record.sha256, limit=6))
        same = [o for o in others if o.id != record.id][:5]
    return page(
        request,
        "case.html.j2",
        status=status,
        case=out,
        live=record.status in (QUEUED, RUNNING),
        done=record.status == DONE,
        submitted=iso(record.created_at),
        history=verdicts[:-1],
        notes=store.notes(record.id),
        checklist=checklist,
        items=CHECKLIST,
        answers=CHECKLIST_ANSWERS,
        analyst_labels=ANALYST_LABELS,
        confidences=ANALYST_CONFIDENCE,
        same_file=same,
        **extra,
    )


@router.get("/cases/{case_id}/view")
def report_view(case_id: str, store: StoreDep) -> Response:
    """The HTML report (with the review in its annotations) for the page's sandboxed frame."""
    record = get_case(store, case_id)
    return report_response(rendered(store, record, "html"), "html", None)


@router.get("/cases/{case_id}/download/{fmt}")
def download(case_id: str, fmt: str, store: StoreDep) -> Response:
    record = get_case(store, case_id)
    return report_response(rendered(store, record, fmt), fmt, download_name(record, fmt))


async def _review(request: Request, store: CaseStore, case_id: str, kind: str, save: Any) -> Response:
    record = await anyio.to_thread.run_sync(get_case, store, case_id)
    form = await small_form(request)
    try:
        await anyio.to_thread.run_sync(save, record.id, form)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "form"
        message = f"Not saved — {field.replace('_', ' ')}: {first.get('msg', 'invalid')}"
        return await anyio.to_thread.run_sync(
            lambda: _case_page(request, store, record.id, status=422, form_error=message, form_kind=kind)
        )
    return RedirectResponse(f"/cases/{record.id}?saved={kind}#review", status_code=303)


@router.post("/cases/{case_id}/notes")
async def add_note(request: Request, case_id: str, store: StoreDep) -> Response:
    def save(cid: str, form: dict[str, str]) -> None:
        note = NoteIn(author=form.get("signed_by", ""), text=form.get("text", ""))
        store.add_note(cid, note.author, note.text)

    return await _review(request, store, case_id, "note", save)


@router.post("/cases/{case_id}/analyst-verdict")
async def set_verdict(request: Request, case_id: str, store: StoreDep) -> Response:
    def save(cid: str, form: dict[str, str]) -> None:
        body = AnalystVerdictIn.model_validate(
            {k: form.get(k, "") for k in ("label", "confidence", "rationale", "signed_by")}
        )
        store.set_analyst_verdict(
            cid,
            label=body.label,
            confidence=body.confidence,
            rationale=body.rationale,
            signed_by=body.signed_by,
        )

    return await _review(request, store, case_id, "verdict", save)


@router.post("/cases/{case_id}/checklist")
async def set_checklist(request: Request, case_id: str, store: StoreDep) -> Response:
    def save(cid: str, form: dict[str, str]) -> None:
        current = {a.item: (a.answer, a.detail) for a in checklist_out(store, cid)}
        answers: dict[str, dict[str, str]] = {}
        for item in CHECKLIST:
            answer, detail = form.get(f"answer_{item.key}", ""), form.get(f"detail_{item.key}", "").strip()
            if not answer or current.get(item.key) == (answer, detail):
                continue  # unanswered, or unchanged: keep who signed it before
            answers[item.key] = {"answer": answer, "detail": detail}
        if not answers:
            return
        body = ChecklistIn.model_validate({"signed_by": form.get("signed_by", ""), "answers": answers})
        store.set_checklist(cid, body.signed_by, {k: (v.answer, v.detail) for k, v in body.answers.items()})

    return await _review(request, store, case_id, "checklist", save)


@router.get("/api-reference")
def api_reference(request: Request) -> Response:
    spec = request.app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                }
            )
    return page(request, "api.html.j2", endpoints=endpoints)


@login_router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    return page(request, "login.html.j2", next=_local(next))


@login_router.post("/login")
async def login(request: Request) -> Response:
    settings = request.app.state.settings
    form = await small_form(request)
    target = _local(form.get("next", "/"))
    if not settings.token:
        return RedirectResponse(target, status_code=303)
    if not token_matches(form.get("token", "").strip(), settings.token):
        return page(request, "login.html.j2", status=401, next=target, error="That token is not right.")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(settings.token),
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=12 * 3600,
        path="/",
    )
    return response


@login_router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _local(target: str) -> str:
    """Only same-site paths after sign-in (no open redirect to another host)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
