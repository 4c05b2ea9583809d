"""Photo origin on the real corpus: LivePortrait's animated portraits traced back to their stills
(animated_photos/), and a false-match sweep over real footage. Skipped when ../shared/corpus is absent.

- liveportrait_inference.gif: three 128-pixel panels (driving video d0, the still s6, the animation).
- liveportrait_showcase2.gif: three animated paintings side by side: La Velata (s8), Girl with a Pearl
  Earring (s10), the Mona Lisa (s9).
- faces_real/d11.mp4 is *not* unrelated: it is a close-up of the very photo that s11.jpg shows held in a
  hand (same child, clips, pink shirt, green backdrop), so a match between them is a true one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tests.conftest import corpus_path
from vidsleuth.fingerprint.photo_origin import (
    PhotoOriginIndex,
    PhotoOriginMatch,
    query_file,
    still_features_file,
)
from vidsleuth.fingerprint.search import BankItemInfo

pytestmark = pytest.mark.corpus
STILLS = "animated_photos/source_stills"
TRUE_PAIRS = {"faces_real/d11.mp4": {"s11"}}  # see the module docstring


@cache
def index() -> PhotoOriginIndex:
    folder = corpus_path(STILLS)
    items, features = {}, {}
    for k, path in enumerate(sorted(folder.glob("*.jpg")), start=1):
        found = still_features_file(path)
        assert found is not None and found.count >= 400, path.name
        items[k] = BankItemInfo(k, "image", label=path.stem, file_name=path.name)
        features[k] = found
    return PhotoOriginIndex(items, features)


def search(path: Path) -> list[PhotoOriginMatch]:
    fp, frames = query_file(path, sample_fps=5.0)
    return index().search(frames, duration_s=fp.duration_s)


def centre_x(match: PhotoOriginMatch) -> float:
    x0, _, x1, _ = match.best.verification.region
    return (x0 + x1) / 2


def test_liveportrait_inference_is_traced_to_s6() -> None:
    [match] = search(corpus_path("animated_photos/liveportrait_inference.gif"))
    assert match.item.label == "s6"
    assert match.times == [0.0, 1.0, 2.0]  # every checked frame
    assert match.segments[0].start_s == 0.0 and match.segments[-1].end_s == pytest.approx(2.6, abs=0.05)
    assert match.best.verification.inliers >= 40 and match.strength == pytest.approx(0.8)
    assert 1 / 3 <= centre_x(match) <= 1.0  # the still's panel or the animated one, not the driving video


def test_liveportrait_showcase_is_traced_to_the_three_paintings() -> None:
    matches = search(corpus_path("animated_photos/liveportrait_showcase2.gif"))
    by_label = {m.item.label: m for m in matches}
    assert set(by_label) == {"s8", "s9", "s10"}
    for label, (lo, hi) in {"s8": (0, 1 / 3), "s10": (1 / 3, 2 / 3), "s9": (2 / 3, 1)}.items():
        match = by_label[label]
        assert lo <= centre_x(match) <= hi, label  # each painting in its own panel
        assert match.times == [0.0, 1.0, 2.0], label
        assert match.best.verification.inliers >= 60, label


def test_no_still_matches_another_still() -> None:
    for path in sorted(corpus_path(STILLS).glob("*.jpg")):
        _, frames = query_file(path, sample_fps=5.0)
        found = [m.item.label for m in index().search(frames)]
        assert found == [path.stem], path.name


@pytest.mark.slow
def test_no_still_is_found_in_unrelated_real_footage(corpus_dir: Path) -> None:
    root = corpus_dir
    videos = sorted([*root.glob("real/*.mp4"), *root.glob("real/*.avi"), *root.glob("faces_real/*.mp4")])
    assert len(videos) >= 30
    found = {}
    for path in videos:
        labels = {m.item.label for m in search(path)}
        if labels:
            found[str(path.relative_to(root))] = labels
    assert set(found) <= set(TRUE_PAIRS)
    for name, labels in found.items():
        assert labels == TRUE_PAIRS[name], name
