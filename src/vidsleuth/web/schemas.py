"""The JSON shapes of the HTTP API (pydantic models), which FastAPI turns into the OpenAPI document."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vidsleuth.web.review import ANALYST_CONFIDENCE, ANALYST_LABELS, CHECKLIST_ANSWERS, CHECKLIST_KEYS

AnalystLabel = Literal[
    "ai_generated", "partly_ai_generated", "manipulated", "misattributed", "authentic", "unverified"
]
AnalystConfidence = Literal["high", "medium", "low"]
ChecklistAnswerValue = Literal["consistent", "contradicts", "unclear", "not_applicable"]
Status = Literal["queued", "running", "done", "failed"]

assert set(AnalystLabel.__args__) == set(ANALYST_LABELS)  # type: ignore[attr-defined]
assert set(AnalystConfidence.__args__) == set(ANALYST_CONFIDENCE)  # type: ignore[attr-defined]
assert set(ChecklistAnswerValue.__args__) == set(CHECKLIST_ANSWERS)  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _no_controls(value: str) -> str:
    bad = [c for c in value if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    if bad or any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in value):
        raise ValueError("must not contain control or text-direction characters")
    return value


class SubmitUrl(_Strict):
    url: str = Field(min_length=1, max_length=2048, description="A direct video link, or a post URL.")


class NoteIn(_Strict):
    author: str = Field(min_length=1, max_length=120, description="Who wrote the note.")
    text: str = Field(min_length=1, max_length=10_000)

    _clean = field_validator("author", "text")(_no_controls)


class AnalystVerdictIn(_Strict):
    label: AnalystLabel
    confidence: AnalystConfidence = "medium"
    rationale: str = Field(default="", max_length=10_000, description="Why; cite what you checked.")
    signed_by: str = Field(min_length=1, max_length=120, description="The analyst who signs this verdict.")

    _clean = field_validator("rationale", "signed_by")(_no_controls)


class ChecklistAnswerIn(_Strict):
    answer: ChecklistAnswerValue
    detail: str = Field(default="", max_length=2000, description="What was checked, with sources.")

    _clean = field_validator("detail")(_no_controls)


class ChecklistIn(_Strict):
    signed_by: str = Field(min_length=1, max_length=120)
    answers: dict[str, ChecklistAnswerIn] = Field(
        min_length=1, description="Answers by item key; items left out keep their current answer."
    )

    _clean = field_validator("signed_by")(_no_controls)

    @field_validator("answers")
    @classmethod
    def _known_items(cls, answers: dict[str, ChecklistAnswerIn]) -> dict[str, ChecklistAnswerIn]:
        unknown = sorted(set(answers) - CHECKLIST_KEYS)
        if unknown:
            raise ValueError(
                f"unknown checklist item(s) {unknown}; expected some of {sorted(CHECKLIST_KEYS)}"
            )
        return answers


class NoteOut(BaseModel):
    id: int
    author: str
    text: str
    created_at: str


class AnalystVerdictOut(BaseModel):
    label: AnalystLabel
    headline: str
    confidence: AnalystConfidence
    rationale: str
    signed_by: str
    signed_at: str


class ChecklistAnswerOut(BaseModel):
    item: str
    title: str
    question: str
    answer: ChecklistAnswerValue
    detail: str
    signed_by: str
    signed_at: str


class ChecklistOut(BaseModel):
    answers: list[ChecklistAnswerOut]


class VerdictBrief(BaseModel):
    label: str
    headline: str
    confidence: str | None


class ErrorInfo(BaseModel):
    code: str
    message: str


class Progress(BaseModel):
    stage: str = Field(
        description="queued, starting, fetch, hash, probe, signal, decode, fuse, done or failed"
    )
    decode: float | None = Field(default=None, description="Fraction of the shared decode done, 0 to 1.")
    signals: dict[str, str] = Field(default_factory=dict, description="Signal name to waiting/running/ok/...")


class CaseLinks(BaseModel):
    self: str
    page: str
    report_json: str
    report_html: str
    report_md: str


class CaseOut(BaseModel):
    id: str
    status: Status
    created_at: str
    updated_at: str
    finished_at: str | None
    display_name: str
    source: dict[str, Any]
    size_bytes: int | None
    sha256: str | None
    progress: Progress
    verdict: VerdictBrief | None = Field(description="The automatic verdict, once the analysis is done.")
    analyst_verdict: AnalystVerdictOut | None = Field(description="Shown beside the automatic verdict.")
    error: ErrorInfo | None
    links: CaseLinks


class CaseList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CaseOut]


class ChecklistItemOut(BaseModel):
    key: str
    title: str
    question: str


class Vocabulary(BaseModel):
    analyst_labels: dict[str, str]
    analyst_confidence: list[str]
    checklist_items: list[ChecklistItemOut]
    checklist_answers: dict[str, str]


class Health(BaseModel):
    status: str
    version: str
    workers: int
    busy: int
    queued: int
