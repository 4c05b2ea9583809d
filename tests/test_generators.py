"""The generator catalogue: every row loads, cites a source and is internally consistent, and the rows
attributed to corpus files match what those files measure."""

from __future__ import annotations

import dataclasses
import glob
import importlib.util
import re
import tomllib
from importlib import resources
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import CORPUS, ROOT, corpus_path
from vidsleuth.data import generators as catalog
from vidsleuth.data.generators import Generator
from vidsleuth.media import open_source, probe

# Sizes that are odd on purpose (none so far): every codec-friendly generator size is even.
KNOWN_ODD_SIZES: frozenset[tuple[int, int]] = frozenset()
FPS_RANGE = (1.0, 120.0)
# A source is a web address, a repository file ("repo owner/name: path") or a corpus measurement.
SOURCE_FORMS = (
    re.compile(r"^https?://\S+"),
    re.compile(r"^repo [\w.-]+/[\w.-]+: \S+"),
    re.compile(r"^observed: corpus \S+ \(.+\)$"),
)
# Nominal lengths differ from real files by a fraction of a second (Kling "5 s" = 5.1 s).
LENGTH_SLACK_S = 0.5


def raw_rows() -> dict[str, dict[str, Any]]:
    text = resources.files("vidsleuth.data").joinpath("generators.toml").read_text(encoding="utf-8")
    rows: dict[str, dict[str, Any]] = tomllib.loads(text)["generator"]
    return rows


ROWS = catalog.generators()
IDS = [g.key for g in ROWS]


def test_catalogue_is_not_trivially_small() -> None:
    assert len(ROWS) >= 15
    for key in ("sora2", "sora2_pro", "veo3", "kling", "runway_gen4", "pika", "hailuo", "luma", "vidu"):
        assert catalog.get(key).key == key
    for key in ("seedance", "wan", "hunyuanvideo", "cogvideox", "grok_imagine", "mochi1", "ltx_video"):
        assert catalog.get(key).key == key


def test_rows_use_only_known_fields() -> None:
    """A misspelt field (say `max_clips_s`) would be silently ignored by the loader: refuse it here."""
    known = {f.name for f in dataclasses.fields(Generator)} - {"key"}
    for key, row in raw_rows().items():
        assert set(row) <= known, f"{key}: unknown fields {sorted(set(row) - known)}"


def test_malformed_row_is_rejected_with_its_key() -> None:
    with pytest.raises(ValueError, match="broken"):
        catalog._generator("broken", {"name": "X"})  # no max_clip_s
    with pytest.raises(ValueError, match="broken"):
        catalog._generator("broken", {"name": "X", "max_clip_s": 5, "sizes": [[1280]]})


@pytest.mark.parametrize("g", ROWS, ids=IDS)
def test_row_has_sources_of_a_known_form(g: Generator) -> None:
    assert g.sources, f"{g.key}: no source"
    for s in g.sources:
        assert any(form.match(s) for form in SOURCE_FORMS), f"{g.key}: source of unknown form: {s!r}"
    assert g.name and g.vendor


@pytest.mark.parametrize("g", ROWS, ids=IDS)
def test_lengths_are_consistent(g: Generator) -> None:
    assert g.max_clip_s > 0
    assert all(c > 0 for c in g.clip_lengths_s)
    if g.clip_lengths_s:
        assert g.max_clip_s >= max(g.clip_lengths_s)
        assert list(g.clip_lengths_s) == sorted(set(g.clip_lengths_s)), "clip lengths sorted, no repeats"
    if g.max_extended_s is not None:
        assert g.max_extended_s > g.max_clip_s


@pytest.mark.parametrize("g", ROWS, ids=IDS)
def test_sizes_and_rates_are_sane(g: Generator) -> None:
    for w, h in g.sizes:
        assert w > 0 and h > 0
        assert (w % 2 == 0 and h % 2 == 0) or (w, h) in KNOWN_ODD_SIZES, f"{g.key}: odd size {w}x{h}"
    assert len(set(g.sizes)) == len(g.sizes), f"{g.key}: repeated size"
    oriented = {(min(w, h), max(w, h)) for w, h in g.sizes}
    assert len(oriented) == len(g.sizes), f"{g.key}: a size listed in both orientations"
    for f in g.fps:
        assert FPS_RANGE[0] <= f <= FPS_RANGE[1], f"{g.key}: frame rate {f}"


COUNTED = [g for g in ROWS if g.frame_counts]


@pytest.mark.parametrize("g", COUNTED, ids=[g.key for g in COUNTED])
def test_frame_counts_fit_a_frame_rate_and_the_length_limit(g: Generator) -> None:
    assert g.fps, f"{g.key}: frame counts without a frame rate"
    for n in g.frame_counts:
        assert n > 0
        assert any(n / f <= g.max_clip_s + LENGTH_SLACK_S for f in g.fps), f"{g.key}: {n} frames too long"


def test_keys_and_names_are_unique() -> None:
    assert len(set(IDS)) == len(IDS)
    names = [g.name.casefold() for g in ROWS]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in IDS)


def test_longest_single_generation_is_the_maximum() -> None:
    longest = catalog.longest_single_generation_s()
    assert longest == max(g.max_clip_s for g in ROWS)
    assert longest >= catalog.get("sora2_pro").max_clip_s >= 25


def test_by_size_finds_generators_in_either_orientation() -> None:
    for w, h in ((1280, 720), (720, 1280)):
        assert "veo3" in {g.key for g in catalog.by_size(w, h)}
    for w, h in ((1366, 768), (768, 1366)):
        assert "hailuo" in {g.key for g in catalog.by_size(w, h)}
    assert "sora2" in {g.key for g in catalog.by_size(704, 1280)}
    assert catalog.by_size(1234, 567) == ()


def test_get_unknown_key_raises() -> None:
    with pytest.raises(KeyError):
        catalog.get("no-such-generator")


def test_seed_facts_from_the_corpus_manifest() -> None:
    sora = catalog.get("sora2")
    assert sora.multi_shot and sora.matches_size(1280, 704) and sora.matches_fps(30)
    veo = catalog.get("veo3")
    assert "Google" in veo.encoder_tags and 192 in veo.frame_counts and veo.max_extended_s == 148
    assert catalog.get("hailuo").frame_counts == (141,)
    assert catalog.get("cogvideox").frame_counts == (49,) and catalog.get("cogvideox").matches_fps(8)
    assert catalog.get("grok_imagine").label == "Grok Imagine (xAI)"  # metadata_marks.toml refers to it


def _doc_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_generators_doc", ROOT / "scripts" / "gen_generators_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_page_is_rendered_from_the_current_data() -> None:
    script = _doc_script()
    page = (ROOT / "docs" / "generators.md").read_text(encoding="utf-8")
    assert script.updated(page, ROWS) == page, "run: python scripts/gen_generators_doc.py"
    for g in ROWS:
        assert f"`{g.key}`" in page


@pytest.mark.corpus
def test_observed_sources_name_existing_corpus_files() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    for g in ROWS:
        for s in g.sources:
            if s.startswith("observed: corpus "):
                pattern = s.removeprefix("observed: corpus ").split(" (")[0]
                assert glob.glob(str(CORPUS / pattern)), f"{g.key}: no corpus file matches {pattern}"


# (corpus file, catalogue row, exact frame count expected or None). Attributions follow the MANIFEST.
CORPUS_CASES = [
    ("c2pa/veo3.1_c2pa_google_coffee.mp4", "veo3", 192),
    ("c2pa/veo3.1_c2pa_google_office.mp4", "veo3", 192),
    ("c2pa/veo_c2pa_google_vertical_fashion_spiderman_karpix_2b8a8c82.mp4", "veo3", 192),
    ("ai_generated/hailuo_likely_Advertising_product_1366x768.mp4", "hailuo", 141),
    ("ai_generated/hailuo_likely_FilmProduction_explosion_1366x768.mp4", "hailuo", 141),
    ("ai_generated/cogvideox_readme_demo_1.mp4", "cogvideox", 49),
    ("ai_generated/cogvideox_gradio_example_horse.mp4", "cogvideox", 49),
    ("ai_generated/kling_likely_Standard_Mode_cats_Vizual.mp4", "kling", 153),
    ("ai_generated/luma_likely_dreammachine_1360x752_blackluma_Vizual.mp4", "luma", 121),
    ("ai_generated/grok_imagine_puppet_Vizual_grokquick5.mp4", "grok_imagine", 145),
    ("ai_generated/sora2_c2pa_openai_avigrondz_952082b8.mp4", "sora2", None),
    ("ai_generated/sora2_feed/remix-batch-1_remix_0035.mp4", "sora2", None),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("relative", "key", "frames"), CORPUS_CASES, ids=[c[0] for c in CORPUS_CASES])
def test_corpus_file_matches_its_row(relative: str, key: str, frames: int | None) -> None:
    media = probe(open_source(corpus_path(relative)), max_pixels=4096 * 4096)
    video = media.video
    assert video is not None and video.width and video.height and video.frame_rate
    g = catalog.get(key)
    assert g.matches_size(video.width, video.height), f"{relative}: {video.width}x{video.height} not in {key}"
    assert g.matches_fps(video.frame_rate), f"{relative}: {video.frame_rate} fps not in {key}"
    assert media.duration_s is not None
    assert media.duration_s <= g.max_clip_s + LENGTH_SLACK_S, f"{relative}: longer than {key} can make"
    if frames is not None:
        assert video.frame_count == frames
        assert frames in g.frame_counts
    if g.encoder_tags:
        tag_sets = (media.tags, *(s.tags for s in media.streams))
        tags = {v for t in tag_sets for k, v in t.items() if k == "encoder"}
        assert tags & set(g.encoder_tags), f"{relative}: none of {g.encoder_tags} in {tags}"
