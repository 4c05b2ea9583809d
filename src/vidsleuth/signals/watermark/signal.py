"""Signal `watermark`: visible generator watermarks, AI labels, the creator's @handle, and signs of removal.

It samples a few full-resolution gray frames per second (marks persist, so sparse sampling is enough),
finds overlays in a downscaled copy as what stays put while the content moves (per window of about a
second, so a mark that jumps every two seconds is found at each place in turn), reads each overlay with
OCR at full resolution (the per-pixel median of the window's crops), and matches the text against the mark
catalogue (`data/watermarks.toml`). The reading policy and the OCR budget are in `reader`. The kept frames
(`store`) let the end of the run check, at full resolution, where the mark is in every sampled frame
(`presence`), which gives its true places and stays (`findings`) and the stretches where it is missing
(`removal`). A circular badge is read along its circle (`badges`).

A mark is strong evidence that the file passed through the generator or app it names, not proof that the
footage is synthetic: marks can be pasted onto real video, which is why geometry and motion are compared
with the genuine mark and a mismatch is said out loud.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import cv2
import numpy as np

from vidsleuth.core.result import SignalResult, Thumbnail
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.watermark import badges, findings, ocr, reader, regions, removal
from vidsleuth.signals.watermark.metrics import WatermarkMetrics
from vidsleuth.signals.watermark.presence import MarkRead
from vidsleuth.signals.watermark.reader import Counts
from vidsleuth.signals.watermark.reading import Reading, interpret
from vidsleuth.signals.watermark.store import FrameStore

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

# Frames per second sampled: the Sora mark stays ~2.2-3.5 s in one place, so 2.5 fps gives 5+ frames per
# place, enough for two or more windows of WINDOW frames inside each stay.
SAMPLE_FPS = 2.5
# Longer side of the gray frames the overlay finder works on (OCR reads the full-size frames).
ANALYSIS_MAX_SIDE = 640
WINDOW = 3
# Crop margin around an overlay, as a share of its height (the handle line sits under the name) ...
CROP_MARGIN = 0.35
# ... and sideways, as a share of its height: when only the logo was found static (the name over a busy
# background was not), the name beside it still falls inside the crop.
CROP_MARGIN_X = 2.5
# A partial read of the mark whose name line ends within EDGE_TOUCH_PX of the crop's side is read again
# with the crop grown on that side by WIDEN_BY x the line's height (about three letters).
EDGE_TOUCH_PX = 4
WIDEN_BY = 2.0
# Thumbnails for the report are at most this large (longer side).
CROP_MAX_SIDE = 640

Frame = tuple[FrameSample, regions.Gray, regions.Gray, regions.Gray]  # sample, full gray, analysis, gradient


@dataclass(slots=True)
class Known:
    """A place the mark was read at: the clearest reading there, when it was last read, the read crop's
    thumbnail, and how many times OCR read the mark there."""

    place: regions.Box
    reading: Reading
    when_s: float
    thumb: Thumbnail | None
    reads: int = 1

    @property
    def settled(self) -> bool:
        """Whether a new track here may take this reading without OCR: the mark was read clearly, or the
        place has had its retries (a partial read such as "Sor" gets another look, so one noisy median
        crop does not set the mark's strength)."""
        return self.reading.confidence >= findings.CLEAR_CONFIDENCE or self.reads >= reader.MAX_RETRY_READS


def _downscale(gray: regions.Gray, size: tuple[int, int]) -> regions.Gray:
    if (gray.shape[1], gray.shape[0]) == size:
        return gray
    return np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _analysis_size(w: int, h: int) -> tuple[int, int]:
    if max(w, h) <= ANALYSIS_MAX_SIDE:
        return w, h
    s = ANALYSIS_MAX_SIDE / max(w, h)
    return max(2, round(w * s / 2) * 2), max(2, round(h * s / 2) * 2)


class WatermarkSignal(FrameSignal):
    NAME: ClassVar[str] = "watermark"
    VERSION: ClassVar[str] = "1.1.2"
    DESCRIPTION: ClassVar[str] = "Visible generator watermarks and AI labels (OCR), @handles, removal hints"
    METRICS = WatermarkMetrics

    def __init__(self) -> None:
        self._buffer: deque[Frame] = deque(maxlen=WINDOW)
        self._tracks = regions.TrackSet()
        self._engine = ocr.OcrEngine()
        self._thumbs: list[Thumbnail] = []
        self._frames = 0
        self._reads = 0
        self._max_reads = reader.MAX_READS
        self._source_size: tuple[int, int] | None = None
        self._analysis_size: tuple[int, int] | None = None
        self._store: FrameStore | None = None
        self._duration: float | None = None
        self._removal = removal.RemovalAccumulator()
        self._ocr_errors: list[str] = []
        self._mark_size: tuple[int, int] | None = None  # analysis-frame size of the first mark read
        self._known: list[Known] = []  # places the mark was read at
        self._handle_reads = 0
        self._handle_misses = 0  # reads of a handle-bearing mark that found no handle
        self._counts = Counts()
        self._probe_rounds = 0
        self._next_probe_s = reader.PROBE_AFTER_S

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        return ocr.is_available()

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.watermark.panel import WatermarkPanel

        return WatermarkPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        # Full size: OCR and the presence checks read the source's own pixels; the finder gets a copy
        # downscaled to ANALYSIS_MAX_SIDE.
        return Sampling(fps=SAMPLE_FPS, max_side=None, pixel_format="gray")

    def start(self, ctx: AnalysisContext) -> None:
        self._source_size = ctx.media.display_size
        self._duration = ctx.media.duration_s
        duration = ctx.media.duration_s or 0.0
        self._max_reads = min(reader.MAX_READS, reader.BASE_READS + round(reader.READS_PER_S * duration))

    # Frames -------------------------------------------------------------------------------------
    def process_frame(self, frame: FrameSample) -> None:
        full = frame.pixels
        if full is None:
            return
        self._frames += 1
        if self._analysis_size is None:
            self._source_size = (full.shape[1], full.shape[0])
            self._analysis_size = _analysis_size(*self._source_size)
            self._store = FrameStore(self._source_size, self._duration, SAMPLE_FPS, self._analysis_size)
        if (full.shape[1], full.shape[0]) != self._source_size:
            return  # a stream that changed size: its odd frames are not compared with the others
        assert self._store is not None
        gray = _downscale(full, self._analysis_size)
        self._store.add(frame.time_s, full, gray)
        grad = regions.gradient(gray)
        self._removal.add(frame.time_s, gray, grad)
        self._buffer.append((frame, full, gray, grad))
        if len(self._buffer) < WINDOW:
            return
        stats = regions.find_candidates([b[2] for b in self._buffer], [b[3] for b in self._buffer])
        self._counts.candidates += len(stats.candidates)
        before = len(self._tracks.tracks)
        seen = self._tracks.update(stats, self._buffer[0][0].time_s, frame.time_s)
        self._counts.tracks += len(self._tracks.tracks) - before
        allowance = min(self._max_reads, reader.BASE_READS + reader.READS_PER_S * frame.time_s)
        for track in sorted(seen, key=self._priority, reverse=True):
            # Once a mark is known, clutter unlike it may not eat the last RESERVE_READS of the allowance.
            limit = (
                allowance
                if self._priority(track) >= 1.0 or self._mark_size is None
                else allowance - reader.RESERVE_READS
            )
            if track.windows == reader.CONFIRM_WINDOWS:
                self._counts.confirmed += 1
            if not self._wants_read(track):
                continue
            if track.reads == 0 and self._inherit(track, frame.time_s):
                self._counts.read += 1
                continue
            if self._reads < limit:
                self._counts.read += track.reads == 0
                self._read(track, frame.time_s)
        self._maybe_probe(frame.time_s, allowance)

    def _priority(self, track: regions.Track) -> float:
        """Denser first, and near the left or right edge first (every catalogued mark sits there); once a
        mark has been read, tracks of about its size come first (a jumping mark keeps its size from place
        to place, while clutter varies)."""
        assert self._analysis_size is not None
        x, w = track.box[0], track.box[2]
        aw = self._analysis_size[0]
        side = min(x + w / 2, aw - x - w / 2) <= reader.EDGE_SHARE * aw
        base = track.density + (reader.EDGE_BONUS if side else 0.0)
        if self._mark_size is None:
            return base
        w, h = track.box[2], track.box[3]
        mw, mh = self._mark_size
        alike = 0.5 < w / mw < 2.0 and 0.5 < h / mh < 2.0
        return base + (1.0 if alike else 0.0)

    def _wants_read(self, track: regions.Track) -> bool:
        if track.windows < reader.CONFIRM_WINDOWS or track.density < reader.READ_MIN_DENSITY:
            return False
        if track.reads == 0:
            return True
        reading = track.payload.get("reading")
        if not isinstance(reading, Reading):
            return False
        partial = reading.mark is not None and reading.confidence < findings.CLEAR_CONFIDENCE
        if partial and not track.payload.get("inherited") and track.reads < reader.MAX_RETRY_READS:
            # A partial read of the mark ("Sor"): one more look at the very next window, since a jumping
            # mark may leave this place before READ_EVERY_WINDOWS windows have passed.
            return track.windows >= reader.CONFIRM_WINDOWS + track.reads
        if track.windows < reader.CONFIRM_WINDOWS + reader.READ_EVERY_WINDOWS * track.reads:
            return False
        if reading.mark is None:  # retry only where some text was read: a logo stays a logo
            return bool(reading.lines) and track.reads < reader.MAX_RETRY_READS
        if track.payload.get("inherited"):
            return False
        return (
            reading.mark.has_handle and track.reads < reader.MAX_HANDLE_READS and self._wants_handle_votes()
        )

    def _wants_handle_votes(self) -> bool:
        return self._handle_reads < reader.HANDLE_VOTES and self._handle_misses < reader.HANDLE_MISSES

    def _inherit(self, track: regions.Track, now_s: float) -> bool:
        """Give a new track at a recently read mark place that place's reading, without OCR."""
        for k in self._known:
            if k.reading.mark is not None and k.reading.mark.has_handle and self._wants_handle_votes():
                continue  # the handle still needs votes: read it again
            if not k.settled:
                continue  # a partial read: read the place again
            if now_s - k.when_s < reader.REREAD_AFTER_S and regions.same_place(k.place, track.box):
                track.reads = 1
                track.payload["reading"] = k.reading
                track.payload["readings"] = [k.reading]
                track.payload["inherited"] = True
                # The place's read crop stands for it: a new thumbnail would convert a whole frame again
                # and is never shown (a detection's sightings show the crops OCR read).
                track.payload["thumb"] = k.thumb
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

    def _median_crop(self, box: regions.Box) -> np.ndarray[Any, Any]:
        """The per-pixel median of the window's full-size crops under `box` (source pixels): a moving
        background behind a semi-transparent mark blurs out, the mark stays."""
        x, y, w, h = box
        crops = [full[y : y + h, x : x + w] for _, full, _, _ in self._buffer]
        return np.asarray(np.median(np.stack(crops), axis=0), dtype=np.uint8)

    def _ocr(self, box: regions.Box, badge: bool = False) -> tuple[Reading, np.ndarray[Any, Any]] | None:
        """Read the window's median crop under `box` (source pixels); None when OCR failed. With `badge`
        (a roundish overlay), a crop without a catalogued line is also read along a circle in it."""
        self._reads += 1
        image = self._median_crop(box)
        try:
            lines = self._engine.read(image)
        except Exception as exc:  # an OCR failure on one crop must not end the signal
            self._ocr_errors.append(f"{type(exc).__name__}: {exc}")
            return None
        reading = interpret(lines)
        if reading.mark is None and badge:
            try:
                reading = badges.read_badge(self._engine, image, reading)
            except Exception as exc:  # as for any read: one failure must not end the signal
                self._ocr_errors.append(f"{type(exc).__name__}: {exc}")
        return reading, image

    def _remember(
        self, track: regions.Track, reading: Reading, image: np.ndarray[Any, Any], box: regions.Box
    ) -> None:
        """Keep what a read of the mark tells the end of the run: where its text lies, and its look."""
        assert reading.mark is not None
        name, block = reading.mark_box, reading.text_box
        if name is None or block is None:
            return
        mid = self._buffer[len(self._buffer) // 2][0].time_s
        read = MarkRead(mid, image, (box[0], box[1]), name, block, reading.confidence)
        track.payload.setdefault("mark_reads", [])
        reads = track.payload["mark_reads"]
        assert isinstance(reads, list)
        reads.append(read)

    def _read(self, track: regions.Track, now_s: float) -> None:
        track.reads += 1
        box = self._to_source(track.box, CROP_MARGIN, CROP_MARGIN_X)
        w, h = track.box[2], track.box[3]
        result = self._ocr(box, badge=badges.ROUNDISH[0] <= w / max(1, h) <= badges.ROUNDISH[1])
        if result is None:
            return
        reading, image = result
        wider = self._widened(box, reading)
        if wider is not None:
            again = self._ocr(wider)
            if again is not None and again[0].mark is not None and again[0].confidence > reading.confidence:
                (reading, image), box = again, wider
        middle = self._buffer[len(self._buffer) // 2][0]
        thumb = middle.thumbnail("watermark candidate", CROP_MAX_SIDE, box)
        if reading.mark is not None:
            if self._mark_size is None:
                self._mark_size = (track.box[2], track.box[3])
            self._know(track.box, reading, now_s, thumb)
            self._handle_reads += reading.handle is not None
            self._handle_misses += reading.mark.has_handle and reading.handle is None
            self._remember(track, reading, image, box)
        previous = track.payload.get("reading")
        if previous is None or reading.confidence >= getattr(previous, "confidence", 0.0):
            track.payload["reading"] = reading
            track.payload["thumb"] = thumb
        track.payload.setdefault("readings", [])
        readings = track.payload["readings"]
        assert isinstance(readings, list)
        readings.append(reading)

    def _widened(self, box: regions.Box, reading: Reading) -> regions.Box | None:
        """A wider crop to read again when a partial read of the mark ("Sor") reaches the side of the crop
        (the finder saw only the logo and the first letters as static, so the rest of the name was cut
        off); None when the read is clear, lies inside the crop, or the crop cannot grow."""
        name = reading.mark_box
        if reading.mark is None or name is None or reading.confidence >= findings.CLEAR_CONFIDENCE:
            return None
        assert self._source_size is not None
        x, y, w, h = box
        nx, _, nw, nh = name
        grow = round(WIDEN_BY * nh)
        left = grow if nx <= EDGE_TOUCH_PX else 0
        right = grow if nx + nw >= w - EDGE_TOUCH_PX else 0
        x0, x1 = max(0, x - left), min(self._source_size[0], x + w + right)
        if (x0, x1) == (x, x + w):
            return None
        return x0, y, x1 - x0, h

    def _know(self, place: regions.Box, reading: Reading, now_s: float, thumb: Thumbnail | None) -> None:
        """Record a read of the mark at `place`, keeping that place's clearest reading."""
        before = next((k for k in self._known if regions.same_place(k.place, place)), None)
        if before is None:
            self._known.append(Known(place, reading, now_s, thumb))
            return
        before.reads += 1
        before.when_s = now_s
        if reading.confidence >= before.reading.confidence:
            before.place, before.reading, before.thumb = place, reading, thumb

    def _maybe_probe(self, now_s: float, allowance: float) -> None:
        """Read the catalogued places of the marks this frame size may carry, when nothing has been read
        yet (see `reader`)."""
        if self._known or self._probe_rounds >= reader.PROBE_ROUNDS or now_s < self._next_probe_s:
            return
        assert self._source_size is not None and self._analysis_size is not None
        marks = reader.probed_marks_for(self._source_size)
        if not marks:
            self._probe_rounds = reader.PROBE_ROUNDS
            return
        self._probe_rounds += 1
        self._next_probe_s = now_s + reader.PROBE_EVERY_S
        boxes = list(dict.fromkeys(b for m in marks for b in reader.probe_boxes(m, self._source_size)))
        aw, ah = self._analysis_size
        sw, sh = self._source_size
        for box in boxes:
            if self._reads >= allowance:
                return
            self._counts.probes += 1
            result = self._ocr(box)
            if result is None or result[0].mark is None:
                continue
            reading, image = result
            # A track for what the probe found, at its text in analysis pixels, as if the finder had.
            tb = reading.text_box or (0, 0, box[2], box[3])
            a_box = (
                round((box[0] + tb[0]) * aw / sw),
                round((box[1] + tb[1]) * ah / sh),
                max(1, round(tb[2] * aw / sw)),
                max(1, round(tb[3] * ah / sh)),
            )
            start = self._buffer[0][0].time_s
            track = regions.Track(len(self._tracks.tracks), a_box, start, now_s, reads=1)
            track.payload.update(reading=reading, readings=[reading], probe=True)
            thumb = self._buffer[len(self._buffer) // 2][0].thumbnail(
                "watermark candidate", CROP_MAX_SIDE, box
            )
            track.payload["thumb"] = thumb
            self._tracks.tracks.append(track)
            self._know(a_box, reading, now_s, thumb)
            self._handle_reads += reading.handle is not None
            self._remember(track, reading, image, box)

    # Result -------------------------------------------------------------------------------------
    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        if self._frames == 0 or self._analysis_size is None or self._store is None:
            return SignalResult.not_applicable(self.NAME, self.VERSION, "no frame could be sampled")
        if self._ocr_errors and self._engine.calls == 0:
            return SignalResult.failed(self.NAME, self.VERSION, f"OCR failed: {self._ocr_errors[0]}")
        duration = ctx.media.duration_s or (ctx.decode.last_time_s if ctx.decode else None) or 0.0
        scale = findings.Geometry(self._analysis_size, self._source_size or self._analysis_size, duration)
        report = findings.build(self._tracks.tracks, scale, self._thumbs, self._store)
        hints = removal.hints(self._removal, report.detections, scale, ctx.media, self._store, self._confirm)
        evidence = [*report.evidence, *(h.evidence for h in hints)]
        if not evidence:
            evidence.append(findings.nothing_found(self._frames, self._counts, self._engine.calls))
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
            candidates_seen=self._counts.candidates,
            regions_seen=self._counts.tracks,
            regions_confirmed=self._counts.confirmed,
            regions_read=self._counts.read,
            probe_reads=self._counts.probes,
            frames_kept=len(self._store.frames),
            kept_scale=round(self._store.scale, 3),
        )
        thumbs = [replace(t, label=t.label[:120]) for t in self._thumbs]
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics, thumbs)

    def _confirm(self, crops: list[np.ndarray[Any, Any]]) -> bool:
        """Whether OCR reads a catalogued mark in any of these crops (the removal check's last word)."""
        for image in crops:
            try:
                reading = interpret(self._engine.read(image))
            except Exception as exc:
                self._ocr_errors.append(f"{type(exc).__name__}: {exc}")
                return True  # unsure: no hint
            if reading.mark is not None:
                return True
        return False
