"""`POST /api/hash` and `POST /api/match`: hash a file, or match hashes (or a file) against the bank.

Platforms that use Meta's HMA run the hasher on the upload path and the matcher elsewhere; these two
routes let vidsleuth be either. /api/hash answers a video's or an image's PDQ frame hashes and its
vPDQ-style fingerprint and stores nothing (the upload is deleted once hashed). /api/match takes those
hashes (vidsleuth's frame rows, bare PDQ hex, or HMA's vPDQ strings) or a file, and answers the banked
items that match, with distances, matched time ranges on both sides, ids, labels and sources: the same
matches the `fingerprint` signal reports for the same file, because it hashes the same way
(`hashing.hash_upload`) and searches with the same rules and index (`fingerprint.search.BankSearcher`).

Hashing runs in worker processes with the analyses' memory and time limits (`hashing.HashService`); the
bank's index is built (or loaded from the bank's index cache) once per bank revision and kept in memory
(`BankMatcher`), and searched in a thread, so the event loop never blocks. Both routes sit behind the
same bearer token as the rest of the API.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import threading
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from vidsleuth.core.options import SignalOptions
from vidsleuth.errors import ConfigError
from vidsleuth.fingerprint.bits import hash_from_hex
from vidsleuth.fingerprint.index_choice import IndexChoice
from vidsleuth.fingerprint.matching import MatchRules
from vidsleuth.fingerprint.search import BankSearcher
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint
from vidsleuth.signals.fingerprint.options import FingerprintOptions
from vidsleuth.web.errors import ApiError
from vidsleuth.web.hashing import HashJob, HashService
from vidsleuth.web.routes_api import ERRORS
from vidsleuth.web.schemas_hash import (
    MAX_MATCH_BODY,
    MAX_QUERY_HASHES,
    FrameIn,
    HashOut,
    MatchIn,
    MatchResponse,
)
from vidsleuth.web.security import require_api_auth
from vidsleuth.web.settings import ServerSettings
from vidsleuth.web.uploads import Upload, receive_upload

router = APIRouter(prefix="/api", dependencies=[Depends(require_api_auth)], tags=["hash and match"])

_FILE_SCHEMA = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}},
    "required": ["file"],
}
_HASH_BODY = {"required": True, "content": {"multipart/form-data": {"schema": _FILE_SCHEMA}}}


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """A JSON schema with its local `$defs` references replaced by what they name (for openapi_extra)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inlined(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inlined(v, defs) for v in node]
    return node


_MATCH_SCHEMA = MatchIn.model_json_schema()
_MATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": _inlined(_MATCH_SCHEMA, _MATCH_SCHEMA.get("$defs", {}))},
        "multipart/form-data": {"schema": _FILE_SCHEMA},
    },
}
_FILE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    413: {"description": "The file (or JSON body) is larger than the limit"},
    415: {"description": "Not multipart/form-data (or, for /api/match, JSON)"},
    503: {"description": "Every hashing process is busy, or the bank cannot be read"},
}


@dataclass(frozen=True, slots=True)
class _BankState:
    location: str
    revision: int
    rules: MatchRules
    choice: IndexChoice
    searcher: BankSearcher
    info: dict[str, Any]


class BankMatcher:
    """The bank's searcher, built once per bank revision (and rules) and shared by every request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: _BankState | None = None

    def match(
        self,
        fp: VideoFingerprint,
        location: str,
        rules: MatchRules,
        include_non_matches: bool,
        choice: IndexChoice | None = None,
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """(bank info, matches as dictionaries, strongest first). Blocking; raises ApiError.

        `choice` is the index layout (one compact index, or shards) from the fingerprint options."""
        state = self._searcher(location, rules, choice or IndexChoice())
        found = state.searcher.search(fp, include_non_matches=include_non_matches)
        return state.info, [m.to_dict() for m in found]

    def _searcher(self, location: str, rules: MatchRules, choice: IndexChoice) -> _BankState:
        from vidsleuth.bank import Bank, BankError

        with self._lock:
            try:
                with Bank.open(location, create=False) as bank:
                    revision = bank.revision()
                    state = self._state
                    if state is not None and (
                        state.location,
                        state.revision,
                        state.rules,
                        state.choice,
                    ) == (location, revision, rules, choice):
                        return state
                    snapshot = bank.snapshot()
                    cache = bank.index_cache()
                    info = {
                        "location": bank.display,
                        "revision": snapshot.revision,
                        "items": len(snapshot.items),
                        "frames": snapshot.frame_count,
                    }
            except BankError as exc:
                raise ApiError(
                    503,
                    "bank_unavailable",
                    str(exc).splitlines()[0] if str(exc) else "the bank cannot be read",
                ) from None
            searcher = BankSearcher(snapshot, rules, cache=cache, choice=choice)
            self._state = _BankState(location, revision, rules, choice, searcher, info)
            return self._state


def fingerprint_options(settings: ServerSettings) -> FingerprintOptions:
    """The fingerprint signal's options as analyses on this server use them (bank, fps, distance...)."""
    raw = settings.job_settings.options.get("fingerprint")
    try:
        if isinstance(raw, FingerprintOptions):
            return raw
        if isinstance(raw, SignalOptions):
            raise ConfigError("fingerprint: options of another signal")
        return FingerprintOptions.parse(raw or {}, signal="fingerprint").validate()
    except ConfigError as exc:
        raise ApiError(503, "bank_unavailable", str(exc)) from None


def _settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _hash_request(request: Request, opts: FingerprintOptions) -> tuple[VideoFingerprint, Upload]:
    """Receive the multipart upload, hash it in a worker process, delete it. Raises ApiError."""
    settings = _settings(request)
    if _content_type(request) != "multipart/form-data":
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the video or image as multipart/form-data in the field 'file'",
        )
    upload = await receive_upload(request, settings.uploads_dir, settings.max_upload_bytes)
    service: HashService = request.app.state.hash_service
    job = HashJob(
        path=str(upload.path),
        display_name=upload.display_name,
        fps=opts.fps,
        max_side=opts.max_side,
        max_pixels=settings.job_settings.max_pixels,
        max_duration_s=settings.max_duration_s,
    )
    try:
        fp = await anyio.to_thread.run_sync(service.run, job)
    finally:
        with contextlib.suppress(OSError):
            upload.path.unlink()
    return fp, upload


@router.post(
    "/hash",
    response_model=HashOut,
    summary="Hash a video or image: PDQ per frame and the vPDQ fingerprint (nothing is stored)",
    openapi_extra={"requestBody": _HASH_BODY},
    responses=_FILE_ERRORS,
)
async def hash_file(request: Request) -> HashOut:
    """Upload the file as multipart/form-data in the field `file`. The answer's `frames` (with `duration_s`
    and `sample_fps`) can be sent to `/api/match` as they are, from another machine; `vpdq` is HMA's vPDQ
    signal and `pdq` a still image's hash, for tools that read those. The upload is deleted once hashed."""
    opts = await anyio.to_thread.run_sync(fingerprint_options, _settings(request))
    fp, upload = await _hash_request(request, opts)
    summary = fp.summary(opts.quality)
    return HashOut.model_validate(
        {
            "kind": fp.kind,
            "hasher": fp.hasher,
            "sha256": upload.sha256,
            "size_bytes": upload.size_bytes,
            "duration_s": summary["duration_s"],
            "sample_fps": fp.sample_fps,
            "width": fp.width,
            "height": fp.height,
            "quality_min": opts.quality,
            "summary": summary,
            "pdq": fp.frames[0].hex if fp.kind == "image" and fp.frames else None,
            "vpdq": [f"{f.hex},{f.quality},{(f.time_s or 0.0):.3f}" for f in fp.frames if f.variant == 0],
            "frames": fp.frames_to_json(),
        }
    )


async def _read_json(request: Request) -> MatchIn:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_MATCH_BODY:
            raise ApiError(
                413,
                "too_large",
                f"the JSON body is larger than {MAX_MATCH_BODY // (1024 * 1024)} MB; send at most "
                f"{MAX_QUERY_HASHES} hashes per request",
            )
    try:
        return MatchIn.model_validate_json(bytes(body) or b"null")
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "body"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ApiError(422, "invalid_request", f"{field}: {first.get('msg', 'invalid')}{more}") from None


def _fingerprint_of(body: MatchIn) -> VideoFingerprint:
    """The query fingerprint the JSON describes. Raises ApiError 422."""
    given = [n for n in ("frames", "hashes", "vpdq") if getattr(body, n) is not None]
    if len(given) != 1:
        raise ApiError(422, "invalid_request", "send exactly one of `frames`, `hashes` or `vpdq`")
    if body.hashes is not None:
        rows = [FrameIn(hash=h, frame=k) for k, h in enumerate(body.hashes)]
    elif body.frames is not None:
        rows = body.frames
    else:
        rows = _vpdq_rows(body.vpdq)
    if not rows:
        raise ApiError(422, "invalid_request", "no hashes were sent")
    timed = sum(r.t is not None for r in rows)
    if 0 < timed < len(rows):
        raise ApiError(
            422, "invalid_request", "give a time `t` for every frame (a video) or for none (a photo)"
        )
    frames = sorted(
        (FrameHash(hash_from_hex(r.hash), r.q, r.t, r.frame, r.v) for r in rows),
        key=lambda f: (f.time_s or 0.0, f.frame or 0, f.variant),
    )
    if not timed:
        return VideoFingerprint(tuple(frames), "image")
    fps = body.sample_fps or _median_fps(frames)
    last = max(f.time_s or 0.0 for f in frames)
    duration = body.duration_s or last + (1.0 / fps if fps else 0.0)
    return VideoFingerprint(tuple(frames), "video", duration, fps)


def _median_fps(frames: list[FrameHash]) -> float | None:
    times = sorted({f.time_s for f in frames if f.time_s is not None})
    steps = sorted(b - a for a, b in itertools.pairwise(times) if b > a)
    return round(1.0 / steps[len(steps) // 2], 3) if steps else None


def _vpdq_rows(value: list[str] | str | None) -> list[FrameIn]:
    """HMA's vPDQ signal ("hash,quality,timestamp" strings, as a list or a JSON string) as frame rows."""
    entries: Any = value
    if isinstance(value, str):
        try:
            entries = json.loads(value)
        except (ValueError, RecursionError):
            raise ApiError(
                422, "invalid_request", 'vpdq: not a JSON list of "hash,quality,timestamp" strings'
            ) from None
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ApiError(422, "invalid_request", 'vpdq: expected a list of "hash,quality,timestamp" strings')
    if len(entries) > MAX_QUERY_HASHES:
        raise ApiError(422, "invalid_request", f"vpdq: at most {MAX_QUERY_HASHES} frames per request")
    rows = []
    for k, entry in enumerate(entries):
        parts = entry.split(",")
        try:
            if len(parts) != 3:
                raise ValueError('expected "hash,quality,timestamp"')
            t = float(parts[2])
            if not math.isfinite(t):
                raise ValueError("the timestamp must be a finite number")
            rows.append(FrameIn(hash=parts[0].strip(), q=int(parts[1]), t=t, frame=k))
        except (ValueError, ValidationError) as exc:
            problem = exc.errors()[0].get("msg", "invalid") if isinstance(exc, ValidationError) else str(exc)
            raise ApiError(422, "invalid_request", f"vpdq.{k}: {problem}") from None
    return rows


@router.post(
    "/match",
    response_model=MatchResponse,
    summary="Match hashes (JSON) or a file (multipart) against the bank",
    openapi_extra={"requestBody": _MATCH_BODY},
    responses={**_FILE_ERRORS, 409: {"description": "This server has no bank configured"}},
)
async def match(request: Request) -> MatchResponse:
    """JSON: exactly one of `frames` (as /api/hash returns them; send its `duration_s` and `sample_fps`
    too for identical time ranges), `hashes` (bare PDQ hex, matched as a still image) or `vpdq` (HMA's
    vPDQ signal). Or upload a video or image as multipart/form-data in the field `file`: it is hashed as
    /api/hash does and deleted. The answer lists the banked items that match, strongest first, with the
    same fields the `fingerprint` signal reports as `fingerprint.known_content` evidence."""
    settings = _settings(request)
    opts = await anyio.to_thread.run_sync(fingerprint_options, settings)
    if not opts.bank:
        raise ApiError(
            409,
            "no_bank",
            "this server has no bank to match against; start it with VIDSLEUTH_BANK set to a bank file "
            "or database URL (or fill the default bank with `vidsleuth bank add`)",
        )
    ctype = _content_type(request)
    include_non_matches = False
    if ctype == "application/json":
        body = await _read_json(request)
        fp = _fingerprint_of(body)
        include_non_matches = body.include_non_matches
    elif ctype == "multipart/form-data":
        fp, _ = await _hash_request(request, opts)
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send hashes as JSON, or the video or image as multipart/form-data in the field 'file'",
        )
    rules = MatchRules(distance=opts.distance, quality=opts.quality)
    matcher: BankMatcher = request.app.state.bank_matcher
    bank, matches = await anyio.to_thread.run_sync(
        matcher.match, fp, opts.bank, rules, include_non_matches, opts.index_choice
    )
    return MatchResponse.model_validate(
        {
            "query": {
                "kind": fp.kind,
                "hashes": len(fp.frames),
                "hashes_usable": len(fp.usable(rules.quality)),
                "duration_s": None if fp.duration_s is None else round(fp.duration_s, 3),
            },
            "bank": bank,
            "rules": rules.to_dict(),
            "matches": matches,
        }
    )
