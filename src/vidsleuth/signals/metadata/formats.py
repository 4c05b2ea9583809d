"""The metadata signal's comparison of a video's format with the generator catalogue: output sizes,
frame rates, clip lengths and encoder tags (`format_matches`), and frames that are a generator's output
size with part of one side cut away (`crop_matches`). Kept apart from the signal so that the signal
reads as the findings it makes; the catalogue itself is `vidsleuth.data.generators`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from vidsleuth.core.media import MediaInfo
from vidsleuth.core.signal import DecodeStats
from vidsleuth.data import generators as catalog
from vidsleuth.data.generators import FILE_LENGTH_TOLERANCE_S as LENGTH_TOLERANCE_S
from vidsleuth.signals.metadata.marks import TagHit, common_sizes
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


def tag_sets(media: MediaInfo) -> Iterator[tuple[str, Mapping[str, str]]]:
    """The container's tags and each stream's, with where they were found."""
    yield tag_place(None), media.tags
    for s in media.streams:
        yield tag_place(s.index), s.tags


def duration_of(media: MediaInfo, decode: DecodeStats | None) -> float | None:
    """The video's length as decoded when the decode says, else as the container declares it."""
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
    frames = decode.frames_decoded if decode is not None else video.frame_count
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
        out.append(FormatMatch(g, min(FORMAT_MAX, strength), tuple(matched)))
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
