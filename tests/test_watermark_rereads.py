"""Signal `watermark` 1.1.2: a partial read of the mark ("Sor" for "Sora") gets another look, so that one
crop cut short by the finder, or one noisy median crop, does not set the mark's strength (0.75 instead of
0.85). Found as a run-to-run flake of the composite matrix (tests/test_watermark_corpus.py): the mark over a
face at 1080x1920 was found as its logo and first letters only, and the crop cut the "a" off."""

from __future__ import annotations

from vidsleuth.signals.watermark import marks as catalogue
from vidsleuth.signals.watermark import reader, regions
from vidsleuth.signals.watermark.reading import Reading
from vidsleuth.signals.watermark.signal import Known, WatermarkSignal

SORA = catalogue.get("sora")


def reading(text: str, confidence: float, mark_box: regions.Box | None = (20, 18, 200, 40)) -> Reading:
    return Reading(SORA, text, confidence, None, None, 0.0, ((text, confidence),), mark_box)


def signal(size: tuple[int, int] = (1080, 1920)) -> WatermarkSignal:
    s = WatermarkSignal()
    s._source_size = size
    s._analysis_size = (360, 640)
    return s


def test_a_partial_read_reaching_the_crops_side_is_read_again_wider() -> None:
    s = signal()
    crop = (0, 135, 244, 76)
    # The name line ends at x=240 of a 244-px crop: the rest of it may lie beyond.
    wider = s._widened(crop, reading("Sor", 0.86, (20, 18, 220, 40)))
    assert wider == (0, 135, 244 + 80, 76)
    # ... and on the left side likewise (a mark right of a logo the finder kept).
    assert s._widened((500, 135, 244, 76), reading("ora", 0.86, (2, 18, 200, 40))) == (420, 135, 324, 76)


def test_no_wider_read_when_the_read_is_clear_inside_the_crop_or_at_the_frames_edge() -> None:
    s = signal()
    assert s._widened((0, 135, 244, 76), reading("Sora", 0.99, (20, 18, 222, 40))) is None
    assert s._widened((0, 135, 244, 76), reading("Sor", 0.86, (20, 18, 150, 40))) is None
    assert s._widened((836, 135, 244, 76), reading("Sor", 0.86, (20, 18, 222, 40))) is None
    no_mark = Reading(None, "", 0.0, None, None, 0.0, (("News", 0.9),), None)
    assert s._widened((0, 135, 244, 76), no_mark) is None


def track(windows: int, reads: int, r: Reading, inherited: bool = False) -> regions.Track:
    t = regions.Track(0, (18, 52, 26, 16), 0.0, 1.6, windows=windows, density_sum=0.3 * windows, reads=reads)
    t.payload["reading"] = r
    if inherited:
        t.payload["inherited"] = True
    return t


def test_a_partial_read_gets_its_second_look_at_the_next_window() -> None:
    s = signal()
    s._handle_reads = reader.HANDLE_VOTES  # no handle votes wanted: only the partial read asks again
    assert s._wants_read(track(reader.CONFIRM_WINDOWS + 1, 1, reading("Sor", 0.86)))
    assert not s._wants_read(track(reader.CONFIRM_WINDOWS + 1, 1, reading("Sora", 1.0)))
    # One retry only, and none for a reading taken over from another track.
    assert not s._wants_read(track(reader.CONFIRM_WINDOWS + 5, reader.MAX_RETRY_READS, reading("Sor", 0.86)))
    assert not s._wants_read(track(reader.CONFIRM_WINDOWS + 1, 1, reading("Sor", 0.86), inherited=True))


def test_a_place_read_partially_is_read_again_before_new_tracks_take_its_reading() -> None:
    s = signal()
    s._handle_reads = reader.HANDLE_VOTES
    place = (18, 52, 26, 16)
    s._know(place, reading("Sor", 0.86), 1.6, None)
    [known] = s._known
    assert isinstance(known, Known) and not known.settled
    assert not s._inherit(track(reader.CONFIRM_WINDOWS, 0, reading("", 0.0)), 2.0)
    # A second read there settles it and keeps the clearer of the two readings.
    s._know(place, reading("Sora", 0.95), 2.0, None)
    s._know(place, reading("Sor", 0.8), 2.4, None)
    [known] = s._known
    assert known.settled and known.reads == 3 and known.reading.text == "Sora"
    new = track(reader.CONFIRM_WINDOWS, 0, reading("", 0.0))
    assert s._inherit(new, 2.8) and new.payload["reading"] is known.reading
