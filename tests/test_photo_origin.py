"""Photo origin: a banked still found inside a video with local features (ORB + RANSAC), through the
index, the bank (schema 2 and its migration from schema 1), `bank search` and the `fingerprint` signal.

The generated case (`animated_paste`) is the memorial-video genre in miniature: a photo-like still,
pasted at 40-60 % of the frame width into a moving scene, drifting, turning by up to 4 degrees, with a
patch of it moving back and forth (the "animated" face), re-encoded at CRF 28.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from click.testing import CliRunner
from PIL import Image

from tests import fingerprint_factory as ff
from tests import media_factory as mf
from vidsleuth.bank import Bank, NewItem
from vidsleuth.bank.models import SCHEMA_VERSION
from vidsleuth.cli.bank import bank as bank_cli
from vidsleuth.core.evidence import Hypothesis, Stance
from vidsleuth.core.result import Status
from vidsleuth.core.settings import Settings
from vidsleuth.fingerprint import thresholds as th
from vidsleuth.fingerprint.local_features import (
    LocalFeatures,
    frame_features,
    nearest,
    still_features,
    verify,
)
from vidsleuth.fingerprint.photo_origin import FramePicker, PhotoOriginIndex, query_file, still_features_file
from vidsleuth.fingerprint.search import BankItemInfo
from vidsleuth.pipeline import analyze
from vidsleuth.registry import SignalRegistry
from vidsleuth.report import render
from vidsleuth.signals.fingerprint import FingerprintSignal
from vidsleuth.signals.fingerprint.metrics import FingerprintMetrics, PhotoMatch
from vidsleuth.signals.fingerprint.panel import fingerprint_view

Frame = npt.NDArray[np.uint8]
SIZE = (480, 270)
FPS = 12


def photo(seed: int, size: tuple[int, int] = (360, 270)) -> Frame:
    """A photo-like still: a crop of fingerprint_factory's canvas (gradient, 60 shapes, grain)."""
    return ff.shot_frames(seed, 1 / ff.FPS, ff.FPS, size)[0]


def animated_paste(dst: Path, still: Frame, *, seconds: float = 3.0) -> tuple[Path, list[tuple[float, ...]]]:
    """A 480x270, 12 fps video of a moving media_factory scene with `still` pasted on it: its width grows
    from 40 % to 60 % of the frame, it drifts right from x = 5 % to 35 % (y = 5 %), turns from -4 to +4
    degrees, and its central ninth moves back and forth by up to 4 pixels; libx264 at CRF 28.
    Returns the path and, per frame, the pasted still's box (x0, y0, x1, y1) as fractions of the frame."""
    w, h = SIZE
    background = mf.scene_frames(mf.Scene(seconds, 77), FPS, SIZE)
    base = Image.fromarray(still)
    cw, ch = base.width // 3, base.height // 3
    frames: list[Frame] = []
    boxes: list[tuple[float, ...]] = []
    n = len(background)
    for i, scene in enumerate(background):
        t = i / max(1, n - 1)
        img = base.copy()
        shift = round(4 * np.sin(4 * np.pi * t))
        img.paste(base.crop((cw, ch, 2 * cw, 2 * ch)), (cw + shift, ch + shift))
        width = round(w * (0.4 + 0.2 * t))
        height = round(width * base.height / base.width)
        angle = -4 + 8 * t
        img = img.resize((width, height), Image.Resampling.BILINEAR).rotate(
            angle, resample=Image.Resampling.BILINEAR, expand=True
        )
        mask = Image.new("L", (width, height), 255).rotate(angle, expand=True)
        x, y = round(w * (0.05 + 0.3 * t)), round(h * 0.05)
        canvas = Image.fromarray(scene)
        canvas.paste(img, (x, y), mask)
        frames.append(np.asarray(canvas, dtype=np.uint8))
        boxes.append((x / w, y / h, (x + img.width) / w, (y + img.height) / h))
    return ff.write_frames(dst, frames, fps=FPS, crf=28), boxes


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("photo-origin")
    Image.fromarray(photo(501)).save(d / "grandmother.jpg", quality=92)
    Image.fromarray(photo(502)).save(d / "unrelated.jpg", quality=92)
    video, _ = animated_paste(d / "memorial.mp4", photo(501))
    plain = mf.write_video(d / "plain.mp4", [mf.Scene(3.0, 77)], fps=FPS, size=SIZE)
    return {"photo": d / "grandmother.jpg", "other": d / "unrelated.jpg", "video": video, "plain": plain}


def index_of(*paths: Path) -> PhotoOriginIndex:
    items, features = {}, {}
    for k, path in enumerate(paths, start=1):
        found = still_features_file(path)
        assert found is not None
        items[k] = BankItemInfo(k, "image", label=path.stem, file_name=path.name)
        features[k] = found
    return PhotoOriginIndex(items, features)


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / smaller


def test_pasted_animated_still_is_found_where_and_when_it_is(media: dict[str, Path], tmp_path: Path) -> None:
    _, truth = animated_paste(tmp_path / "again.mp4", photo(501))
    index = index_of(media["photo"], media["other"])
    fp, frames = query_file(media["video"], sample_fps=5.0)
    assert [f.time_s for f in frames] == [0.0, 1.0, 2.0]
    matches = index.search(frames, duration_s=fp.duration_s)
    assert [m.item.label for m in matches] == ["grandmother"]  # the unrelated still is not found
    match = matches[0]
    assert len(match.sightings) == 3 and match.strength == pytest.approx(0.8)
    assert match.segments[0].start_s == 0.0 and match.segments[0].end_s == pytest.approx(3.0, abs=0.1)
    for sighting in match.sightings:
        assert sighting.time_s is not None
        v = sighting.verification
        assert v.inliers >= th.LOCAL_MIN_INLIERS and v.inlier_ratio >= th.LOCAL_MIN_INLIER_RATIO
        pasted = truth[round(sighting.time_s * FPS)]
        assert overlap(v.region, pasted) > 0.9  # the matched keypoints lie on the pasted still
        assert overlap(v.outline, pasted) > 0.8
        assert abs(v.rotation_deg) <= 6
    data = match.to_dict()
    assert data["rule"] == "photo_origin" and data["times"] == [0.0, 1.0, 2.0]
    assert set(data["region"]) == {"x", "y", "w", "h"} and data["segments"][0]["item"] is None


def test_unrelated_video_and_unrelated_stills_do_not_match(media: dict[str, Path]) -> None:
    index = index_of(media["photo"], media["other"])
    fp, frames = query_file(media["plain"], sample_fps=5.0)
    assert frames and index.search(frames, duration_s=fp.duration_s) == []
    a, b = still_features_file(media["photo"]), still_features_file(media["other"])
    assert a is not None and b is not None
    cross = verify(a, frame_features(photo(502)))
    assert cross is None or not cross.is_match
    same = verify(a, frame_features(photo(501)))
    assert same is not None and same.is_match and same.inliers > 100
    # A photo query goes through the same index: it finds itself only.
    _, own = query_file(media["photo"], sample_fps=5.0)
    assert [m.item.label for m in index.search(own)] == ["grandmother"]
    assert index.search(own)[0].segments == ()


def test_frame_picker_spreads_caps_and_skips_flat_frames() -> None:
    picker = FramePicker(max_frames=4, interval_s=1.0)
    flat = np.full((144, 256, 3), 90, np.uint8)
    textured = photo(503, (256, 144))
    assert picker.offer(0.0, flat) is None  # too few keypoints: tried again on the next frame
    assert picker.offer(0.2, textured) is not None
    assert picker.offer(0.6, textured) is None  # not due yet
    for t in np.arange(1.2, 12.0, 0.2):
        picker.offer(float(t), textured)
    times = [f.time_s for f in picker.frames]
    assert 2 <= len(times) <= 4 and times[0] == pytest.approx(0.2)
    assert times[-1] is not None and times[-1] > 6.0  # spread over the whole video, not its start
    with pytest.raises(ValueError, match="max_frames"):
        FramePicker(max_frames=0)


def test_local_features_round_trip_and_validation() -> None:
    features = still_features(photo(504))
    assert 50 < features.count <= th.LOCAL_STILL_KEYPOINTS
    assert max(features.width, features.height) == th.LOCAL_STILL_SIDE
    again = LocalFeatures.from_blobs(*features.to_blobs(), features.width, features.height)
    assert np.array_equal(again.points, features.points)
    assert np.array_equal(again.descriptors, features.descriptors)
    with pytest.raises(ValueError, match="descriptors"):
        LocalFeatures(features.points, features.descriptors[:-1], 10, 10)
    with pytest.raises(ValueError, match="reshape"):
        LocalFeatures.from_blobs(b"\x00" * 8, b"\x00" * 31, 10, 10)
    tiny = still_features(np.zeros((4, 4, 3), np.uint8))
    assert tiny.count == 0


def test_nearest_searches_banks_larger_than_one_opencv_train_set() -> None:
    rng = np.random.default_rng(5)
    bank = rng.integers(0, 256, (300_000, 32), dtype=np.uint8)  # OpenCV takes < 2**18 rows at once
    planted = [5, 150_000, 299_999]
    query = np.vstack([bank[planted], rng.integers(0, 256, (2, 32), dtype=np.uint8)])
    query[1, 0] ^= 0b111  # three bits from row 150,000
    idx, dist = nearest(query, bank)
    assert idx[:3].tolist() == planted and dist[:3].tolist() == [0, 3, 0]
    assert (dist[3:] > 40).all()  # random rows are ~128 bits from anything; nearest of 300k is > 40
    empty_idx, _ = nearest(query, bank[:0])
    assert (empty_idx == -1).all()


def schema_one(path: Path) -> None:
    """Turn a fresh bank into what vidsleuth wrote before local features (schema 1)."""
    with sqlite3.connect(path) as db:
        db.execute("drop table bank_features")
        db.execute("update bank_info set value = '1' where key = 'schema_version'")


def test_bank_stores_features_and_upgrades_an_older_bank(media: dict[str, Path], tmp_path: Path) -> None:
    from vidsleuth.fingerprint.video import fingerprint_file

    features = still_features_file(media["photo"])
    assert features is not None
    fp = fingerprint_file(media["photo"], role="bank")
    item = NewItem(fp, "sha256:grandmother", "file", "Grandmother", features=features)
    old = tmp_path / "old.sqlite"
    with Bank.open(str(old), create=True) as bank:
        bank.add([NewItem(fp, "sha256:grandmother", "file", "Grandmother")])  # banked without features
    schema_one(old)
    with Bank.open(str(old)) as bank:  # an older bank opens and is searched as it is
        assert bank.schema_version == 1 and bank.photo_features() == {}
        assert bank.stats().photo_features == 0 and len(bank.snapshot().items) == 1
    with sqlite3.connect(old) as db:  # opening did not change it
        assert db.execute("select value from bank_info where key='schema_version'").fetchone() == ("1",)
    with Bank.open(str(old)) as bank:
        outcome = bank.add([item])  # adding the same photo again fills in its features
        assert outcome.added == () and outcome.features_added == (1,)
        assert bank.schema_version == SCHEMA_VERSION
        stored = bank.photo_features()[1]
        assert np.array_equal(stored.descriptors, features.descriptors)
        assert bank.add([item]).features_added == ()  # only once
        assert bank.stats().photo_features == 1 and bank.stats().schema_version == SCHEMA_VERSION
        bank.remove([1])
        assert bank.photo_features() == {}


def test_an_upgrade_that_fails_half_way_leaves_the_old_bank(
    media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vidsleuth.bank import bank as bank_module
    from vidsleuth.fingerprint.video import fingerprint_file

    fp = fingerprint_file(media["photo"], role="bank")
    path = tmp_path / "old.sqlite"
    Bank.open(str(path), create=True).close()
    schema_one(path)

    def failing(self: Bank, session: object, new: NewItem, now: str) -> object:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bank_module.Bank, "_insert", failing)
    features = still_features_file(media["photo"])
    with Bank.open(str(path)) as bank, pytest.raises(RuntimeError, match="disk on fire"):
        bank.add([NewItem(fp, "sha256:x", "file", features=features)])
    with sqlite3.connect(path) as db:
        assert db.execute("select value from bank_info where key='schema_version'").fetchone() == ("1",)
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        assert "bank_features" not in tables


def test_bank_search_and_check_report_the_photo_origin(media: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "bank.sqlite"
    runner = CliRunner()
    added = runner.invoke(
        bank_cli, ["--bank", str(path), "add", str(media["photo"]), str(media["other"]), "--label", "Nan"]
    )
    assert added.exit_code == 0, added.output
    assert "local features" in added.output
    result = runner.invoke(bank_cli, ["--bank", str(path), "search", str(media["video"])])
    assert result.exit_code == 0, result.output
    assert "contains (part of) banked photo #1 — it may have been animated from it" in result.output
    assert "#2" not in result.output and "region x" in result.output
    as_json = runner.invoke(bank_cli, ["--bank", str(path), "search", "--json", str(media["video"])])
    data = json.loads(as_json.output)
    assert [(m["item_id"], m["rule"]) for m in data["matches"]] == [(1, "photo_origin")]
    assert data["photo_origin"]["stills"] == 2 and data["photo_origin"]["frames_checked"] == [0.0, 1.0, 2.0]
    plain = runner.invoke(bank_cli, ["--bank", str(path), "search", str(media["plain"])])
    assert plain.output.startswith("no match among 2 banked items")

    registry = SignalRegistry([FingerprintSignal])
    report = analyze(
        media["video"], Settings(options={"fingerprint": {"bank": str(path)}}), registry=registry
    )
    result_fp = report.result("fingerprint")
    assert result_fp is not None and result_fp.status is Status.OK, result_fp and result_fp.error
    [evidence] = [e for e in result_fp.evidence if e.code == "fingerprint.photo_origin"]
    assert evidence.hypothesis is Hypothesis.KNOWN_CONTENT and evidence.stance is Stance.SUPPORTS
    assert evidence.strength == pytest.approx(0.8) and evidence.span is not None
    assert "contains (part of) banked photo #1" in evidence.summary and "region x" in evidence.summary
    assert evidence.data["item_id"] == 1 and evidence.data["bank"] == "bank.sqlite"
    assert result_fp.metrics["photo_origin"]["stills"] == 2
    [typed] = result_fp.metrics_as(FingerprintMetrics).matches
    assert isinstance(typed, PhotoMatch) and typed.region is not None and typed.sightings
    panel = fingerprint_view(report, result_fp)
    assert panel is not None and [m.rule for m in panel.matches] == ["photo_origin"]
    assert panel.matches[0].segments[0].endswith("here ↔ the banked photo")
    assert panel.matches[0].segments[-1].startswith("the banked photo fills x ")
    assert "the banked photo fills x " in render(report, "html")
    off = analyze(
        media["video"],
        Settings(options={"fingerprint": {"bank": str(path), "photo_origin": False}}),
        registry=registry,
    ).result("fingerprint")
    assert off is not None and [e.code for e in off.evidence] == ["fingerprint.no_match"]
