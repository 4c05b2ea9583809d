"""The JSON API under /api: submit, poll, fetch reports, list cases, review. Documented by OpenAPI.

Thin by design: each route parses, calls the store or the pool, and renders. Analysis never runs in
a request; a submission is queued and answered 202 with the case's address to poll.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from vidsleuth._version import __version__
from vidsleuth.core.verdict import VerdictLabel
from vidsleuth.web.cases_store import QUEUED, STATUSES, CaseQuery, CaseStore
from vidsleuth.web.errors import ApiError
from vidsleuth.web.presenter import (
    MEDIA_TYPES,
    analyst_verdict_out,
    case_out,
    checklist_out,
    download_name,
    get_case,
    rendered,
)
from vidsleuth.web.review import ANALYST_CONFIDENCE, ANALYST_LABELS, CHECKLIST, CHECKLIST_ANSWERS
from vidsleuth.web.schemas import (
    AnalystLabel,
    AnalystVerdictIn,
    AnalystVerdictOut,
    CaseList,
    CaseOut,
    ChecklistIn,
    ChecklistItemOut,
    ChecklistOut,
    Health,
    NoteIn,
    NoteOut,
    Status,
    SubmitUrl,
    Vocabulary,
)
from vidsleuth.web.security import REPORT_CSP, require_api_auth
from vidsleuth.web.settings import ServerSettings
from vidsleuth.web.uploads import receive_upload
from vidsleuth.web.urlfetch import FetchError, UrlRefusedError, check_url

router = APIRouter(prefix="/api", dependencies=[Depends(require_api_auth)])
public = APIRouter(prefix="/api")
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": text,
        "content": {"application/json": {"example": {"error": {"code": c, "message": m}}}},
    }
    for code, text, c, m in (
        (401, "Missing or wrong bearer token", "unauthorized", "a valid bearer token is required"),
        (404, "No such case", "case_not_found", "there is no case 'abc'"),
        (422, "Invalid request", "invalid_request", "label: Input should be 'ai_generated', ..."),
    )
}
_SUBMIT_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        "application/json": {"schema": SubmitUrl.model_json_schema()},
    },
}


def store_of(request: Request) -> CaseStore:
    store: CaseStore = request.app.state.store
    return store


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


StoreDep = Annotated[CaseStore, Depends(store_of)]


async def submit_case(request: Request) -> CaseOut:
    """Queue a case from an upload or a URL (shared with the web form); raises ApiError."""
    settings, store = settings_of(request), store_of(request)
    waiting = await anyio.to_thread.run_sync(store.count, QUEUED)
    if waiting >= settings.max_queue:
        raise ApiError(
            503,
            "queue_full",
            f"{waiting} cases are waiting; try again in a minute",
            headers={"Retry-After": "60"},
        )
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("application/json", "application/x-www-form-urlencoded"):
        submit = await read_url_submission(request, ctype)
        if not settings.allow_urls:
            raise ApiError(403, "urls_disabled", "this server does not fetch URLs; upload the file instead")
        try:
            checked = await anyio.to_thread.run_sync(
                lambda: check_url(submit.url, exempt=settings.url_exempt_networks)
            )
        except UrlRefusedError as exc:
            raise ApiError(422, "url_refused", str(exc)) from None
        except FetchError as exc:
            raise ApiError(422, "url_unreachable", str(exc)) from None
        record = await anyio.to_thread.run_sync(
            lambda: store.create_case(display_name=checked.host, source_kind="url", source_url=checked.url)
        )
    else:
        upload = await receive_upload(request, settings.uploads_dir, settings.max_upload_bytes)
        record = await anyio.to_thread.run_sync(
            lambda: store.create_case(
                display_name=upload.display_name,
                source_kind="upload",
                stored_name=upload.stored_name,
                size_bytes=upload.size_bytes,
                sha256=upload.sha256,
            )
        )
    request.app.state.pool.wake()
    return case_out(record, store, analyst={})


async def read_small_body(request: Request, limit: int = 16384) -> bytes:
    """The whole body of a small request; ApiError 413 past `limit` bytes (checked while reading)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "too_large", f"this request body must be at most {limit // 1024} kB")
    return body


async def read_url_submission(request: Request, ctype: str) -> SubmitUrl:
    body = await read_small_body(request)
    try:
        if ctype == "application/json":
            return SubmitUrl.model_validate_json(body or b"null")
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
        return SubmitUrl.model_validate({"url": (fields.get("url") or [""])[0]})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "body"
        raise ApiError(422, "invalid_request", f"{field}: {first.get('msg', 'invalid')}") from None


@router.post(
    "/cases",
    status_code=202,
    response_model=CaseOut,
    summary="Submit a video (multipart file) or a URL (JSON)",
    openapi_extra={"requestBody": _SUBMIT_BODY},
    responses={
        **ERRORS,
        413: {"description": "The file is larger than the upload limit"},
        415: {"description": "Neither multipart/form-data nor JSON"},
        503: {"description": "Too many cases are waiting"},
    },
)
async def submit(request: Request) -> JSONResponse:
    """Queue an analysis. Upload the video as multipart/form-data in the field `file`, or send JSON
    `{"url": "https://..."}`. Answers 202 at once with the case; poll `links.self` until `status` is
    `done` (then fetch the report) or `failed` (then read `error`)."""
    out = await submit_case(request)
    return JSONResponse(out.model_dump(mode="json"), status_code=202, headers={"Location": out.links.self})


@router.get("/cases", response_model=CaseList, summary="List and search cases", responses=ERRORS)
def list_cases(
    store: StoreDep,
    name: Annotated[str | None, Query(max_length=200, description="Part of the file name")] = None,
    sha256: Annotated[str | None, Query(pattern="^[0-9a-fA-F]{4,64}$", description="Hash prefix")] = None,
    verdict: Annotated[VerdictLabel | None, Query(description="Automatic verdict label")] = None,
    analyst_verdict: Annotated[AnalystLabel | None, Query(description="Analyst verdict label")] = None,
    status: Annotated[Status | None, Query()] = None,
    since: Annotated[dt.date | None, Query(description="Submitted on or after this day (UTC)")] = None,
    until: Annotated[dt.date | None, Query(description="Submitted on or before this day (UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CaseList:
    """Newest first. Filters combine; leave one out to not filter on it."""
    query = case_query(
        name, sha256, verdict.value if verdict else None, analyst_verdict, status, since, until, limit, offset
    )
    records, total = store.search(query)
    return CaseList(total=total, limit=limit, offset=offset, items=[case_out(r, store) for r in records])


def case_query(
    name: str | None,
    sha256: str | None,
    verdict: str | None,
    analyst_verdict: str | None,
    status: str | None,
    since: dt.date | None,
    until: dt.date | None,
    limit: int = 50,
    offset: int = 0,
) -> CaseQuery:
    def day(d: dt.date) -> dt.datetime:
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)

    return CaseQuery(
        name=(name or "").strip() or None,
        sha256=(sha256 or "").strip().lower() or None,
        verdict=verdict or None,
        analyst_verdict=analyst_verdict or None,
        status=status if status in STATUSES else None,
        since=day(since) if since else None,
        until=day(until) + dt.timedelta(days=1) if until else None,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/cases/{case_id}", response_model=CaseOut, summary="A case: status, progress, verdicts", responses=ERRORS
)
def get_one(case_id: str, store: StoreDep) -> CaseOut:
    """Poll this while `status` is queued or running: `progress` shows each signal's state live."""
    return case_out(get_case(store, case_id), store)


@router.get(
    "/cases/{case_id}/report.{fmt}",
    summary="The report as json, html or md, with the analyst's review in its annotations",
    responses={**ERRORS, 409: {"description": "Not done yet, or the analysis failed"}},
)
def report_as(
    case_id: str, fmt: str, store: StoreDep, download: Annotated[bool, Query()] = False
) -> Response:
    """`fmt` is json, html or md. `?download=true` asks the browser to save it as a file."""
    record = get_case(store, case_id)
    text = rendered(store, record, fmt)
    return report_response(text, fmt, download_name(record, fmt) if download else None)


@router.get("/cases/{case_id}/report", summary="The JSON report (same as report.json)", responses=ERRORS)
def report_json(case_id: str, store: StoreDep) -> Response:
    record = get_case(store, case_id)
    return report_response(rendered(store, record, "json"), "json", None)


def report_response(text: str, fmt: str, filename: str | None) -> Response:
    headers = {"Content-Security-Policy": REPORT_CSP, "X-Frame-Options": "SAMEORIGIN"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(text.encode("utf-8"), media_type=MEDIA_TYPES[fmt], headers=headers)


@router.post(
    "/cases/{case_id}/notes", status_code=201, response_model=NoteOut, summary="Add a note", responses=ERRORS
)
def add_note(case_id: str, note: NoteIn, store: StoreDep) -> NoteOut:
    record = get_case(store, case_id)
    return NoteOut(**store.add_note(record.id, note.author, note.text))


@router.get(
    "/cases/{case_id}/notes", response_model=list[NoteOut], summary="The case's notes", responses=ERRORS
)
def list_notes(case_id: str, store: StoreDep) -> list[NoteOut]:
    return [NoteOut(**n) for n in store.notes(get_case(store, case_id).id)]


@router.put(
    "/cases/{case_id}/analyst-verdict",
    response_model=AnalystVerdictOut,
    summary="Set the analyst verdict (kept beside the automatic one)",
    responses=ERRORS,
)
def set_analyst_verdict(case_id: str, body: AnalystVerdictIn, store: StoreDep) -> AnalystVerdictOut:
    """The automatic verdict is never changed. Earlier analyst verdicts are kept as history."""
    record = get_case(store, case_id)
    saved = store.set_analyst_verdict(
        record.id,
        label=body.label,
        confidence=body.confidence,
        rationale=body.rationale,
        signed_by=body.signed_by,
    )
    return analyst_verdict_out(saved)


@router.put(
    "/cases/{case_id}/checklist",
    response_model=ChecklistOut,
    summary="Answer the context checklist",
    responses=ERRORS,
)
def set_checklist(case_id: str, body: ChecklistIn, store: StoreDep) -> ChecklistOut:
    """Answers for the items given are signed by `signed_by` now; other items keep their answers."""
    record = get_case(store, case_id)
    store.set_checklist(record.id, body.signed_by, {k: (v.answer, v.detail) for k, v in body.answers.items()})
    return ChecklistOut(answers=checklist_out(store, record.id))


@router.get(
    "/cases/{case_id}/checklist",
    response_model=ChecklistOut,
    summary="The current checklist",
    responses=ERRORS,
)
def get_checklist(case_id: str, store: StoreDep) -> ChecklistOut:
    return ChecklistOut(answers=checklist_out(store, get_case(store, case_id).id))


@router.get("/vocabulary", response_model=Vocabulary, summary="Analyst labels and checklist items")
def vocabulary() -> Vocabulary:
    return Vocabulary(
        analyst_labels=dict(ANALYST_LABELS),
        analyst_confidence=list(ANALYST_CONFIDENCE),
        checklist_items=[ChecklistItemOut(key=i.key, title=i.title, question=i.question) for i in CHECKLIST],
        checklist_answers=dict(CHECKLIST_ANSWERS),
    )


@public.get("/health", response_model=Health, summary="Liveness and queue length (no auth)")
def health(request: Request) -> Health:
    stats = request.app.state.pool.stats()
    queued = store_of(request).count(QUEUED)
    return Health(status="ok", version=__version__, workers=stats["ready"], busy=stats["busy"], queued=queued)
