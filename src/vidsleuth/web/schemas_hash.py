"""The JSON shapes of `POST /api/hash` and `POST /api/match` (pydantic models, with OpenAPI examples).

A hasher on a platform's upload path calls /api/hash and keeps or forwards the hashes; a matcher
elsewhere calls /api/match with them, as HMA's hasher and matcher run apart. The hashes travel in the
formats other tools already read: PDQ hex (64 digits, ThreatExchange's and HMA's), HMA's vPDQ signal
strings (``"hash,quality,timestamp"``) and vidsleuth's per-frame rows (which keep the crop variants, so a
match from them is exactly the match of the file).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vidsleuth.fingerprint import thresholds as th

# A 15-minute video at 5 frames a second with its crop variants is about 9,000 hashes; more is refused.
MAX_QUERY_HASHES = 20_000
MAX_MATCH_BODY = 4 * 1024 * 1024  # bytes of JSON: ~35 k frame rows, so the hash limit speaks first

_HASH = "^[0-9a-fA-F]{64}$"
_EXAMPLE_HASH = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"


class FrameIn(BaseModel):
    """One frame's PDQ hash; `t` (seconds) is left out for a still image."""

    model_config = ConfigDict(extra="forbid")

    hash: str = Field(pattern=_HASH, description="PDQ hash, 64 hex digits (Meta's bit order).")
    t: float | None = Field(default=None, ge=0, allow_inf_nan=False, description="Frame time in seconds.")
    q: int = Field(
        default=100,
        ge=0,
        le=100,
        description="PDQ quality 0-100; frames under the server's threshold (50) are not compared. "
        "Default 100, as for imported ThreatExchange hashes that carry none.",
    )
    frame: int | None = Field(default=None, ge=0, description="Frame number, if known.")
    v: int = Field(
        default=0, ge=0, le=8, description="0: the frame as decoded; 1-8: vidsleuth's crop variants."
    )


class MatchIn(BaseModel):
    """Hashes to look up in the bank: exactly one of `frames`, `hashes` or `vpdq`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"hashes": [_EXAMPLE_HASH]},
                {"vpdq": [f"{_EXAMPLE_HASH},92,0.000", f"{_EXAMPLE_HASH},90,0.200"], "duration_s": 6.0},
                {"frames": [{"hash": _EXAMPLE_HASH, "t": 0.0, "q": 92, "frame": 0, "v": 0}]},
            ]
        },
    )

    frames: list[FrameIn] | None = Field(
        default=None,
        max_length=MAX_QUERY_HASHES,
        description="Per-frame rows as /api/hash returns them in `frames` (lossless).",
    )
    hashes: list[Annotated[str, Field(pattern=_HASH)]] | None = Field(
        default=None,
        max_length=MAX_QUERY_HASHES,
        description="Bare PDQ hex hashes (quality taken as 100, no times): matched as a still image.",
    )
    vpdq: list[str] | str | None = Field(
        default=None,
        description='HMA\'s vPDQ signal: a list of "hash,quality,timestamp" strings, or that list as a JSON '
        "string.",
    )
    duration_s: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="The video's length, if known (sharpens ranges)."
    )
    sample_fps: float | None = Field(default=None, gt=0, le=120, allow_inf_nan=False)
    include_non_matches: bool = Field(
        default=False, description="Also list bank items that share frames but fall short of a match."
    )


class HashSummary(BaseModel):
    frames_hashed: int = Field(description="Sampled frames (a still image: 1).")
    variant_hashes: int = Field(description="Extra hashes of crops of frames (letterbox removed, zoomed...).")
    hashes_usable: int = Field(description=f"Hashes of quality >= {th.PDQ_QUALITY_MIN}.")
    unique_usable_hashes: int


class FrameOut(BaseModel):
    t: float | None
    frame: int | None
    q: int
    hash: str
    v: int


class HashOut(BaseModel):
    """The fingerprint of the file: nothing of it is stored on the server."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "kind": "video",
                "hasher": "pdq",
                "sha256": "9f2c...e1",
                "size_bytes": 1048576,
                "duration_s": 6.0,
                "sample_fps": 5.0,
                "width": 384,
                "height": 216,
                "quality_min": 50,
                "summary": {
                    "frames_hashed": 30,
                    "variant_hashes": 6,
                    "hashes_usable": 36,
                    "unique_usable_hashes": 36,
                },
                "pdq": None,
                "vpdq": [f"{_EXAMPLE_HASH},92,0.000"],
                "frames": [{"t": 0.0, "frame": 0, "q": 92, "hash": _EXAMPLE_HASH, "v": 0}],
            }
        }
    )

    kind: Literal["video", "image"]
    hasher: str = Field(description="The frame hash: always pdq.")
    sha256: str = Field(description="SHA-256 of the uploaded bytes.")
    size_bytes: int
    duration_s: float | None
    sample_fps: float | None = Field(description="Frames hashed per second (None for a still image).")
    width: int | None = Field(description="Size of the frames as hashed (reduced to the hashing size).")
    height: int | None
    quality_min: int = Field(description="Quality a hash needs to be compared.")
    summary: HashSummary
    pdq: str | None = Field(description="A still image's PDQ hash (64 hex digits); None for a video.")
    vpdq: list[str] = Field(
        description='HMA\'s vPDQ signal: "hash,quality,timestamp" per frame as decoded (no crop variants).'
    )
    frames: list[FrameOut] = Field(
        description="Every hash with its time, quality and variant (send to /api/match)."
    )


class SpanOut(BaseModel):
    start_s: float
    end_s: float


class SegmentOut(BaseModel):
    query: SpanOut | None = Field(description="Time range in the query (None when the query is a photo).")
    item: SpanOut | None = Field(description="Time range in the banked item (None when it is a photo).")
    offset_s: float | None = Field(description="Item time minus query time.")
    frames: int
    mean_distance: float


class MatchOut(BaseModel):
    """One banked item that matches: what the bank says about it, and where and how closely it matches.

    The same fields as the `fingerprint` signal's `fingerprint.known_content` evidence."""

    item_id: int
    kind: Literal["video", "image"]
    label: str | None
    source_url: str | None
    note: str | None
    file_name: str | None
    duration_s: float | None
    frame_count: int
    added_at: str | None
    is_match: bool
    rule: str = Field(
        description="vpdq (Meta's video rule), segment (aligned sub-clip), pdq (a still), none."
    )
    strength: float
    strength_name: str
    query_match_pct: float
    item_match_pct: float
    query_frames: int
    item_frames: int
    matched_query_frames: int
    matched_item_frames: int
    best_distance: int | None = Field(description="Smallest PDQ distance (0-256) between matched frames.")
    mean_distance: float | None
    segments: list[SegmentOut] = Field(description="Matched time ranges in the query and in the item.")


class BankOut(BaseModel):
    location: str
    revision: int
    items: int
    frames: int


class QueryOut(BaseModel):
    kind: Literal["video", "image"]
    hashes: int
    hashes_usable: int
    duration_s: float | None


class MatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "query": {"kind": "video", "hashes": 36, "hashes_usable": 36, "duration_s": 3.0},
                "bank": {"location": "bank.sqlite", "revision": 4, "items": 2, "frames": 120},
                "rules": {"distance": 31, "quality": 50},
                "matches": [
                    {
                        "item_id": 1,
                        "kind": "video",
                        "label": "Flood fake, debunked",
                        "source_url": "https://example.org/a",
                        "note": None,
                        "file_name": "a.mp4",
                        "duration_s": 6.0,
                        "frame_count": 58,
                        "added_at": "2025-01-01T00:00:00+00:00",
                        "is_match": True,
                        "rule": "segment",
                        "strength": 0.8,
                        "strength_name": "strong",
                        "query_match_pct": 100.0,
                        "item_match_pct": 48.0,
                        "query_frames": 15,
                        "item_frames": 58,
                        "matched_query_frames": 15,
                        "matched_item_frames": 28,
                        "best_distance": 0,
                        "mean_distance": 4.1,
                        "segments": [
                            {
                                "query": {"start_s": 0.0, "end_s": 3.0},
                                "item": {"start_s": 1.0, "end_s": 4.0},
                                "offset_s": 1.0,
                                "frames": 15,
                                "mean_distance": 4.1,
                            }
                        ],
                    }
                ],
            }
        }
    )

    query: QueryOut
    bank: BankOut
    rules: dict[str, Any]
    matches: list[MatchOut] = Field(description="Strongest first.")
