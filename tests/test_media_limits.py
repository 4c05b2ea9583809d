"""Limits that hold on what is decoded, not on what a file declares, and formats users bring
(issue #11: unknown codecs, frames larger than declared, size changes, duration bypasses, animated WebP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests import hostile_media as hm
from tests import media_factory as mf
from vidsleuth.cli.main import main
from vidsleuth.core.result import Status
from vidsleuth.core.settings import Settings
from vidsleuth.core.signal import FrameSample, Sampling
from vidsleuth.errors import InputError
from vidsleuth.media import decode_shared, open_media
from vidsleuth.media.decode import FrameConsumer
from vidsleuth.pipeline import analyze


def test_an_unknown_codec_is_a_clear_input_error(tmp_path: Path) -> None:
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>')
    with pytest.raises(InputError, match="no decodable video stream"):
        analyze(svg)
    res = CliRunner().invoke(main, ["check", str(svg), "--no-report"])
    assert res.exit_code == 3 and res.output.count("\n") == 1 and "codec is unknown" in res.output


def test_frames_larger_than_the_limit_are_refused_undecoded(tmp_path: Path) -> None:
    bomb = hm.mjpeg_sizes(tmp_path / "bomb.avi", [(64, 48), (64, 48), (2000, 2000), (2000, 2000), (64, 48)])
    opened = open_media(bomb, max_pixels=100_000)  # the header declares 64x48: within the limit
    seen: list[tuple[int, int]] = []

    def grab(s: FrameSample) -> None:
        assert s.pixels is not None
        seen.append(s.pixels.shape[:2])

    stats = decode_shared(
        opened.source,
        opened.media,
        [FrameConsumer("t", Sampling(max_side=None), grab, _fail)],
        max_pixels=100_000,
    )
    assert stats.frames_decoded == 3 and stats.decode_errors == 2  # the two large frames never decoded
    assert set(seen) == {(48, 64)}


def _fail(exc: BaseException) -> None:
    raise AssertionError(exc)


def test_a_size_change_midway_reaches_every_signal_at_one_size(tmp_path: Path) -> None:
    sizes = [(160, 96)] * 8 + [(320, 240)] * 8 + [(96, 160)] * 8
    clip = hm.mjpeg_sizes(tmp_path / "splice.avi", sizes, fps=8)
    report = analyze(clip)
    failed = [(r.signal, r.error) for r in report.results if r.status is Status.FAILED]
    assert failed == []
    shapes: set[tuple[int, ...]] = set()

    def grab(s: FrameSample) -> None:
        assert s.pixels is not None
        shapes.add(s.pixels.shape)

    opened = open_media(clip, max_pixels=10**8)
    stats = decode_shared(
        opened.source, opened.media, [FrameConsumer("t", Sampling(max_side=None), grab, _fail)]
    )
    assert shapes == {(96, 160)} and stats.frame_size == (160, 96)
    assert [(w, h) for _, w, h in stats.size_changes] == [(320, 240), (96, 160)]


def test_the_duration_limit_holds_on_decoded_time(tmp_path: Path) -> None:
    raw = hm.raw_h264(tmp_path / "stream.h264", seconds=6.0)
    opened = open_media(raw, max_pixels=10**8)
    assert opened.media.duration_s is None or opened.media.duration_s < 1  # nothing declared to check
    times: list[float] = []
    stats = decode_shared(
        opened.source,
        opened.media,
        [FrameConsumer("t", Sampling(pixel_format=None), lambda s: times.append(s.time_s), _fail)],
        max_duration_s=2.0,
    )
    assert max(times) <= 2.0 and not stats.complete and stats.stopped and "2 s" in stats.stopped
    report = analyze(raw, Settings(max_duration_s=2.0, only=("shots",)))
    shots = report.result("shots")
    assert shots is not None and shots.metrics["shots"][-1]["end_s"] <= 2.2


@pytest.mark.parametrize("suffix", [".webp", ".png"])
def test_animated_webp_and_apng_are_analysed(suffix: str, tmp_path: Path) -> None:
    clip = hm.animated(tmp_path / f"wan_output{suffix}")
    report = analyze(clip)
    assert report.media.video is not None and report.media.video.width == 80
    if suffix == ".webp":  # read from its chunks; FFmpeg's APNG demuxer declares no duration
        assert report.media.duration_s == pytest.approx(12 * 0.08, abs=0.01)
    assert all(r.status is not Status.FAILED for r in report.results), [
        (r.signal, r.error) for r in report.results
    ]
    shots = report.result("shots")
    assert shots is not None and shots.status is Status.OK


def test_a_still_webp_is_read_as_one_frame(tmp_path: Path) -> None:
    from PIL import Image

    still = tmp_path / "photo.webp"
    Image.new("RGB", (40, 30), (1, 2, 3)).save(still)
    res = CliRunner().invoke(main, ["check", str(still), "--no-report", "--json"])
    # FFmpeg reads a still WebP as a one-frame video: analysed, not refused.
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["media"]["streams"][0]["codec"] == "webp"


def test_check_takes_a_duration_limit(tmp_path: Path) -> None:
    clip = mf.write_video(tmp_path / "long.mp4", [mf.Scene(3.0, 1)], fps=10)
    res = CliRunner().invoke(
        main, ["check", str(clip), "--max-duration", "1", "--json", "-q", "--only", "shots"]
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["settings"]["max_duration_s"] == 1.0
    assert CliRunner().invoke(main, ["check", str(clip), "--max-duration", "0"]).exit_code == 2
