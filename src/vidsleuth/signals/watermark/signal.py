"""Signal `watermark`: visible generator watermarks, AI labels, the creator's @handle, and signs of removal.

It samples a few frames per second (marks persist, so sparse sampling is enough), finds overlays as what
stays put while the content moves (per window of about a second, so a mark that jumps every two seconds is
found at each place in turn), reads each overlay once with OCR at full resolution (a crop of the source
frame, which doubles as the report's thumbnail), and matches the text against the mark catalogue
(`data/watermarks.toml`). Removal hints (a crop of a generator's frame size, a blurred patch, a mark that
goes missing) are looked for in `vidsleuth.signals.watermark.removal`.

A mark is strong evidence that the file passed through the generator or app it names, not proof that the
footage is synthetic: marks can be pasted onto real video, which is why geometry and motion are compared
with the genuine mark and a mismatch is said out loud.
"""

from __future__ import annotations

import base64
import io
from collections import deque
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from vidsleuth.core.result import SignalResult, Thumbnail
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.watermark import findings, ocr, regions, removal
from vidsleuth.signals.watermark.metrics import WatermarkMetrics
from vidsleuth.signals.watermark.reading import Reading, interpret

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

# Frames per second sampled: the Sora mark stays ~2.2 s in one place, so 3 fps gives 6 frames per place,
# enough for two or more windows of WINDOW frames inside each stay.
SAMPLE_FPS = 2.5
# Longer side of the gray frames the overlay finder works on (OCR reads crops of the full-size frame).
ANALYSIS_MAX_SIDE = 640
WINDOW = 3
# A track is read once it has been seen in this many windows (one-window blobs are mostly content).
CONFIRM_WINDOWS = 2
# Reads per track: one more when the first found no mark; up to MAX_HANDLE_READS for a mark that carries
# a handle (4-px handle text is misread often; votes over several reads fix it). A further read is due
# every READ_EVERY_WINDOWS windows the track lives on.
MAX_RETRY_READS = 2
MAX_HANDLE_READS = 3
READ_EVERY_WINDOWS = 2
# OCR budget: by video time t, at most BASE_READS + READS_PER_S x t reads in all (so that clutter early
# in a video cannot starve its later stretches) and never more than MAX_READS.
BASE_READS = 10
READS_PER_S = 1.5
MAX_READS = 60
RESERVE_READS = 4
# Tracks whose centre lies within EDGE_SHARE of the frame width from the left or right edge are read
# before others of similar density (marks sit in corners or, Sora's, near the sides).
EDGE_SHARE = 0.3
EDGE_BONUS = 0.2
# A jumping mark comes back to the same few places all video long. A new track at a place where the mark
# was read less than REREAD_AFTER_S ago takes that reading (and a thumbnail) without OCR; a later return
# is read again, which keeps re-confirming the mark. Extra reads for the handle stop once HANDLE_VOTES
# reads have voted on it.
REREAD_AFTER_S = 30.0
HANDLE_VOTES = 6
# ... and once this many reads of the mark found no handle at all (older Sora marks carry none).
HANDLE_MISSES = 6
# Tracks less dense than this are not worth a read (clutter: 0.1-0.15; marks: 0.15-0.45).
READ_MIN_DENSITY = 0.15
# Crop margin around an overlay, as a share of its height (the handle line sits under the name).
CROP_MARGIN = 0.35
# ... and sideways, as a share of its height: when only the logo was found static (the name over a busy
# background was not), the name beside it still falls inside the crop.
CROP_MARGIN_X = 2.5
# Crops are fetched at most this large (longer side) for OCR and shown as the report's thumbnail.
CROP_MAX_SIDE = 640


def _gray(rgb: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    import cv2

    out: np.ndarray[Any, Any] = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return out


def _decode_jpeg(thumb: Thumbnail) -> np.ndarray[Any, Any]:
    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(thumb.jpeg_base64))) as img:
        return np.asarray(img.convert("RGB"))


class WatermarkSignal(FrameSignal):
    NAME: ClassVar[str] = "watermark"
    VERSION: ClassVar[str] = "1.0.0"
    DESCRIPTION: ClassVar[str] = "Visible generator watermarks and AI labels (OCR), @handles, removal hints"
    METRICS = WatermarkMetrics

    def __init__(self) -> None:
        self._buffer: deque[tuple[FrameSample, regions.Gray, regions.Gray]] = deque(maxlen=WINDOW)
        self._tracks = regions.TrackSet()
        self._engine = ocr.OcrEngine()
        self._thumbs: list[Thumbnail] = []
        self._frames = 0
        self._reads = 0
        self._max_reads = MAX_READS
        self._source_size: tuple[int, int] | None = None
        self._analysis_size: tuple[int, int] | None = None
        self._removal = removal.RemovalAccumulator()
        self._ocr_errors: list[str] = []
        self._mark_size: tuple[int, int] | None = None  # analysis-frame size of the first mark read
        self._known: list[tuple[regions.Box, Reading, float]] = []  # place, mark reading, when read
        self._handle_reads = 0
        self._handle_misses = 0  # reads of a handle-bearing mark that found no handle

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        return ocr.is_available()

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.watermark.panel import WatermarkPanel

        return WatermarkPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        return Sampling(fps=SAMPLE_FPS, max_side=ANALYSIS_MAX_SIDE, pixel_format="gray")

    def start(self, ctx: AnalysisContext) -> None:
        self._source_size = ctx.media.display_size
        duration = ctx.media.duration_s or 0.0
        self._max_reads = min(MAX_READS, BASE_READS + round(READS_PER_S * duration))

    # Frames -------------------------------------------------------------------------------------
    def process_frame(self, frame: FrameSample) -> None:
        gray = frame.pixels
        if gray is None:
            return
        self._frames += 1
        if self._analysis_size is None:
            self._analysis_size = (gray.shape[1], gray.shape[0])
        grad = regions.gradient(gray)
        self._removal.add(frame.time_s, gray, grad)
        self._buffer.append((frame, gray, grad))
        if len(self._buffer) < WINDOW:
            return
        stats = regions.find_candidates([b[1] for b in self._buffer], [b[2] for b in self._buffer])
        seen = self._tracks.update(stats, self._buffer[0][0].time_s, frame.time_s)
        allowance = min(self._max_reads, BASE_READS + READS_PER_S * frame.time_s)
        for track in sorted(seen, key=self._priority, reverse=True):
            # Once a mark is known, clutter unlike it may not eat the last RESERVE_READS of the allowance.
            limit = (
                allowance
                if self._priority(track) >= 1.0 or self._mark_size is None
                else allowance - RESERVE_READS
            )
            if not self._wants_read(track):
                continue
            if track.reads == 0 and self._inherit(track, frame.time_s):
                continue
            if self._reads < limit:
                self._read(track, frame.time_s)

    def _priority(self, track: regions.Track) -> float:
        """Denser first, and near the left or right edge first (every catalogued mark sits there); once a
        mark has been read, tracks of about its size come first (a jumping mark keeps its size from place
        to place, while clutter varies)."""
        assert self._analysis_size is not None
        x, w = track.box[0], track.box[2]
        side = min(x + w / 2, self._analysis_size[0] - x - w / 2) <= EDGE_SHARE * self._analysis_size[0]
        base = track.density + (EDGE_BONUS if side else 0.0)
        if self._mark_size is None:
            return base
        w, h = track.box[2], track.box[3]
        mw, mh = self._mark_size
        alike = 0.5 < w / mw < 2.0 and 0.5 < h / mh < 2.0
        return base + (1.0 if alike else 0.0)

    def _wants_read(self, track: regions.Track) -> bool:
        if track.windows < CONFIRM_WINDOWS or track.density < READ_MIN_DENSITY:
            return False
        if track.reads == 0:
            return True
        if track.windows < CONFIRM_WINDOWS + READ_EVERY_WINDOWS * track.reads:
            return False
        reading = track.payload.get("reading")
        if not isinstance(reading, Reading):
            return False
        if reading.mark is None:  # retry only where some text was read: a logo stays a logo
            return bool(reading.lines) and track.reads < MAX_RETRY_READS
        if track.payload.get("inherited"):
            return False
        return reading.mark.has_handle and track.reads < MAX_HANDLE_READS and self._wants_handle_votes()

    def _wants_handle_votes(self) -> bool:
        return self._handle_reads < HANDLE_VOTES and self._handle_misses < HANDLE_MISSES

    def _inherit(self, track: regions.Track, now_s: float) -> bool:
        """Give a new track at a recently read mark place that place's reading, without OCR."""
        for place, reading, when in self._known:
            if reading.mark is not None and reading.mark.has_handle and self._wants_handle_votes():
                continue  # the handle still needs votes: read it again
            if now_s - when < REREAD_AFTER_S and regions.same_place(place, track.box):
                track.reads = 1
                track.payload["reading"] = reading
                track.payload["readings"] = [reading]
                track.payload["inherited"] = True
                middle = self._buffer[len(self._buffer) // 2][0]
                box = self._to_source(track.box, CROP_MARGIN, CROP_MARGIN_X)
                track.payload["thumb"] = middle.thumbnail("watermark candidate", CROP_MAX_SIDE, box)
                return True
        return False

    def _to_source(self, box: regions.Box, margin: float = 0.0, margin_x: float | None = None) -> regions.Box:
        """An analysis-frame box in the source (displayed) frame's pixels, grown by `margin` x height
        above and below and `margin_x` x height (default: `margin`) left and right."""
        assert self._analysis_size is not None
        aw, ah = self._analysis_size
        sw, sh = self._source_size or self._analysis_size
        sx, sy = sw / aw, sh / ah
        x, y, w, h = box
        pad, pad_x = margin * h, (margin if margin_x is None else margin_x) * h
        x0, y0 = max(0.0, (x - pad_x) * sx), max(0.0, (y - pad) * sy)
        x1, y1 = min(float(sw), (x + w + pad_x) * sx), min(float(sh), (y + h + pad) * sy)
        return round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0))

    def _ocr_image(self, track: regions.Track, box: regions.Box) -> tuple[np.ndarray[Any, Any], Thumbnail]:
        """The per-pixel median of the window's crops (moving background behind a semi-transparent mark
        blurs out, the mark stays), and the middle frame's crop as the report's thumbnail."""
        middle = self._buffer[len(self._buffer) // 2][0]
        thumb = middle.thumbnail("watermark candidate", CROP_MAX_SIDE, box)
        if self._source_size in (None, self._analysis_size):
            # The analysis frames are full size: crop them directly, without JPEG loss.
            x, y, w, h = box
            crops = [g[y : y + h, x : x + w] for _, g, _ in self._buffer]
        else:
            crops = [_gray(_decode_jpeg(f.thumbnail("", CROP_MAX_SIDE, box))) for f, _, _ in self._buffer]
        if len({c.shape for c in crops}) != 1:
            crops = [_gray(_decode_jpeg(thumb))]
        median = np.median(np.stack(crops), axis=0).astype(np.uint8)
        return median, thumb

    def _read(self, track: regions.Track, now_s: float) -> None:
        self._reads += 1
        track.reads += 1
        box = self._to_source(track.box, CROP_MARGIN, CROP_MARGIN_X)
        try:
            image, thumb = self._ocr_image(track, box)
            lines = self._engine.read(image)
        except Exception as exc:  # an OCR failure on one crop must not end the signal
            self._ocr_errors.append(f"{type(exc).__name__}: {exc}")
            return
        reading = interpret(lines)
        if reading.mark is not None:
            if self._mark_size is None:
                self._mark_size = (track.box[2], track.box[3])
            self._known = [k for k in self._known if not regions.same_place(k[0], track.box)]
            self._known.append((track.box, reading, now_s))
            self._handle_reads += reading.handle is not None
            self._handle_misses += reading.mark.has_handle and reading.handle is None
        previous = track.payload.get("reading")
        if previous is None or reading.confidence >= getattr(previous, "confidence", 0.0):
            track.payload["reading"] = reading
            track.payload["thumb"] = thumb
        track.payload.setdefault("readings", [])
        readings = track.payload["readings"]
        assert isinstance(readings, list)
        readings.append(reading)

    # Result -------------------------------------------------------------------------------------
    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        if self._frames == 0 or self._analysis_size is None:
            return SignalResult.not_applicable(self.NAME, self.VERSION, "no frame could be sampled")
        if self._ocr_errors and self._engine.calls == 0:
            return SignalResult.failed(self.NAME, self.VERSION, f"OCR failed: {self._ocr_errors[0]}")
        duration = ctx.media.duration_s or (ctx.decode.last_time_s if ctx.decode else None) or 0.0
        scale = findings.Geometry(self._analysis_size, self._source_size or self._analysis_size, duration)
        report = findings.build(self._tracks.tracks, scale, self._thumbs)
        hints = removal.hints(self._removal, report.detections, scale, ctx.media, self._thumbs)
        evidence = [*report.evidence, *(h.evidence for h in hints)]
        if not evidence:
            evidence.append(findings.nothing_found(self._frames))
        metrics = WatermarkMetrics(
            detections=report.marks,
            overlay_regions=report.overlays,
            removal_hints=tuple(h.to_metric() for h in hints),
            ocr_engine=ocr.engine_name(),
            ocr_reads=self._engine.calls,
            ocr_seconds=round(self._engine.seconds, 3),
            ocr_errors=tuple(self._ocr_errors[:5]),
            frames_sampled=self._frames,
            sample_fps=SAMPLE_FPS,
            analysis_size=self._analysis_size,
            duration_s=round(duration, 3),
        )
        thumbs = [replace(t, label=t.label[:120]) for t in self._thumbs]
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics, thumbs)
