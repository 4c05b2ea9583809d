"""Check "whose face is this?" end to end: every face clip of the corpus (and of the extra set) against
every reference still, through the `faces` signal as `check --reference-face` runs it.

Counts (1) the photo -> video pairs known to show one person (an animation and its source still, a face
swap and the identity pasted in) that the signal matched (distance below 0.40) or possibly matched
(0.40-0.50), with the animated-photo sign it gave; (2) the matches and possible matches between a clip and
a still of someone else, out of all (track, still) pairs compared. The stills: the corpus's
animated_photos/source_stills and the extra set's stills (bench/data/faces_recipe.csv, label `still`).

    nice -n 10 .venv/bin/python bench/faces_refmatch.py --extra /path/to/extra
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.faces_eval import CORPUS, DATA, Clip, corpus_clips, extra_clips  # noqa: E402
from vidsleuth.core.result import Status  # noqa: E402
from vidsleuth.core.settings import Settings  # noqa: E402
from vidsleuth.pipeline import analyze  # noqa: E402
from vidsleuth.signals.faces.metrics import FacesMetrics  # noqa: E402

# clip key -> the stills that show the same person (everything else is someone else)
SAME_PERSON: dict[str, set[str]] = {
    "corpus/animated_photos/liveportrait_inference.gif": {"s6"},
    "corpus/animated_photos/liveportrait_showcase2.gif": {"s8", "s9", "s10"},
    "corpus/faces_real/d11.mp4": {"s11"},  # labelled real; the child of s11 (docs/signals/faces.md)
    "extra/emo_talk_hb.mp4": {"emo_talk_hb_ref"},
    "extra/emo_talk_yomir.mp4": {"emo_talk_yomir_ref"},
    "extra/vasa1_3.mp4": {"vasa1_3_ref"},
    "extra/vasa1_5.mp4": {"vasa1_5_ref"},
    "extra/vasa1_7.mp4": {"vasa1_7_ref"},
    "extra/vasa1_9.mp4": {"vasa1_9_ref"},
    "extra/vasa1_l2.mp4": {"vasa1_l2_ref"},
    "extra/vexpress_tys.gif": {"vexpress_tys_ref"},
    "extra/sadtalker_art_0_japanese_es1.mp4": {"sadtalker_still_art_0"},
    "extra/sadtalker_art_0_japanese_still.mp4": {"sadtalker_still_art_0"},
    "extra/sadtalker_example_crop.gif": {"sadtalker_still_full_body_2"},
    "extra/sadtalker_example_full.gif": {"sadtalker_still_full_body_2"},
    "extra/sadtalker_still_full_e.mp4": {"sadtalker_still_full_body_2"},
    "extra/sadtalker_resize_good.gif": {"sadtalker_still_full4"},
    "extra/ghost_elon.webp": {"ghost_id_elon_musk"},
    "extra/ghost_mark.webp": {"ghost_id_mark"},
}


def stills(corpus: Path, extra: Path | None, recipe: Path) -> list[Path]:
    out = sorted((corpus / "animated_photos" / "source_stills").glob("*.jpg"))
    if extra is not None:
        with recipe.open(newline="", encoding="utf-8") as fh:
            out += [extra / r["out_name"] for r in csv.DictReader(fh) if r["label"] == "still"]
    return [p for p in out if p.is_file()]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--extra", type=Path)
    parser.add_argument("--recipe", type=Path, default=DATA / "faces_recipe.csv")
    args = parser.parse_args()
    photos = stills(args.corpus, args.extra, args.recipe)
    clips: list[Clip] = corpus_clips(args.corpus)
    if args.extra:
        clips += extra_clips(args.extra, args.recipe)
    settings = Settings(
        only=("faces",), thumbnails=False, options={"faces": {"reference_faces": tuple(map(str, photos))}}
    )
    pairs = 0
    found: dict[tuple[str, str], tuple[str, float, str]] = {}
    wrong: list[tuple[float, str, str, str]] = []
    with_face = 0
    for i, clip in enumerate(clips):
        result = analyze(clip.path, settings).result("faces")
        print(f"[{i + 1}/{len(clips)}] {clip.key}", file=sys.stderr)
        if result is None or result.status is not Status.OK:
            continue
        m = result.metrics_as(FacesMetrics)
        with_face = sum(r.face_found for r in m.references)
        pairs += with_face * sum(1 for t in m.tracks if t.descriptors > 0)
        truth = SAME_PERSON.get(clip.key, set())
        for row in m.matches:
            still = Path(row.reference).stem
            if still in truth:
                best = found.get((clip.key, still))
                if best is None or row.distance < best[1]:
                    found[(clip.key, still)] = (row.kind, row.distance, row.sign)
            else:
                wrong.append((row.distance, row.kind, clip.key, still))
    print(f"# reference matching: {len(clips)} clips x {len(photos)} stills ({with_face} with a face)\n")
    print("| same-person pair | result | distance | animated-photo sign |\n|---|---|---|---|")
    for key, truth in SAME_PERSON.items():
        for still in sorted(truth):
            kind, dist, sign = found.get((key, still), ("missed", float("nan"), ""))
            print(f"| {key} ~ {still} | {kind} | {dist:.3f} | {sign} |")
    kinds = Counter(kind for kind, _, _ in found.values())
    total = sum(len(t) for k, t in SAME_PERSON.items() if any(c.key == k for c in clips))
    print(f"\nsame-person pairs matched: {kinds['match']}/{total}, possible: {kinds['possible']}/{total}")
    print(f"different-person pairs compared: about {pairs - len(found)}")
    print(f"  matched (< 0.40): {sum(1 for w in wrong if w[1] == 'match')}")
    print(f"  possible (0.40-0.50): {sum(1 for w in wrong if w[1] == 'possible')}")
    for d, kind, key, still in sorted(wrong)[:10]:
        print(f"    {d:.3f} {kind:<8} {key} ~ {still}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
