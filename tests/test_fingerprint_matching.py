"""Matching rules on synthetic fingerprints: vPDQ's percentages, time alignment, sub-clips, photos.

A synthetic "video" is a random walk of PDQ hashes (each frame 12 bits from the previous one, so frames
far apart are unrelated, as in real footage); a "copy" is a stretch of it with a few bits of noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from vidsleuth.fingerprint import bits
from vidsleuth.fingerprint.matching import MatchRules, compare
from vidsleuth.fingerprint.search import BankItemInfo, BankSearcher, BankSnapshot
from vidsleuth.fingerprint.video import FrameHash, VideoFingerprint


def _flip(value: bytes, n: int, rng: np.random.Generator) -> bytes:
    b = np.unpackbits(np.frombuffer(value, np.uint8))
    b[rng.choice(256, n, replace=False)] ^= 1
    return np.packbits(b).tobytes()


def walk(seed: int, n: int, step: int = 12) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = [rng.integers(0, 256, 32, dtype=np.uint8).tobytes()]
    for _ in range(n - 1):
        out.append(_flip(out[-1], step, rng))
    return out


def video(hashes: list[bytes], fps: float = 5.0, quality: int = 100) -> VideoFingerprint:
    frames = tuple(FrameHash(h, quality, i / fps, i) for i, h in enumerate(hashes))
    return VideoFingerprint(frames, "video", len(hashes) / fps, fps)


def copy_of(hashes: list[bytes], noise: int = 6, seed: int = 99) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [_flip(h, noise, rng) for h in hashes]


def test_same_video_is_a_decisive_vpdq_match() -> None:
    item = walk(1, 50)
    result = compare(video(copy_of(item)), video(item))
    assert result.is_match and result.rule == "vpdq"
    assert result.query_match_pct == result.item_match_pct == 100.0
    assert result.strength >= 0.9
    [segment] = result.segments
    assert segment.offset_s == pytest.approx(0.0)
    assert segment.query is not None and segment.item is not None
    assert segment.query.start_s == 0.0 and segment.query.end_s == pytest.approx(10.0)


def test_sub_clip_is_aligned_in_time() -> None:
    item = walk(2, 100)  # 20 s at 5 fps
    clip = copy_of(item[40:65])  # 8.0-13.0 s
    result = compare(video(clip), video(item))
    assert result.is_match and result.rule == "segment"  # only 25 % of the item: vPDQ's rule says no
    assert result.item_match_pct < 80
    [segment] = result.segments
    assert segment.offset_s == pytest.approx(8.0)
    assert segment.item is not None and segment.item.start_s == pytest.approx(8.0)
    assert segment.item.end_s == pytest.approx(13.0)
    assert segment.frames == 25


def test_clip_stitched_from_two_videos_finds_both_with_their_ranges() -> None:
    a, b = walk(3, 60), walk(4, 60)
    stitched = copy_of(a[10:45] + b[5:40])  # 7 s of A (2-9 s) then 7 s of B (1-8 s): a 14 s clip
    query = video(stitched)
    ra, rb = compare(query, video(a)), compare(query, video(b))
    assert ra.is_match and rb.is_match
    [sa], [sb] = ra.segments, rb.segments
    assert sa.query is not None and sa.item is not None and sb.query is not None and sb.item is not None
    assert (sa.query.start_s, sa.item.start_s) == pytest.approx((0.0, 2.0))
    assert (sb.query.start_s, sb.item.start_s) == pytest.approx((7.0, 1.0))
    assert sa.query.end_s == pytest.approx(7.0) and sb.query.end_s == pytest.approx(14.0)


def test_unrelated_and_scattered_frames_do_not_match() -> None:
    item = walk(5, 60)
    assert not compare(video(walk(6, 60)), video(item)).is_match
    # two lone frames of the item at unrelated times inside an unrelated video: no aligned segment
    query = walk(7, 60)
    query[10], query[50] = item[30], item[3]
    result = compare(video(query), video(item))
    assert result.matched_query_frames == 2
    assert not result.is_match and not result.segments


def test_low_quality_frames_are_ignored() -> None:
    item = walk(8, 30)
    result = compare(video(item, quality=40), video(item))
    assert not result.is_match and result.query_frames == 0


def test_photos_match_the_frames_that_show_them() -> None:
    clip = walk(9, 40)
    photo_hash = clip[20]
    shown = clip[:18] + copy_of([photo_hash] * 8) + clip[26:]  # the photo on screen at 3.6-5.2 s
    photo = VideoFingerprint((FrameHash(photo_hash, 100, None, 0),), "image")
    found = compare(video(shown), photo)
    assert found.is_match and found.rule == "pdq" and found.strength >= 0.8
    [segment] = found.segments
    assert segment.query is not None and segment.item is None
    assert (segment.query.start_s, segment.query.end_s) == pytest.approx((3.6, 5.2))
    reverse = compare(photo, video(shown))  # which banked videos show this photo, and when
    assert reverse.is_match and reverse.segments[0].item is not None
    assert not compare(video(walk(10, 40)), photo).is_match


def _reference_vpdq(q: VideoFingerprint, c: VideoFingerprint, d: int, f: int) -> tuple[float, float]:
    """Meta's pseudocode (vpdq/README.md), written out plainly: unique hashes, quality filter, bags."""
    qs = list(dict.fromkeys(x.hash for x in q.frames if x.quality >= f))
    cs = list(dict.fromkeys(x.hash for x in c.frames if x.quality >= f))
    qm = sum(any(bits.distance(a, b) <= d for b in cs) for a in qs)
    cm = sum(any(bits.distance(a, b) <= d for b in qs) for a in cs)
    return 100 * qm / len(qs), 100 * cm / len(cs)


@pytest.mark.parametrize("seed", range(5))
def test_percentages_equal_the_vpdq_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    item = walk(seed, 40, step=20)
    query = copy_of(item[5:30], noise=int(rng.integers(0, 30)), seed=seed) + walk(seed + 100, 10)
    query += query[:4]  # exact duplicates count once
    qf = video(query)
    frames = tuple(
        FrameHash(f.hash, 30 if k % 7 == 0 else 100, f.time_s, f.frame) for k, f in enumerate(qf.frames)
    )
    qf = VideoFingerprint(frames, "video", qf.duration_s, 5.0)
    result = compare(qf, video(item), MatchRules(distance=31, quality=50))
    expected = _reference_vpdq(qf, video(item), 31, 50)
    assert (result.query_match_pct, result.item_match_pct) == pytest.approx(expected)


def _snapshot(fps: dict[int, VideoFingerprint]) -> BankSnapshot:
    rows = [(i, f) for i, fp in sorted(fps.items()) for f in fp.frames]
    return BankSnapshot(
        {
            i: BankItemInfo(i, fp.kind, label=f"item {i}", duration_s=fp.duration_s, sample_fps=fp.sample_fps)
            for i, fp in fps.items()
        },
        np.array([i for i, _ in rows], np.int64),
        np.array([np.nan if f.time_s is None else f.time_s for _, f in rows]),
        np.array([f.quality for _, f in rows], np.int16),
        np.array([-1 if f.frame is None else f.frame for _, f in rows], np.int64),
        bits.as_rows([f.hash for _, f in rows]),
    )


def test_searcher_finds_items_through_the_index() -> None:
    items = {i: video(walk(20 + i, 40)) for i in range(1, 30)}
    searcher = BankSearcher(_snapshot(items))
    query = video(copy_of([f.hash for f in items[7].frames][10:30]))
    matches = searcher.search(query)
    assert [m.item.id for m in matches] == [7]
    assert matches[0].to_dict()["label"] == "item 7"
    assert matches[0].to_dict()["segments"][0]["item"] == {"start_s": 2.0, "end_s": 6.0}
    assert searcher.search(video(walk(999, 30))) == []
    assert BankSearcher(BankSnapshot.empty()).search(query) == []
