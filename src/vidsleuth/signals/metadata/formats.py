"""The metadata signal's comparison of a video's format with the generator catalogue: output sizes,
frame rates, clip lengths and encoder tags (`format_matches`), and frames that are a generator's output
size with part of one side cut away (`crop_matches`), and the findings they make (`format_evidence`).
Kept apart from the signal so that the signal reads as the findings it makes; the catalogue itself is
`vidsleuth.data.generators`.

Every format match rests on one measured fact (this file's size and rate), however many generators it
fits, so each finding carries the same ``data["fact"]`` and fusion counts it once; the crop finding's fact
is the one the watermark signal's crop hint names. Neither names a generator: they list candidates
(``data["candidates"]``), because a format is shared by many sources (issue #12).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from vidsleuth.core.evidence import Evidence, Hypothesis
from vidsleuth.core.media import MediaInfo
from vidsleuth.core.signal import DecodeStats
from vidsleuth.data import generators as catalog
from vidsleuth.data.generators import FILE_LENGTH_TOLERANCE_S as LENGTH_TOLERANCE_S
from vidsleuth.signals.metadata.marks import TagHit, common_sizes, is_camera_rate
from vidsleuth.signals.metadata.metrics import tag_place

# A crop keeps at least this share of the generator's frame along the cropped side.
CROP_MIN_SHARE = 0.8
# Strength of a size/frame-rate/length match, by how much matched (shared scale, see core.evidence).
FORMAT_BASE_UNCOMMON = 0.3  # size no camera standard uses
FORMAT_BASE_COMMON = 0.15  # a camera/broadcast size: only counted when fps and length match too
FORMAT_PER_EXTRA = 0.1  # each of frame rate and length that also matches
FORMAT_ENCODER = 0.15  # the encoder tag the generator's downloads carry
FORMAT_MAX = 0.6


@dataclass(frozen=True, slots=True)
class FormatMatch:
    generator: catalog.Generator
    strength: float
    matched: tuple[str, ...]
    # False when the format is a camera's (camera size at a camera frame rate) and no generator-specific
    # tag matched: reported for the record, never counted (any phone or screen recording looks the same).
    counted: bool = True


def format_fact(media: MediaInfo) -> str:
    """The name of the one measured fact every format match rests on (fusion counts it once)."""
    size = media.display_size
    fps = media.video.frame_rate if media.video is not None else None
    where = f"{size[0]}x{size[1]}" if size else "?"
    return f"format:{where}@{fps:g}" if fps else f"format:{where}"


def tag_sets(media: MediaInfo) -> Iterator[tuple[str, Mapping[str, str]]]:
    """The container's tags and each stream's, with where they were found."""
    yield tag_place(None), media.tags
    for s in media.streams:
        yield tag_place(s.index), s.tags


def duration_of(media: MediaInfo, decode: DecodeStats | None) -> float | None:
    """The video's length as decoded when the decode says (and was not stopped at the duration limit, when
    it measured only the part it read), else as the container declares it."""
    if decode is not None and decode.stopped:
        return media.duration_s
    if decode is not None and decode.last_time_s is not None and decode.frame_interval_median_s:
        return decode.last_time_s + decode.frame_interval_median_s
    return media.duration_s


def format_matches(media: MediaInfo, decode: DecodeStats | None, hits: list[TagHit]) -> list[FormatMatch]:
    """Generators whose output size matches this video, scored by what else matches."""
    size = media.display_size
    video = media.video
    if size is None or video is None:
        return []
    common = size in common_sizes()
    fps = video.frame_rate
    camera = common and fps is not None and is_camera_rate(fps)
    frames = decode.frames_decoded if decode is not None and not decode.stopped else video.frame_count
    duration = duration_of(media, decode)
    encoders = {h.value for h in hits if h.tag.lower() == "encoder"}
    encoders |= {v for _, tags in tag_sets(media) for k, v in tags.items() if k.lower() == "encoder"}
    out = []
    for g in catalog.generators():
        if not g.matches_size(*size):
            continue
        matched = [f"size {size[0]}x{size[1]}"]
        fps_ok = fps is not None and g.matches_fps(fps)
        if fps_ok:
            matched.append(f"{fps:g} fps")
        length_ok = bool(frames and any(abs(frames - n) <= 1 for n in g.frame_counts)) or bool(
            duration and any(abs(duration - c) <= LENGTH_TOLERANCE_S for c in g.clip_lengths_s)
        )
        if length_ok:
            matched.append(f"length {duration:.2f} s ({frames} frames)" if duration else f"{frames} frames")
        encoder_ok = bool(encoders & set(g.encoder_tags))
        if encoder_ok:
            matched.append("encoder tag " + ", ".join(sorted(encoders & set(g.encoder_tags))))
        if common and not (fps_ok and length_ok):
            continue
        strength = FORMAT_BASE_COMMON if common else FORMAT_BASE_UNCOMMON
        strength += FORMAT_PER_EXTRA * (fps_ok + length_ok) + FORMAT_ENCODER * encoder_ok
        counted = not camera or encoder_ok
        out.append(FormatMatch(g, min(FORMAT_MAX, strength), tuple(matched), counted))
    return sorted(out, key=lambda m: m.strength, reverse=True)


def crop_matches(media: MediaInfo) -> list[tuple[catalog.Generator, tuple[int, int]]]:
    """Generators of whose output this frame could be a crop along one side (e.g. 704x1180 of 704x1280)."""
    size = media.display_size
    if size is None or size in common_sizes():
        return []
    if catalog.by_size(*size):  # a generator's own output size is not a crop of another's
        return []
    w, h = size
    out = []
    for g in catalog.generators():
        for gw, gh in {*g.sizes, *((b, a) for a, b in g.sizes)}:
            same_w = w == gw and CROP_MIN_SHARE * gh <= h < gh
            same_h = h == gh and CROP_MIN_SHARE * gw <= w < gw
            if same_w or same_h:
                out.append((g, (gw, gh)))
                break
    return out


# Findings at most: the strongest matches, each naming the same fact.
MAX_FORMAT_FINDINGS = 3


def _candidate(g: catalog.Generator, **extra: object) -> dict[str, object]:
    return {"generator": g.label, "generator_key": g.key, **extra}


def format_evidence(
    media: MediaInfo, decode: DecodeStats | None, hits: list[TagHit], crop_strength: float
) -> list[Evidence]:
    """The format findings: generators whose output format this file matches (one fact), a camera format
    that matches one (informational), and a crop of a generator's size (one finding)."""
    out: list[Evidence] = []
    matches = format_matches(media, decode, hits)
    counted = [m for m in matches if m.counted][:MAX_FORMAT_FINDINGS]
    fact = format_fact(media)
    for m in counted:
        g = m.generator
        out.append(
            Evidence.supports(
                "metadata.generator_output_format",
                Hypothesis.AI_GENERATED,
                m.strength,
                f"The video's format matches {g.label}'s output ({'; '.join(m.matched)}). Many "
                "files share a format by coincidence and re-encodes change it, so this is a hint.",
                data={
                    "fact": fact,
                    "candidates": [_candidate(g, matched=list(m.matched))],
                    "matched": list(m.matched),
                    "attribution_grade": False,
                },
            )
        )
    camera = [m for m in matches if not m.counted][:MAX_FORMAT_FINDINGS]
    if camera:
        names = ", ".join(m.generator.label for m in camera)
        out.append(
            Evidence.info(
                "metadata.camera_format_match",
                Hypothesis.AI_GENERATED,
                f"The video's format ({'; '.join(camera[0].matched)}) is also what {names} make, but phones, "
                "cameras and screen recorders write it too and no generator-specific tag was found: not "
                "counted as a hint.",
                data={
                    "fact": fact,
                    "candidates": [_candidate(m.generator, matched=list(m.matched)) for m in camera],
                },
            )
        )
    crops = crop_matches(media)[:3]
    if crops:  # one finding, however many generators' sizes the crop could come from
        size = media.display_size
        assert size is not None
        _, (gw, gh) = crops[0]
        outputs = " or ".join(f"{g.label}'s {w}x{h}" for g, (w, h) in crops)
        out.append(
            Evidence.supports(
                "metadata.cropped_generator_size",
                Hypothesis.AI_GENERATED,
                crop_strength,
                f"The frame is {size[0]}x{size[1]}, which is {outputs} output with part of one side "
                "removed: consistent with a crop, for instance to cut a watermark away.",
                data={
                    "fact": catalog.crop_fact(*size),
                    "generator_size": [gw, gh],
                    "candidates": [_candidate(g, generator_size=[w, h]) for g, (w, h) in crops],
                    "attribution_grade": False,
                },
            )
        )
    return out
