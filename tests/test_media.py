"""The media layer: source checks, probe, and the shared decode's fan-out contract."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from tests import media_factory as mf
from vidsleuth.core.settings import DEFAULT_MAX_PIXELS
from vidsleuth.core.signal import FrameSample, Sampling
from vidsleuth.errors import InputError, UnsupportedSourceError
from vidsleuth.media import FrameConsumer, decode_shared, open_source, probe, safe_display_name


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s at 24 fps, 160x96, keyframe every 12 frames."""
    return mf.write_video(tmp_path_factory.mktemp("m") / "clip.mp4", [mf.Scene(2.0, 1)], gop=12)


def _fail(exc: BaseException) -> None:
    pytest.fail(f"consumer error: {exc}")


def _collect(path: Path, *samplings: Sampling) -> tuple[list[list[FrameSample]], object]:
    src = open_source(path)
    media = probe(src, DEFAULT_MAX_PIXELS)
    got: list[list[FrameSample]] = [[] for _ in samplings]
    consumers = [
        FrameConsumer(f"c{i}", s, got[i].append, lambda exc: pytest.fail(str(exc)))
        for i, s in enumerate(samplings)
    ]
    stats = decode_shared(src, media, consumers)
    return got, stats


def test_every_frame_and_fps_sampling(clip: Path) -> None:
    (every, tenfps, twofps), stats = _collect(clip, Sampling(), Sampling(fps=10), Sampling(fps=2))
    assert len(every) == 48
    assert stats.frames_decoded == 48  # type: ignore[attr-defined]
    assert 19 <= len(tenfps) <= 21
    assert len(twofps) == 4
    assert [round(f.time_s, 2) for f in twofps] == [0.0, 0.5, 1.0, 1.5]


def test_keyframes_only_and_pixel_formats(clip: Path) -> None:
    (keys, rgb, none), _ = _collect(
        clip,
        Sampling(keyframes_only=True, pixel_format="gray", max_side=64),
        Sampling(fps=1, pixel_format="rgb24", max_side=None),
        Sampling(fps=1, pixel_format=None),
    )
    assert keys and all(f.is_keyframe for f in keys)
    assert len(keys) == 4  # gop 12 over 48 frames
    assert keys[0].pixels is not None
    assert keys[0].pixels.shape == (38, 64)  # 160x96 scaled to a longer side of 64, even sizes
    assert rgb[0].pixels is not None
    assert rgb[0].pixels.shape == (96, 160, 3)
    assert rgb[0].pixels.dtype == np.uint8
    assert none[0].pixels is None
    assert not rgb[0].pixels.flags.writeable  # shared between signals: read-only


def test_rotation_is_applied_to_pixels_and_probe(tmp_path: Path) -> None:
    path = mf.write_video(tmp_path / "rot.mp4", [mf.Scene(0.5, 2)], rotation=90)
    media = probe(open_source(path), DEFAULT_MAX_PIXELS)
    assert media.video is not None
    assert media.video.rotation in (90, 270)
    assert media.display_size == (96, 160)
    (frames,), _ = _collect(path, Sampling(max_side=None))
    assert frames[0].pixels is not None
    assert frames[0].pixels.shape == (160, 96)


def test_thumbnail_is_a_jpeg(clip: Path) -> None:
    thumbs = []

    def grab(f: FrameSample) -> None:
        if f.index == 5:
            thumbs.append(f.thumbnail("t", 64, box=(10, 10, 40, 30)))

    src = open_source(clip)
    decode_shared(src, probe(src, DEFAULT_MAX_PIXELS), [FrameConsumer("t", Sampling(), grab, _fail)])
    (t,) = thumbs
    import base64

    assert base64.b64decode(t.jpeg_base64)[:2] == b"\xff\xd8"
    assert (t.width, t.height) == (40, 30)
    assert t.box == (10, 10, 40, 30)


def test_a_failing_consumer_is_dropped_and_others_continue(clip: Path) -> None:
    errors: list[BaseException] = []
    good: list[int] = []

    def bad(f: FrameSample) -> None:
        if f.index == 3:
            raise RuntimeError("bug in a signal")

    src = open_source(clip)
    media = probe(src, DEFAULT_MAX_PIXELS)
    consumers = [
        FrameConsumer("bad", Sampling(), bad, errors.append),
        FrameConsumer("good", Sampling(), lambda f: good.append(f.index), _fail),
    ]
    decode_shared(src, media, consumers)
    assert len(errors) == 1
    assert "bug in a signal" in str(errors[0])
    assert len(good) == 48


def test_variable_frame_rate_timing(tmp_path: Path) -> None:
    path = mf.variable_frame_rate(tmp_path / "vfr.mp4")
    _, stats = _collect(path, Sampling(pixel_format=None))
    assert stats.frame_interval_min_s == pytest.approx(0.020, abs=0.002)  # type: ignore[attr-defined]
    assert stats.frame_interval_max_s == pytest.approx(0.0467, abs=0.002)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p, "no such file"),
        (lambda p: (p.mkdir(), p)[1], "is a directory"),
        (lambda p: (p.write_bytes(b""), p)[1], "empty"),
    ],
)
def test_open_source_errors(tmp_path: Path, make: object, message: str) -> None:
    path = make(tmp_path / "x.mp4")  # type: ignore[operator]
    with pytest.raises(InputError, match=message):
        open_source(path)


def test_urls_are_refused_not_fetched() -> None:
    with pytest.raises(UnsupportedSourceError, match="download the video first"):
        open_source("https://example.com/video.mp4")


def test_display_names_are_made_safe() -> None:
    assert safe_display_name("a\x1b[31mred\n.mp4") == "a?[31mred?.mp4"
    assert safe_display_name("evil\u202egnp.mp4") == "evil?gnp.mp4"
    assert len(safe_display_name("x" * 500)) == 120


def test_memory_stays_bounded_whatever_the_length(tmp_path: Path) -> None:
    """Peak RSS of decoding a 20 s clip must not exceed that of a 2 s clip by more than a few MB; a
    decoder that held frames would add ~90 MB (240 frames of 480x270 RGB)."""
    short = mf.write_video(tmp_path / "short.mp4", [mf.Scene(2.0, 1)], fps=12, size=(480, 270))
    long = mf.write_video(tmp_path / "long.mp4", [mf.Scene(20.0, 1)], fps=12, size=(480, 270))
    script = textwrap.dedent(
        """
        import resource, sys
        from vidsleuth.core.signal import Sampling
        from vidsleuth.core.settings import DEFAULT_MAX_PIXELS
        from vidsleuth.media import FrameConsumer, decode_shared, open_source, probe
        src = open_source(sys.argv[1])
        keep = []
        c = FrameConsumer("c", Sampling(pixel_format="rgb24", max_side=None), lambda f: None, print)
        decode_shared(src, probe(src, DEFAULT_MAX_PIXELS), [c])
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )

    def peak_kb(path: Path) -> int:
        out = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
        )
        return int(out.stdout.strip().splitlines()[-1])

    assert peak_kb(long) - peak_kb(short) < 30_000
