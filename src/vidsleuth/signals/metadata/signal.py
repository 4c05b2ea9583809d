"""Signal `metadata`: what the container, its streams and its tags say about where the file came from.

It reads facts the probe and the shared decode already gathered (no second decode): codec, encoder and
handler tags, creation time, duration, frame rate and its regularity, frame size and rotation, audio.
It compares size, frame rate and length with the generator catalogue, looks for frames that are a crop
of a generator's output size, and recognises telling tags and labels (China's AIGC labels, XMP
DigitalSourceType, generator signatures, editors). Metadata is easy to strip and to forge, so apart from
self-declared AI labels every finding here is a hint, never proof.

The format comparison with the catalogue lives in `signals/metadata/formats.py`, the tag marks in
`marks.py`, the AIGC label reader in `aigc_scan.py` (finding them) and `aigc.py` (parsing, findings).
Metrics: `MetadataMetrics` (metrics.py: the table of what was read, with notes, and the AIGC labels); the
report section (panel.py) shows the probed facts once, with the check's notes beside them.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, ClassVar

from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.media import MediaInfo
from vidsleuth.core.result import SignalResult
from vidsleuth.core.signal import AnalysisContext, DecodeStats, FrameSample, FrameSignal, Sampling
from vidsleuth.data import generators as catalog
from vidsleuth.signals.metadata.aigc import aigc_evidence, aigc_records
from vidsleuth.signals.metadata.aigc_scan import read_labels
from vidsleuth.signals.metadata.formats import duration_of, format_evidence, tag_sets
from vidsleuth.signals.metadata.marks import TagHit, match_tags, scan_embedded
from vidsleuth.signals.metadata.metrics import (
    AUDIO,
    CONTAINER,
    DURATION,
    FRAME_RATE,
    FRAME_SIZE,
    FRAMES_DECODED,
    KEYFRAMES,
    PIXEL_FORMAT,
    ROTATION,
    VIDEO_CODEC,
    MetadataMetrics,
    TableRow,
    TagMark,
    tag_field,
)

if TYPE_CHECKING:
    from vidsleuth.core.panel import Panel

# A stream is variable-frame-rate when its longest frame interval exceeds its shortest by this factor.
VFR_RATIO = 1.5
CROP_STRENGTH = 0.2  # a frame that is a crop of a generator's output size
# IPTC digital source type terms (http://cv.iptc.org/newscodes/digitalsourcetype/).
DST_AI = {"trainedAlgorithmicMedia": 0.85, "algorithmicMedia": 0.6}
DST_PARTIAL = {"compositeWithTrainedAlgorithmicMedia": 0.8, "compositeSynthetic": 0.5}
DST_CAPTURE = {"digitalCapture", "negativeFilm", "positiveFilm", "print", "minorHumanEdits"}


def _fmt_s(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.2f} s"


class MetadataSignal(FrameSignal):
    NAME: ClassVar[str] = "metadata"
    VERSION: ClassVar[str] = "1.1.0"
    DESCRIPTION: ClassVar[str] = "Container, stream and tag facts; generator output formats; AI labels"
    METRICS = MetadataMetrics

    @classmethod
    def panel(cls) -> Panel:
        from vidsleuth.signals.metadata.panel import MetadataPanel

        return MetadataPanel()

    def sampling(self, ctx: AnalysisContext) -> Sampling:
        # Only frame timing is needed (frame-rate regularity, decoded frame count): no pixels.
        return Sampling(fps=None, pixel_format=None)

    def process_frame(self, frame: FrameSample) -> None:
        """Timing arrives through DecodeStats in finalize; nothing to keep per frame."""

    def finalize(self, ctx: AnalysisContext) -> SignalResult:
        media, decode = ctx.media, ctx.decode
        hits = match_tags(tag_sets(media))
        embedded = scan_embedded(ctx.source.path)
        labels = read_labels(tag_sets(media), ctx.source.path)
        evidence: list[Evidence] = aigc_evidence(labels)
        evidence += self._source_types(embedded.digital_source_types)
        evidence += self._formats(media, decode, hits)
        evidence += self._tags(hits)
        evidence += self._stream_facts(media, decode)
        metrics = MetadataMetrics(
            table=self._table(media, decode, hits),
            xmp_packets=embedded.xmp_packets,
            digital_source_types=embedded.digital_source_types,
            aigc_labels=tuple(
                json.dumps({"AIGC": dict(x.fields)}, ensure_ascii=False) for x in labels if x.fields
            ),
            tag_marks=tuple(TagMark(h.mark.key, h.tag, h.value[:200], h.where) for h in hits),
            aigc=aigc_records(labels),
        )
        return SignalResult.ok(self.NAME, self.VERSION, evidence, metrics)

    # Findings -------------------------------------------------------------------------------------
    def _source_types(self, dsts: tuple[str, ...]) -> list[Evidence]:
        """Findings from the IPTC digital source types declared in embedded XMP."""
        out: list[Evidence] = []
        for term in dsts:
            if term in DST_AI:
                out.append(
                    Evidence.supports(
                        "metadata.xmp_ai_source_type",
                        Hypothesis.AI_GENERATED,
                        DST_AI[term],
                        f"Embedded XMP metadata declares the IPTC digital source type '{term}' (made by "
                        "a generative model). It is unsigned: anyone could have written it, but it is "
                        "rarely added to real footage.",
                        data={"digital_source_type": term},
                    )
                )
            elif term in DST_PARTIAL:
                out.append(
                    Evidence.supports(
                        "metadata.xmp_ai_source_type",
                        Hypothesis.AI_GENERATED,
                        DST_PARTIAL[term],
                        f"Embedded XMP metadata declares the IPTC digital source type '{term}': real "
                        "material combined with generated material.",
                        data={"digital_source_type": term, "scope": "partial"},
                    )
                )
            elif term in DST_CAPTURE:
                out.append(
                    Evidence.info(
                        "metadata.xmp_capture_source_type",
                        Hypothesis.PROVENANCE_ATTESTED,
                        f"Embedded XMP metadata declares the digital source type '{term}'. Unsigned "
                        "metadata cannot attest a capture; see the provenance check for signed claims.",
                        data={"digital_source_type": term},
                    )
                )
        return out

    def _formats(self, media: MediaInfo, decode: DecodeStats | None, hits: list[TagHit]) -> list[Evidence]:
        return format_evidence(media, decode, hits, CROP_STRENGTH)

    def _tags(self, hits: list[TagHit]) -> list[Evidence]:
        out: list[Evidence] = []
        seen: set[str] = set()
        for h in hits:
            if h.mark.key in seen or h.mark.kind == "ai_label":
                continue
            seen.add(h.mark.key)
            value = h.value if len(h.value) <= 80 else h.value[:77] + "..."
            if h.mark.kind == "generator":
                out.append(
                    Evidence.supports(
                        f"metadata.generator_tag.{h.mark.key}",
                        Hypothesis.AI_GENERATED,
                        h.mark.strength,
                        f"The {h.where} tag '{h.tag}' = '{value}' matches the {h.mark.label} seen on "
                        f"files from {h.mark.generator}. Tags are easy to copy, so this is a hint.",
                        data={
                            "generator": _generator_label(h.mark.generator),
                            "tag": h.tag,
                            "attribution_grade": True,  # a tag only that generator writes
                        },
                    )
                )
            else:
                what = {
                    "editor": "was passed through an editing app",
                    "reencode": "was written or re-encoded by a transcoder",
                    "export": "was exported by a photo/video app",
                }.get(h.mark.kind, "carries a known tag")
                out.append(
                    Evidence.info(
                        f"metadata.{h.mark.kind}",
                        Hypothesis.EDITED,
                        f"The file {what}: {h.mark.label} ({h.where} tag '{h.tag}' = '{value}'). Any "
                        "earlier metadata, including Content Credentials, may have been dropped on the way.",
                        data={"mark": h.mark.key, "tag": h.tag, "value": value},
                    )
                )
        return out

    def _stream_facts(self, media: MediaInfo, decode: DecodeStats | None) -> list[Evidence]:
        out: list[Evidence] = []
        video = media.video
        assert video is not None
        if not media.audio:
            out.append(
                Evidence.info(
                    "metadata.no_audio",
                    Hypothesis.EDITED,
                    "The file has no audio track (common for screen recordings, GIF conversions, some "
                    "generators and re-uploads that dropped sound).",
                )
            )
        if video.rotation:
            out.append(
                Evidence.info(
                    "metadata.rotation",
                    Hypothesis.PROVENANCE_ATTESTED,
                    f"The video carries a display rotation of {video.rotation}°, as phone cameras write; "
                    "generators and most editors write upright frames.",
                    data={"rotation": video.rotation},
                )
            )
        if decode is not None:
            lo, hi = decode.frame_interval_min_s, decode.frame_interval_max_s
            if lo and hi and lo > 0 and hi / lo >= VFR_RATIO and decode.frames_decoded > 2:
                out.append(
                    Evidence.info(
                        "metadata.variable_frame_rate",
                        Hypothesis.PROVENANCE_ATTESTED,
                        f"Frame intervals vary from {lo * 1000:.1f} ms to {hi * 1000:.1f} ms (variable "
                        "frame rate), typical of phone cameras and screen recorders; generator outputs "
                        "have a constant rate unless re-encoded.",
                        data={"min_interval_s": lo, "max_interval_s": hi},
                    )
                )
            out += self._decode_facts(video.frame_count, decode)
        size = media.display_size
        fps = video.frame_rate
        out.append(
            Evidence.info(
                "metadata.summary",
                Hypothesis.EDITED,
                f"{container_label(media.container)} file, {video.codec or 'unknown codec'}"
                + (f" {video.profile}" if video.profile else "")
                + (f", {size[0]}x{size[1]}" if size else "")
                + (f", {fps:.3g} fps" if fps else "")
                + f", {_fmt_s(duration_of(media, decode))}"
                + (", with audio" if media.audio else ", no audio")
                + ".",
            )
        )
        return out

    def _decode_facts(self, declared: int | None, decode: DecodeStats) -> list[Evidence]:
        """What the shared decode ran into: a stop at the duration limit (a caveat, not damage), packets
        that could not be decoded or an early end, missing frames, and the picture size changing."""
        out: list[Evidence] = []
        if decode.stopped:
            reached = f" after {decode.last_time_s:.1f} s" if decode.last_time_s is not None else ""
            out.append(
                Evidence.info(
                    "metadata.decode_stopped",
                    Hypothesis.EDITED,
                    f"Decoding {decode.stopped}{reached}: every frame-based finding covers that part of "
                    "the video only. This is a setting, not a sign that the file is damaged.",
                    data={"stopped": decode.stopped, "decoded_until_s": decode.last_time_s, "caveat": True},
                )
            )
        if decode.decode_errors or (not decode.complete and not decode.stopped):
            out.append(
                Evidence.info(
                    "metadata.decode_problems",
                    Hypothesis.EDITED,
                    f"{decode.decode_errors} packet(s) could not be decoded"
                    + ("" if decode.complete or decode.stopped else " and decoding stopped before the end")
                    + f" (first problem: {decode.first_decode_error or 'unknown'}). The file may be "
                    "damaged or truncated; findings cover the decodable part only.",
                    data={"decode_errors": decode.decode_errors, "complete": decode.complete},
                )
            )
        if declared and not decode.stopped and decode.frames_decoded < 0.9 * declared:
            out.append(
                Evidence.info(
                    "metadata.missing_frames",
                    Hypothesis.EDITED,
                    f"The container declares {declared} frames but only {decode.frames_decoded} "
                    "could be decoded: the file is probably truncated or damaged.",
                    data={"declared": declared, "decoded": decode.frames_decoded},
                )
            )
        if decode.size_changes:
            first = decode.frame_size
            start = f"{first[0]}x{first[1]}" if first else "the first frame's size"
            steps = ", ".join(f"{w}x{h} at {t:.2f} s" for t, w, h in decode.size_changes[:4])
            more = f" ({len(decode.size_changes)} changes in all)" if len(decode.size_changes) > 4 else ""
            out.append(
                Evidence.info(
                    "metadata.size_changes",
                    Hypothesis.EDITED,
                    f"The picture size changes mid-stream: from {start} to {steps}{more}. Clips of "
                    "different sizes joined together, and adaptive-quality stream recordings, do this; "
                    "every frame was scaled to the first frame's size for the checks.",
                    data={
                        "frame_size": list(first) if first else None,
                        "changes": [[t, w, h] for t, w, h in decode.size_changes],
                    },
                )
            )
        return out

    def _table(
        self, media: MediaInfo, decode: DecodeStats | None, hits: list[TagHit]
    ) -> tuple[TableRow, ...]:
        video = media.video
        assert video is not None
        size = media.display_size
        notes = {h.tag: h.mark.label for h in hits}
        audio = ", ".join(f"{a.codec} {a.sample_rate or ''} Hz".strip() for a in media.audio)
        rows = [
            TableRow(CONTAINER, media.container),
            TableRow(DURATION, _fmt_s(duration_of(media, decode))),
            TableRow(VIDEO_CODEC, f"{video.codec} {video.profile or ''}".strip()),
            TableRow(FRAME_SIZE, f"{size[0]}x{size[1]}" if size else "unknown"),
            TableRow(FRAME_RATE, f"{video.frame_rate:.3f}" if video.frame_rate else "unknown"),
            TableRow(PIXEL_FORMAT, video.pix_fmt or "unknown"),
            TableRow(ROTATION, f"{video.rotation}°"),
            TableRow(AUDIO, audio or "none"),
        ]
        if decode is not None:
            rows.append(TableRow(FRAMES_DECODED, str(decode.frames_decoded)))
            rows.append(TableRow(KEYFRAMES, str(decode.keyframes)))
        for where, tags in tag_sets(media):
            for k, v in tags.items():
                rows.append(TableRow(tag_field(where, k), v[:300], notes.get(k, "")))
        return tuple(rows)


def container_label(name: str) -> str:
    """A readable container name: FFmpeg calls MP4 and MOV both 'mov,mp4,m4a,3gp,3g2,mj2'."""
    if name.startswith("mov,mp4"):
        return "MP4/QuickTime"
    return name.split(",")[0].upper()


def _generator_label(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return catalog.get(name).label
    except KeyError:
        return name
