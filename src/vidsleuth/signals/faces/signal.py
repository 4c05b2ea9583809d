"""Signal `faces`: who is in the video, and do their faces show the traces of a face swap or reenactment?

The issue behind it (#13): face-swapped videos read "No indicators found" and nothing said that faces were
never examined. No public face-swap detector ships weights that run offline, so this signal builds its
evidence from face models that do ship (dlib's HOG detector, 5-point landmarks and 128-d identity
descriptor: the optional `faces` extra) and says honestly what they are worth:

- **Face tracks** on the shared decode (detection every 1-2 s, landmarks in short bursts, see scan.py).
- **Face-swap and reenactment cues** (cues.py): identity stability along the track, blending-boundary
  statistics (noise, sharpness, detail, seam, colour and brightness flicker), landmark jitter, and with
  the opt-in 68-point model jaw jitter and head-pose mismatch. Each is a learned measurement, emitted
  informational with its value: only a calibration fitted on labelled videos can give it a strength. On
  labelled data they reached only AUC 0.59 [0.44, 0.75] (bench/faces_eval.py), so every result says what
  was examined and with what validated power (``faces.examined``, a verdict caveat).
- **Whose face is this?** Each face track's identity against reference photos (``--reference-face``), with
  distance and threshold in the sentence, and the animated-photo sign: a face that matches a photo in that
  photo's own scene while the head moves (the memorial-video case).

Not done here, and why (docs/signals/faces.md, "Limits"): mouth against audio (the shared decode hands
signals no audio), inner- vs outer-face identity (no signal with these models), and banked stills (the
bank keeps no face descriptors).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from vidsleuth.core.evidence import Evidence
from vidsleuth.core.result import SignalResult, Thumbnail
from vidsleuth.core.signal import AnalysisContext, FrameSample, FrameSignal, Sampling
from vidsleuth.signals.faces import colour, findings, heatmap, models, references, summary
from vidsleuth.signals.faces.cues import COVARIATES, CUES, MIN_OBSERVATIONS, TrackCues, track_cues
from vidsleuth.signals.faces.metrics import FacesMetrics, Heatmap, MatchRow, ReferenceRow, TooSmall
from vidsleuth.signals.faces.options import FacesOptions
from vidsleuth.signals.faces.scan import FaceScan
from vidsleuth.signals.faces.tracking import Box, Track

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

THUMB_SIDE = 160
NO_FACE = (
    "no face was found (dlib's HOG detector finds frontal and half-turned faces about {px} px wide and "
    "larger; faces in profile, very dark scenes and dark skin in low light can be missed)"
)


class FacesSignal(FrameSignal):
    NAME: ClassVar[str] = "faces"
    VERSION: ClassVar[str] = "1.0.0"
    DESCRIPTION: ClassVar[str] = (
        "Face tracks, face-swap and reenactment cues (measurements), and whose face it is (reference photos)"
    )
    OPTIONS = FacesOptions
    METRICS = FacesMetrics

    def __init__(self) -> None:
        self._opts = FacesOptions()
        self._refs: list[references.Reference] = []
        self._scan: FaceScan | None = None
        self._to_source = 1.0  # analysed pixels -> the decode's frame pixels (thumbnail boxes)

    @classmethod
    def is_available(cls) -> tuple[bool, str]:
        why = models.missing()
        return (False, why) if why else (True, "")

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.faces.panel import FacesPanel

        return FacesPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        # Every frame, grey: landmark jitter needs consecutive frames. Pixels are converted only for the
        # frames the schedule looks at (detections, landmark bursts); the little colour needed comes
        # through colour.py.
        return Sampling(
            fps=None, max_side=FacesOptions.of(ctx.settings, self.NAME).frame_side, pixel_format="gray"
        )

    def start(self, ctx: AnalysisContext) -> None:
        self._opts = FacesOptions.of(ctx.settings, self.NAME)
        hashes = self._opts.reference_sha256
        self._refs = [
            references.load(path, hashes[i] if i < len(hashes) else "")
            for i, path in enumerate(self._opts.reference_faces)
        ]
        known = [r.descriptor for r in self._refs if r.descriptor is not None]
        self._scan = FaceScan(self._opts, known, thumbnails=ctx.settings.thumbnails)
        size = ctx.media.display_size
        if size is not None and max(size) > self._opts.frame_side:
            self._to_source = max(size) / self._opts.frame_side

    def process_frame(self, frame: FrameSample) -> None:
        if self._scan is None:
            return
        k = self._to_source

        def thumbnail(label: str, box: Box) -> Thumbnail:
            x0, y0, x1, y1 = (round(v * k) for v in box)
            return frame.thumbnail(label, THUMB_SIDE, (x0, y0, max(1, x1 - x0), max(1, y1 - y0)))

        crop = colour.crop_from(frame.thumbnail, k)
        self._scan.step(lambda: frame.pixels, frame.index, frame.time_s, thumbnail, crop)

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        scan = self._scan
        if scan is None or scan.frames_seen == 0:
            return SignalResult.not_applicable(self.NAME, self.VERSION, "no frame was decoded for it")
        opts = self._opts
        tracks = scan.finish()
        small = scan.tracker.too_small
        if not tracks:
            if small:
                largest = max(w for _, w in small)
                return SignalResult.not_applicable(
                    self.NAME,
                    self.VERSION,
                    f"faces were found but all were narrower than {opts.min_face_px} px (the largest "
                    f"{largest:.0f} px): too small to track or examine",
                )
            return SignalResult.not_applicable(self.NAME, self.VERSION, NO_FACE.format(px=opts.min_face_px))

        thumbs: list[Thumbnail] = []
        track_thumbs: dict[int, int] = {}
        for t in tracks:
            rec = scan.records.get(t.track_id)
            if rec is not None and rec.thumbnail is not None:
                track_thumbs[t.track_id] = len(thumbs)
                thumbs.append(rec.thumbnail)

        main = summary.main_track(tracks, opts.min_face_px)
        cues: TrackCues | None = None
        evidence: list[Evidence] = []
        use68 = opts.landmarks68
        model_name = "68-point" if use68 else "5-point"
        if main is not None:
            cues = track_cues(main.obs, scan.record(main.track_id), use68)
            span = summary.span_of(main)
            evidence.append(
                findings.examined(
                    findings.VALIDATION,
                    len(tracks),
                    findings.where(main.track_id, span.start_s, span.end_s),
                    model_name,
                )
            )
            evidence += findings.cue_findings(
                {c.key: cues.values.get(c.key) for c in CUES}, main.track_id, span
            )
        else:
            evidence.append(findings.not_examined(len(tracks), MIN_OBSERVATIONS))
        if small:
            times = [t for t, _ in small]
            evidence.append(
                findings.too_small(
                    len(small), min(times), max(times), max(w for _, w in small), opts.min_face_px
                )
            )

        ref_rows, match_rows = self._references(scan, tracks, thumbs, track_thumbs, evidence)

        heat = None
        if scan.worst is not None and ctx.settings.thumbnails:
            w = scan.worst
            image, scale = heatmap.render(
                w.measured, f"Boundary heatmap, {findings.face_label(w.track_id)}", w.time_s
            )
            heat = Heatmap(
                thumbnail=len(thumbs),
                track_id=w.track_id,
                time_s=round(w.time_s, 3),
                statistic=heatmap.STATISTIC,
                inside=round(w.measured.inside.noise, 4),
                ring=round(w.measured.ring.noise, 4),
                scale=scale,
            )
            thumbs.append(image)

        values = cues.values if cues is not None else {}
        keys = [c.key for c in CUES if use68 or not c.needs68] + list(COVARIATES)
        metrics = FacesMetrics(
            landmark_model=model_name,
            sampling=self._sampling_facts(),
            frame_size=scan.frame_size or (),
            frames_seen=scan.frames_seen,
            frames_examined=scan.frames_examined,
            detections_run=scan.tracker.detections_run,
            landmark_calls=scan.tracker.landmark_calls,
            descriptors=scan.descriptors,
            tracks=summary.track_rows(
                tracks, scan.records, main, opts.min_face_px, opts.detect_every_s, track_thumbs
            ),
            main_track=main.track_id if main is not None else None,
            too_small=self._too_small(small),
            features={k: _rounded(values.get(k)) for k in keys},
            feature_directions={c.key: c.direction for c in CUES if use68 or not c.needs68}
            | dict.fromkeys(COVARIATES, 0),
            panels=summary.cue_panels(cues, main, use68),
            references=ref_rows,
            matches=match_rows,
            heatmap=heat,
            validation=findings.VALIDATION,
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics, thumbs)

    def _references(
        self,
        scan: FaceScan,
        tracks: list[Track],
        thumbs: list[Thumbnail],
        track_thumbs: dict[int, int],
        evidence: list[Evidence],
    ) -> tuple[tuple[ReferenceRow, ...], tuple[MatchRow, ...]]:
        """Reference photos, the matches against them (with their thumbnails) and their findings."""
        if not self._refs:
            return (), ()
        opts = self._opts
        photo_thumb: dict[int, int] = {}
        checked, closest = summary.matches(
            tracks, scan.records, self._refs, opts.match_threshold, opts.possible_match_threshold
        )
        rows = []
        for c in checked:
            i = c.reference
            image = self._refs[i].thumbnail() if scan.thumbnails else None
            if image is not None and i not in photo_thumb:
                photo_thumb[i] = len(thumbs)
                thumbs.append(image)
            rows.append(
                replace(
                    c.row,
                    track_thumbnail=track_thumbs.get(c.row.track_id, -1),
                    reference_thumbnail=photo_thumb.get(i, -1),
                )
            )
            evidence.append(
                findings.reference_match(
                    c.row.track_id,
                    c.span,
                    c.row.reference,
                    c.row.distance,
                    opts.match_threshold,
                    opts.possible_match_threshold,
                    c.row.kind,
                )
            )
            if c.sign is not None and c.sign.kind == "animated":
                evidence.append(
                    findings.animated_photo(
                        c.row.track_id,
                        c.span,
                        c.row.reference,
                        c.row.distance,
                        opts.match_threshold,
                        c.sign.background_ncc,
                    )
                )
            elif c.sign is not None and c.sign.kind == "static":
                evidence.append(
                    findings.photo_shown_still(
                        c.row.track_id, c.span, c.row.reference, c.row.distance, c.sign.background_ncc
                    )
                )
        usable = [r for r in self._refs if r.descriptor is not None]
        if usable and not checked:
            evidence.append(findings.no_reference_match(len(usable), closest, opts.match_threshold))
        for r in self._refs:
            if r.descriptor is None:
                evidence.append(findings.reference_no_face(r.name, r.how))
        ref_rows = tuple(
            ReferenceRow(r.name, r.sha256[:16], r.descriptor is not None, r.how, photo_thumb.get(i, -1))
            for i, r in enumerate(self._refs)
        )
        return ref_rows, tuple(rows)

    def _sampling_facts(self) -> dict[str, float]:
        o = self._opts
        return {
            "detect_every_s": o.detect_every_s,
            "detect_idle_s": o.detect_idle_s,
            "detect_side": float(o.detect_side),
            "landmark_fps": o.landmark_fps,
            "burst": float(o.burst),
            "boundary_fps": o.boundary_fps,
            "descriptor_every_s": o.descriptor_every_s,
            "first_descriptors": float(o.first_descriptors),
            "frame_side": float(o.frame_side),
        }

    def _too_small(self, small: list[tuple[float, float]]) -> TooSmall:
        if not small:
            return TooSmall(min_px=self._opts.min_face_px)
        times = [t for t, _ in small]
        return TooSmall(
            count=len(small),
            first_s=round(min(times), 3),
            last_s=round(max(times), 3),
            largest_px=round(max(w for _, w in small), 1),
            min_px=self._opts.min_face_px,
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
