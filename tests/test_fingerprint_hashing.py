"""PDQ hashing: hex and bits as Meta writes them, the pdqhash adapter, bars, variant crops, pruning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests import fingerprint_factory as ff
from vidsleuth.errors import InputError
from vidsleuth.fingerprint import bits, pdq
from vidsleuth.fingerprint.borders import content_box
from vidsleuth.fingerprint.video import (
    FingerprintBuilder,
    FrameHash,
    VideoFingerprint,
    fingerprint_file,
    image_fingerprint,
    prune,
    samples,
)

HEX = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c"  # a made-up example hash


def test_hex_round_trip_and_distance() -> None:
    value = bits.hash_from_hex(HEX.upper())
    assert bits.hash_to_hex(value) == HEX
    assert bits.distance(value, value) == 0
    other = bytes([value[0] ^ 0b1011]) + value[1:]
    assert bits.distance(value, other) == 3
    rows = bits.as_rows([value, other])
    words = bits.as_words(rows)
    assert bits.distances_to(words, words[0]).tolist() == [0, 3]
    assert bits.distance_matrix(words, words).tolist() == [[0, 3], [3, 0]]
    for bad in ("", "xyz", HEX[:-1], HEX + "0", "g" * 64):
        with pytest.raises(ValueError, match="64 hex digits"):
            bits.hash_from_hex(bad)


def test_pdq_bits_are_in_meta_hex_order() -> None:
    """The adapter packs pdqhash's bit vector most significant bit first, as python-threatexchange's
    PDQ hasher writes its hex; when threatexchange is installed, its hex must equal ours."""
    image = ff.shot_frames(3, 0.05)[0]
    digest, quality = pdq.hash_pixels(image)
    assert len(digest) == 32 and 0 <= quality <= 100
    hasher = pytest.importorskip("threatexchange.signal_type.pdq.pdq_hasher")
    their_hex, their_quality = hasher._pdq_from_numpy_array(np.ascontiguousarray(image))
    assert their_hex == digest.hex()
    assert their_quality == quality


def test_flat_and_tiny_images_have_low_quality() -> None:
    assert pdq.hash_pixels(np.full((64, 64, 3), 128, np.uint8))[1] < 50
    assert pdq.hash_pixels(np.zeros((3, 3, 3), np.uint8)) == (bytes(32), 0)
    grey = ff.shot_frames(5, 0.05)[0].mean(axis=2).astype(np.uint8)
    assert pdq.hash_pixels(grey)[1] > 50  # a grey (H x W) image is accepted


def test_bars_are_found_and_hashed_away() -> None:
    picture = ff.shot_frames(8, 0.05, size=(180, 144))[0]
    framed = np.zeros((144, 256, 3), np.uint8)
    framed[:, 38:218] = picture  # pillarbox: black bars left and right
    box = content_box(framed)
    assert box is not None
    top, bottom, left, right = box
    assert (top, bottom, left, right) == (0, 144, 38, 218)
    assert content_box(picture) is None
    assert content_box(np.zeros((144, 256, 3), np.uint8)) is None  # all black: not a picture in bars
    fp = image_fingerprint(framed, role="plain")
    assert [f.variant for f in fp.frames] == [0, 1]
    bare = image_fingerprint(picture, role="plain").frames[0]
    assert bits.distance(fp.frames[1].hash, bare.hash) <= 8 < 31 < bits.distance(fp.frames[0].hash, bare.hash)


def test_bank_and_query_roles_hash_their_crops() -> None:
    frame = ff.shot_frames(9, 0.05)[0]
    assert [f.variant for f in image_fingerprint(frame, "bank").frames] == [0, 2, 3, 4, 5, 6, 7, 8]
    assert [f.variant for f in image_fingerprint(frame, "query").frames] == [0, 7, 8]
    # a central 90 % crop of the frame matches the bank's central crop, not the full frame
    h, w = frame.shape[:2]
    zoomed = np.asarray(
        Image.fromarray(frame[round(h * 0.05) : round(h * 0.95), round(w * 0.05) : round(w * 0.95)]).resize(
            (w, h)
        )
    )
    query = image_fingerprint(zoomed, "query").frames[0]
    bank = {f.variant: f.hash for f in image_fingerprint(frame, "bank").frames}
    assert bits.distance(query.hash, bank[2]) <= 31 < bits.distance(query.hash, bank[0])


def test_builder_hashes_crops_at_their_own_rate_and_prune_keeps_them() -> None:
    builder = FingerprintBuilder(sample_fps=10.0, role="bank")
    frames = ff.shot_frames(11, 2.0, fps=10.0)
    for i, rgb in enumerate(frames):
        builder.add(rgb, i / 10.0, i)
    fp = builder.result(2.0)
    groups = samples(fp.frames)
    assert len(groups) == 20
    assert sum(any(f.variant >= 2 for f in g) for g in groups) == 5  # 2.5 per second
    still = VideoFingerprint(tuple(FrameHash(groups[0][0].hash, 100, t / 10, t) for t in range(20)))
    assert len(prune(still).frames) == 1  # a still shot collapses to one frame
    pruned = prune(fp, 200)  # everything is "close": one plain and one cropped sample remain
    assert len(samples(pruned.frames)) == 2
    assert prune(fp, -1) == fp


def test_fingerprint_file_reads_videos_and_stills(tmp_path: Path) -> None:
    video = ff.original(tmp_path / "v.mp4", seed=3, seconds=3.0)
    fp = fingerprint_file(video, sample_fps=5.0)
    assert fp.kind == "video" and 14 <= len(samples(fp.frames)) <= 16
    assert fp.duration_s == pytest.approx(3.0, abs=0.1)
    assert fp.summary()["frames_hashed"] == len(samples(fp.frames))
    photo = tmp_path / "p.jpg"
    Image.fromarray(ff.still(4, (900, 600))).save(photo)
    still = fingerprint_file(photo)
    assert still.kind == "image" and still.frames[0].time_s is None
    assert max(still.width or 0, still.height or 0) == 384  # reduced like video frames
    for bad, message in ((tmp_path / "missing.mp4", "no such file"), (tmp_path, "directory")):
        with pytest.raises(InputError, match=message):
            fingerprint_file(bad)
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x01 not a video" * 50)
    with pytest.raises(InputError):
        fingerprint_file(junk)


def test_frames_json_round_trip() -> None:
    fp = image_fingerprint(ff.still(1), "query")
    video = VideoFingerprint(
        tuple(FrameHash(f.hash, f.quality, 1.5, 3, f.variant) for f in fp.frames), sample_fps=5
    )
    back = VideoFingerprint.from_frames_json(video.frames_to_json(), sample_fps=5)
    assert back.frames == video.frames
    with pytest.raises(ValueError, match="64 hex digits"):
        VideoFingerprint.from_frames_json([{"t": 0, "q": 100, "hash": "nothex"}])
    with pytest.raises(ValueError, match="quality"):
        FrameHash(bytes(32), 101)
