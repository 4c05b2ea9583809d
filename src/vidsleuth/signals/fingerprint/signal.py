"""Signal `fingerprint`: PDQ hashes of sampled frames, keyframes for reverse search, and bank matches.

Every sampled frame is hashed with PDQ (and hashed again without letterbox bars when it has them), which
makes a vPDQ-style video fingerprint; the per-frame hashes go into the report's metrics so that a saved
report can be searched again later (`vidsleuth bank search report.json`). Deduplicated keyframes (one
per shot plus big changes within a shot) are embedded as thumbnails for reverse image search.

When a bank is configured (option ``fingerprint.bank``: a bank file or database URL), the
fingerprint is searched in it: each banked video or photo that matches becomes `fingerprint.known_content`
evidence naming the item, its label and source, and the matching time ranges on both sides. No match is
`fingerprint.no_match`, an informational finding. Matching follows Meta's vPDQ defaults (frame distance
<= 31, quality >= 50) plus time alignment for partial matches (see vidsleuth.fingerprint.matching).

Banked stills with local features are also looked for inside a few frames spread over the video (photo
origin, vidsleuth.fingerprint.photo_origin): a photo shown as part of the frame, or animated, becomes
`fingerprint.photo_origin` evidence with the region of the frame that shows it and when.

Metrics: `FingerprintMetrics` (signals/fingerprint/metrics.py); the report section is
`signals/fingerprint/panel.py` (bank matches, keyframes to search).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from vidsleuth.core import shape
from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.result import SignalResult, Thumbnail
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.fingerprint import pdq
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.fingerprint.keyframes import Keyframe, KeyframeSelector, spread
from vidsleuth.fingerprint.matching import MatchRules
from vidsleuth.fingerprint.photo_origin import FramePicker, PhotoOriginIndex, PhotoOriginMatch
from vidsleuth.fingerprint.search import BankMatch, BankSearcher
from vidsleuth.fingerprint.video import FingerprintBuilder, VideoFingerprint
from vidsleuth.media.source import safe_display_name
from vidsleuth.signals.fingerprint.metrics import (
    BankInfo,
    FingerprintMetrics,
    FrameHashRow,
    KeyframeRow,
    PhotoMatch,
    PhotoOriginSearch,
    Quality,
    Rules,
    VideoMatch,
)
from vidsleuth.signals.fingerprint.options import FingerprintOptions

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

# Keyframe thumbnails made while decoding; the report keeps MAX_REPORT_KEYFRAMES of them.
_THUMBNAIL_CANDIDATES = 4 * th.MAX_REPORT_KEYFRAMES
_MAX_MATCH_EVIDENCE = 10


def _text(value: str | None, limit: int = 80) -> str:
    return safe_display_name(value, limit) if value else ""


def describe(match: BankMatch) -> str:
    """One sentence a person can check: which item, where it matches, how closely."""
    item, result = match.item, match.result
    label = f" “{_text(item.label)}”" if item.label else ""
    source = f" (source: {_text(item.source_url, 120)})" if item.source_url else ""
    what = "photo" if item.kind == "image" else "video"
    head = f"Matches banked {what} #{item.id}{label}{source}"
    segs = [s for s in result.segments if s.query is not None]
    if not segs:
        return f"{head}: {result.matched_query_frames} frame(s) within PDQ distance {result.best_distance}"
    best = max(segs, key=lambda s: s.frames)
    assert best.query is not None
    here = f"{best.query.start_s:.1f}–{best.query.end_s:.1f} s"
    if best.item is not None:
        where = f"{here} here ≈ {best.item.start_s:.1f}–{best.item.end_s:.1f} s of the banked video"
    else:
        where = f"seen at {here}"
    more = f" (+{len(segs) - 1} more segment(s))" if len(segs) > 1 else ""
    return f"{head}: {where}{more}; {best.frames} aligned frames, mean PDQ distance {best.mean_distance:.0f}"


def describe_photo_origin(match: PhotoOriginMatch) -> str:
    """One sentence for a photo found inside the video with local features."""
    item = match.item
    label = f" “{_text(item.label)}”" if item.label else ""
    source = f" (source: {_text(item.source_url, 120)})" if item.source_url else ""
    return (
        f"This video contains (part of) banked photo #{item.id}{label}{source} — it may have been animated "
        f"from it: {match.describe()}"
    )


# The last bank loaded in this process: (location, revision, distance, quality, photo_origin, index
# choice) -> (searcher, bank info, photo index). Searching does not change them.
_LOADED_BANK: dict[tuple[Any, ...], tuple[BankSearcher, dict[str, Any], PhotoOriginIndex | None]] = {}


class FingerprintSignal(FrameSignal):
    NAME: ClassVar[str] = "fingerprint"
    VERSION: ClassVar[str] = "1.1.0"
    DESCRIPTION: ClassVar[str] = "PDQ frame hashes and keyframes; matches against a bank of known videos"
    OPTIONS = FingerprintOptions
    METRICS = FingerprintMetrics

    def __init__(self) -> None:
        self._options = FingerprintOptions()
        self._builder = FingerprintBuilder(th.QUERY_FPS)
        self._selector = KeyframeSelector()
        self._thumbnails: dict[float, Thumbnail] = {}
        self._first_thumbnail: tuple[float, Thumbnail] | None = None
        self._want_thumbnails = True
        self._searcher: BankSearcher | None = None
        self._bank_info: dict[str, Any] | None = None
        self._photos: PhotoOriginIndex | None = None
        self._picker = FramePicker()

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        return pdq.available()

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.fingerprint.panel import FingerprintPanel

        return FingerprintPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        opts = FingerprintOptions.of(ctx.settings, self.NAME)
        return Sampling(fps=opts.fps, max_side=opts.max_side, pixel_format="rgb24")

    def start(self, ctx: AnalysisContext) -> None:
        self._options = FingerprintOptions.of(ctx.settings, self.NAME)
        self._builder = FingerprintBuilder(self._options.fps)
        self._selector = KeyframeSelector(quality_min=self._options.quality)
        self._want_thumbnails = ctx.settings.thumbnails and self._options.keyframes > 0
        self._picker = FramePicker()
        if self._options.bank:
            self._open_bank(self._options.bank)

    def _open_bank(self, location: str) -> None:
        """Load the bank before decoding, so that a bad bank fails the signal at once, with its reason.

        The snapshot and its index are kept for the process while the bank's revision and the match
        rules stay the same: a batch or web worker loads them once, not once per file (issue #15)."""
        from vidsleuth.bank import Bank

        opts = self._options
        with Bank.open(location, create=False) as bank:
            choice = opts.index_choice
            key = (location, bank.revision(), opts.distance, opts.quality, opts.photo_origin, choice)
            loaded = _LOADED_BANK.get(key)
            if loaded is None:
                snapshot = bank.snapshot()
                cache = bank.index_cache()
                features = bank.photo_features() if opts.photo_origin else {}
                info = {
                    "location": bank.display,
                    "revision": snapshot.revision,
                    "items": len(snapshot.items),
                    "frames": snapshot.frame_count,
                }
                photos = PhotoOriginIndex(snapshot.items, features) if features else None
                rules = MatchRules(distance=opts.distance, quality=opts.quality)
                loaded = (BankSearcher(snapshot, rules, cache=cache, choice=choice), info, photos)
                # One bank per process: the newest revision asked for. A replaced sharded index's threads
                # or actors end when the last search using it lets go of it (not closed here).
                _LOADED_BANK.clear()
                _LOADED_BANK[key] = loaded
        self._searcher, info, self._photos = loaded
        self._bank_info = dict(info)

    def process_frame(self, frame: FrameSample) -> None:
        if frame.pixels is None:
            return
        first = self._builder.add(frame.pixels, frame.time_s, frame.index)
        if self._photos is not None and first.quality >= self._options.quality:
            self._picker.offer(frame.time_s, frame.pixels)
        if not self._want_thumbnails:
            return
        if self._first_thumbnail is None:
            self._first_thumbnail = (frame.time_s, frame.thumbnail(f"keyframe at {frame.time_s:.2f} s"))
        keyframe = self._selector.offer(frame.time_s, first.hash, first.quality, frame.index)
        if keyframe is not None and len(self._thumbnails) < _THUMBNAIL_CANDIDATES:
            self._thumbnails[keyframe.time_s] = frame.thumbnail(f"keyframe at {frame.time_s:.2f} s")

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        decode = ctx.decode
        duration = None
        if decode is not None and decode.last_time_s is not None:
            duration = decode.last_time_s + (decode.frame_interval_median_s or 0.0)
        fp = self._builder.result(duration or ctx.media.duration_s)
        keyframes, thumbnails = self._keyframes()
        evidence: list[Evidence] = []
        matches: list[BankMatch] = []
        usable = len(fp.usable(self._options.quality))
        if not usable and fp.frames:
            evidence.append(
                Evidence.info(
                    "fingerprint.low_quality",
                    Hypothesis.KNOWN_CONTENT,
                    f"None of the {fp.summary()['frames_hashed']} sampled frames has PDQ quality >= "
                    f"{self._options.quality} (flat or dark video): it cannot be matched against a bank",
                )
            )
        photos: list[PhotoOriginMatch] = []
        if self._searcher is not None:
            matches = self._searcher.search(fp)
            if self._photos is not None:
                photos = self._photos.search(
                    self._picker.frames, duration_s=fp.duration_s, exclude={m.item.id for m in matches}
                )
            evidence += self._match_evidence(matches, photos)
        metrics = self._metrics(fp, keyframes, matches, photos, thumbnails)
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics, thumbnails)

    def _photo_evidence(self, photos: list[PhotoOriginMatch]) -> list[Evidence]:
        out = []
        for match in photos[:_MAX_MATCH_EVIDENCE]:
            data = match.to_dict()
            data["bank"] = (self._bank_info or {}).get("location")
            out.append(
                Evidence.supports(
                    "fingerprint.photo_origin",
                    Hypothesis.KNOWN_CONTENT,
                    match.strength,
                    describe_photo_origin(match),
                    span=match.segments[0] if match.segments else None,
                    data=data,
                )
            )
        return out

    def _match_evidence(self, matches: list[BankMatch], photos: list[PhotoOriginMatch]) -> list[Evidence]:
        out = []
        for match in matches[:_MAX_MATCH_EVIDENCE]:
            spans = [s.query for s in match.result.segments if s.query is not None]
            data = match.to_dict()
            data["bank"] = (self._bank_info or {}).get("location")
            out.append(
                Evidence.supports(
                    "fingerprint.known_content",
                    Hypothesis.KNOWN_CONTENT,
                    match.strength,
                    describe(match),
                    span=spans[0] if spans else None,
                    data=data,
                )
            )
        out += self._photo_evidence(photos)
        if not matches and not photos and self._bank_info is not None:
            info = self._bank_info
            stills = len(self._photos) if self._photos is not None else 0
            local = f", nor any of its {stills} photos inside the frames" if stills else ""
            out.append(
                Evidence.info(
                    "fingerprint.no_match",
                    Hypothesis.KNOWN_CONTENT,
                    f"No match among {info['items']} banked items ({info['frames']} frame hashes) at PDQ "
                    f"distance <= {self._options.distance}{local}",
                    data={"bank": info["location"]},
                )
            )
        return out

    def _keyframes(self) -> tuple[list[Keyframe], list[Thumbnail]]:
        keyframes = list(self._selector.keyframes)
        if not self._want_thumbnails:
            return keyframes, []
        with_thumbs = [k for k in keyframes if k.time_s in self._thumbnails]
        chosen = spread(with_thumbs, self._options.keyframes)
        thumbs = [self._thumbnails[k.time_s] for k in chosen]
        if not thumbs and self._first_thumbnail is not None:
            thumbs = [self._first_thumbnail[1]]
        return keyframes, thumbs

    def _metrics(
        self,
        fp: VideoFingerprint,
        keyframes: list[Keyframe],
        matches: list[BankMatch],
        photos: list[PhotoOriginMatch],
        thumbnails: list[Thumbnail],
    ) -> FingerprintMetrics:
        embedded = {t.label for t in thumbnails}
        summary = fp.summary(self._options.quality)
        rules = MatchRules(distance=self._options.distance, quality=self._options.quality)
        # The library's own dictionaries (also the evidence's data) read into the typed rows: one shape.
        rows: list[PhotoMatch | VideoMatch] = [shape.from_json(VideoMatch, m.to_dict()) for m in matches]
        rows += [shape.from_json(PhotoMatch, p.to_dict()) for p in photos]
        return FingerprintMetrics(
            hasher=fp.hasher,
            sample_fps=summary["sample_fps"],
            max_side=self._options.max_side,
            kind=summary["kind"],
            frames_hashed=summary["frames_hashed"],
            variant_hashes=summary["variant_hashes"],
            hashes_usable=summary["hashes_usable"],
            unique_usable_hashes=summary["unique_usable_hashes"],
            quality=shape.from_json(Quality, summary["quality"]),
            duration_s=summary["duration_s"],
            rules=shape.from_json(Rules, rules.to_dict()),
            keyframes=tuple(
                shape.from_json(
                    KeyframeRow,
                    {
                        **k.to_dict(),
                        "thumbnail": label
                        if (label := f"keyframe at {k.time_s:.2f} s") in embedded
                        else None,
                    },
                )
                for k in keyframes
            ),
            bank=shape.from_json(BankInfo, self._bank_info) if self._bank_info is not None else None,
            matches=tuple(rows),
            photo_origin=PhotoOriginSearch(
                stills=len(self._photos) if self._photos is not None else 0,
                frames_checked=tuple(f.time_s for f in self._picker.frames if f.time_s is not None),
                min_inliers=th.LOCAL_MIN_INLIERS,
                min_inlier_ratio=th.LOCAL_MIN_INLIER_RATIO,
            ),
            hashes=tuple(shape.from_json(FrameHashRow, row) for row in fp.frames_to_json())
            if self._options.hashes
            else (),
        )
