"""Rebuild the faces signal's validation figures from labelled face videos (docs/signals/faces.md).

Runs the `faces` signal (as `check` runs it, thumbnails off) over
  * the corpus: ../shared/corpus/face_manipulation (FaceForensics++ Deepfakes, FaceSwap, NeuralTextures
    with their originals, two DFDC fakes and a real, the SimSwap demo) and faces_real/ (LivePortrait driving
    videos, real);
  * optionally the extra set (`--extra DIR`): public clips rebuilt from git mirrors with
    scripts/faces_rebuild_extra.py and bench/data/faces_recipe.csv (face swaps, lip-sync, real talking heads;
    talking-head animations are scored but not a face-swap label);
  * optionally classical face swaps made from real corpus clips (`--generated DIR`, recipe
    bench/data/faces_swap_pairs.csv): **generated data**; every figure that uses it says so.

and prints (1) each cue's AUC in its declared direction, per kind of manipulation against all real clips;
(2) the share of fake/original pairs (same identity) in which the cue moved the declared way; (3) a logistic
regression on the cues declared before any evaluation, under leave-one-identity-group-out cross-validation
(an original and its fakes always in the same held-out fold): out-of-fold AUC per manipulation type, with
stratified bootstrap 95 % intervals, and how many real clips reach p >= 0.5 / 0.8 / 0.9. The measurements of
each clip are cached (`--cache`), so a rerun only analyses what changed.

    nice -n 10 .venv/bin/python bench/faces_eval.py --extra /path/to/extra --generated /path/to/generated
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vidsleuth.core.result import Status  # noqa: E402
from vidsleuth.core.settings import Settings  # noqa: E402
from vidsleuth.fusion.logistic import fit_standardised, predict_standardised  # noqa: E402
from vidsleuth.pipeline import analyze  # noqa: E402
from vidsleuth.signals.faces import FacesSignal  # noqa: E402
from vidsleuth.stats import Interval, auc_bootstrap  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
DATA = ROOT / "bench" / "data"
L2 = 1 / 0.3  # the prototype's C = 0.3 (log loss summed over clips)
# The classifier's inputs, declared before any evaluation (FINDINGS, "5pt" and "5pt+cov").
CUES = [
    "identity_spread",
    "boundary_noise_ratio",
    "boundary_sharpness_ratio",
    "boundary_colour_flicker",
    "boundary_seam",
    "landmark_jitter",
]
COVARIATES = ["face_width_log", "yaw_variation", "ring_sharpness_log", "ring_noise_log"]
MODELS = {"cues": CUES, "cues+cov": CUES + COVARIATES}
SWAPS = {"ffpp_deepfakes", "ffpp_faceswap", "ffpp_unknown", "dfdc", "celebdf", "ghost", "simswap"}

# corpus file -> (label, manipulation type, identity group)
CORPUS_FACES = {
    "face_manipulation/dfdc_abofeumbvv_FAKE_orig-atvmxvwyns.mp4": ("face_manipulated", "dfdc", "dfdc_atvm"),
    "face_manipulation/dfdc_abqwwspghj_FAKE_orig-qzimuostzz.mp4": ("face_manipulated", "dfdc", "dfdc_qzim"),
    "face_manipulation/dfdc_lynaeydofd_REAL.mp4": ("real", "none", "dfdc_lyna"),
    "face_manipulation/ffpp_Deepfakes_519_515_FAKE.mp4": ("face_manipulated", "ffpp_deepfakes", "ffpp_519"),
    "face_manipulation/ffpp_FaceSwap_634_660_FAKE.mp4": ("face_manipulated", "ffpp_faceswap", "ffpp_634"),
    "face_manipulation/ffpp_NeuralTextures_004_982_FAKE.mp4": (
        "face_manipulated",
        "ffpp_neuraltextures",
        "ffpp_004",
    ),
    "face_manipulation/ffpp_original_004_REAL.mp4": ("real", "none", "ffpp_004"),
    "face_manipulation/ffpp_original_519_REAL.mp4": ("real", "none", "ffpp_519"),
    "face_manipulation/ffpp_original_634_REAL.mp4": ("real", "none", "ffpp_634"),
    "face_manipulation/simswap_demo_braveheart.gif": ("face_manipulated", "simswap", "simswap"),
    "animated_photos/liveportrait_inference.gif": ("ai_animated_photo", "liveportrait", "lp_s6"),
    "animated_photos/liveportrait_showcase2.gif": ("ai_animated_photo", "liveportrait", "lp_paintings"),
}
EXTRA_SWAPS = {"ghost_": "ghost", "celebdf_id34_id38": "celebdf", "celebdf_id61_id60": "celebdf"}


@dataclass(frozen=True, slots=True)
class Clip:
    key: str
    path: Path
    label: str  # real | face_manipulated | ai_animated_photo
    mtype: str
    group: str
    source: str  # corpus | extra | generated


def corpus_clips(corpus: Path) -> list[Clip]:
    out = [
        Clip(f"corpus/{rel}", corpus / rel, lab, mt, grp, "corpus")
        for rel, (lab, mt, grp) in CORPUS_FACES.items()
        if (corpus / rel).is_file()
    ]
    for p in sorted((corpus / "faces_real").glob("*.mp4")):
        # d11 is labelled real, but is very probably an animation of the still s11 (FINDINGS, "Label
        # findings"); it is kept as labelled, and the card says so.
        out.append(Clip(f"corpus/faces_real/{p.name}", p, "real", "none", f"lp_{p.stem}", "corpus"))
    return out


def extra_clips(folder: Path, recipe: Path) -> list[Clip]:
    out = []
    with recipe.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            path = folder / row["out_name"]
            if row["label"] == "still" or not path.is_file():
                continue
            mtype = row["manipulation"]
            if mtype == "faceswap":
                name = row["out_name"]
                mtype = next((v for k, v in EXTRA_SWAPS.items() if name.startswith(k)), "ffpp_unknown")
            out.append(
                Clip(f"extra/{row['out_name']}", path, row["label"], mtype, row["identity_group"], "extra")
            )
    return out


def generated_clips(folder: Path, pairs: Path) -> list[Clip]:
    out = []
    with pairs.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            path = folder / row["out_name"]
            if path.is_file():
                # The video is the target's: grouped with the target identity.
                out.append(
                    Clip(
                        f"generated/{row['out_name']}",
                        path,
                        "face_manipulated",
                        "generated_swap",
                        row["target_group"],
                        "generated",
                    )
                )
    return out


# Measuring ----------------------------------------------------------------------------------------


def measure(clips: Sequence[Clip], cache: Path, landmarks68: bool, quiet: bool) -> dict[str, dict[str, Any]]:
    """Per clip: the signal's status, features and cost (cached by key, size and signal version)."""
    tag = f"{FacesSignal.VERSION}/{'68' if landmarks68 else '5'}"
    known: dict[str, dict[str, Any]] = {}
    if cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            known[row["id"]] = row
    out = {}
    settings = Settings(only=("faces",), thumbnails=False, options={"faces": {"landmarks68": landmarks68}})
    with cache.open("a", encoding="utf-8") as fh:
        for i, clip in enumerate(clips):
            ident = f"{clip.key}|{clip.path.stat().st_size}|{tag}"
            if ident not in known:
                t0 = time.perf_counter()
                report = analyze(clip.path, settings)
                result = report.result("faces")
                assert result is not None
                m = result.metrics
                row = {
                    "id": ident,
                    "status": result.status.value,
                    "why": result.error,
                    "features": m.get("features", {}) if result.status is Status.OK else {},
                    "directions": m.get("feature_directions", {}),
                    "tracks": len(m.get("tracks", [])),
                    "duration_s": report.media.duration_s,
                    "cpu_s": result.cpu_s,
                    "wall_s": round(time.perf_counter() - t0, 2),
                }
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                known[ident] = row
                if not quiet:
                    print(
                        f"[{i + 1}/{len(clips)}] {clip.key}: {row['status']} ({row['wall_s']} s)",
                        file=sys.stderr,
                    )
            out[clip.key] = known[ident]
    return out


# Analysis -----------------------------------------------------------------------------------------


def value(row: dict[str, Any], key: str) -> float:
    v = row["features"].get(key)
    return float(v) if isinstance(v, int | float) and math.isfinite(v) else math.nan


def auc_of(pos: Sequence[float], neg: Sequence[float]) -> Interval:
    p = [x for x in pos if math.isfinite(x)]
    n = [x for x in neg if math.isfinite(x)]
    scores = np.array(p + n, dtype=np.float64)
    labels = np.array([1] * len(p) + [0] * len(n))
    return auc_bootstrap(scores, labels, reps=2000, seed=0)


def kinds(clips: Sequence[Clip]) -> dict[str, Callable[[Clip], bool]]:
    out: dict[str, Callable[[Clip], bool]] = {
        "all downloaded": lambda c: c.source != "generated",
        "downloaded face swaps": lambda c: c.mtype in SWAPS,
        "lip-sync": lambda c: c.mtype == "lipsync",
        "generated swaps (generated data)": lambda c: c.source == "generated",
    }
    for mtype in sorted({c.mtype for c in clips if c.label == "face_manipulated"}):
        out[f"type {mtype}"] = _of_type(mtype)
    return out


def _of_type(mtype: str) -> Callable[[Clip], bool]:
    def test(c: Clip) -> bool:
        return c.mtype == mtype

    return test


def single_cues(clips: Sequence[Clip], rows: dict[str, dict[str, Any]], directions: dict[str, int]) -> None:
    reals = [c for c in clips if c.label == "real"]
    groups = {k: v for k, v in kinds(clips).items() if not k.startswith("type ")}
    groups["NeuralTextures"] = _of_type("ffpp_neuraltextures")
    print("\n## Single cues: AUC in the declared direction, positives vs all real clips [bootstrap 95 %]\n")
    usable = [c for c in clips if c.label == "face_manipulated" and rows[c.key]["status"] == "ok"]
    header = " | ".join(f"{k} ({sum(1 for c in usable if f(c))})" for k, f in groups.items())
    print(f"| cue | {header} |\n|---|" + "---|" * len(groups))
    for cue, d in directions.items():
        if d == 0:
            continue
        neg = [d * value(rows[c.key], cue) for c in reals]
        cells = []
        for f in groups.values():
            pos = [d * value(rows[c.key], cue) for c in clips if c.label == "face_manipulated" and f(c)]
            cells.append(auc_of(pos, neg).text() if pos else "n/a")
        print(f"| {cue} | " + " | ".join(cells) + " |")


def paired(clips: Sequence[Clip], rows: dict[str, dict[str, Any]], directions: dict[str, int]) -> None:
    originals = {c.group: c for c in clips if c.label == "real"}
    pairs = [(c, originals[c.group]) for c in clips if c.label == "face_manipulated" and c.group in originals]
    print("\n## Paired: a fake against its own original (same identity); share moved the declared way\n")
    print("| cue | downloaded (n) | generated (n, generated data) |\n|---|---|---|")
    for cue, d in directions.items():
        if d == 0:
            continue
        cells = []
        for gen in (False, True):
            diffs = [
                d * (value(rows[a.key], cue) - value(rows[b.key], cue))
                for a, b in pairs
                if (a.source == "generated") == gen
            ]
            diffs = [x for x in diffs if math.isfinite(x)]
            cells.append(f"{sum(x > 0 for x in diffs) / len(diffs):.2f} ({len(diffs)})" if diffs else "n/a")
        print(f"| {cue} | " + " | ".join(cells) + " |")


def out_of_fold(
    usable: Sequence[Clip], rows: dict[str, dict[str, Any]], feats: list[str], train: np.ndarray
) -> np.ndarray:
    """Leave-one-identity-group-out probabilities; clips outside `train` are scored, never trained on."""
    x = np.array([[value(rows[c.key], f) for f in feats] for c in usable], dtype=np.float64)
    y = np.array([1.0 if c.label == "face_manipulated" else 0.0 for c in usable])
    groups = np.array([c.group for c in usable])
    oof = np.full(len(usable), math.nan)
    for g in np.unique(groups):
        test = groups == g
        fit = train & ~test
        if len(set(y[fit])) < 2:
            continue
        mean, scale, w, b = fit_standardised(x[fit], y[fit], L2)
        oof[test] = predict_standardised(x[test], mean, scale, w, b)
    return oof


def classifier(clips: Sequence[Clip], rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    usable = [c for c in clips if c.label in ("real", "face_manipulated") and rows[c.key]["status"] == "ok"]
    y = np.array([c.label == "face_manipulated" for c in usable])
    generated = np.array([c.source == "generated" for c in usable])
    protocols = {"downloaded only": ~generated, "with generated (generated data)": np.ones(len(usable), bool)}
    summary: dict[str, Any] = {}
    for mname, feats in MODELS.items():
        for pname, mask in protocols.items():
            if pname != "downloaded only" and not generated.any():
                continue
            oof = out_of_fold(usable, rows, feats, mask)
            key = f"{mname} / trained on {pname}"
            print(f"\n## Logistic regression {key}\n\nfeatures: {', '.join(feats)}\n")
            print("| positives | n | AUC vs all real clips [bootstrap 95 %] |\n|---|---|---|")
            neg = [float(p) for p, c in zip(oof, usable, strict=True) if c.label == "real"]
            res: dict[str, Any] = {}
            for kname, f in kinds(usable).items():
                pos = [
                    float(p)
                    for p, c in zip(oof, usable, strict=True)
                    if c.label == "face_manipulated" and f(c)
                ]
                if not pos:
                    continue
                a = auc_of(pos, neg)
                res[kname] = {"n": len(pos), "auc": a.to_dict()}
                print(f"| {kname} | {len(pos)} | {a.text()} |")
            downloaded = oof[y & ~generated]
            for thr in (0.5, 0.8, 0.9):
                fp = int(np.sum(np.array(neg) >= thr))
                tp = float(np.mean(downloaded >= thr)) if len(downloaded) else math.nan
                print(
                    f"\np >= {thr}: real clips {fp}/{len(neg)}; downloaded manipulations caught {tp:.2f}",
                    end="",
                )
                res[f"p>={thr}"] = {"real": fp, "n_real": len(neg), "caught_downloaded": tp}
            print()
            res["clips"] = int(len(neg) + len(downloaded))
            summary[key] = res
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--extra", type=Path, help="folder rebuilt by scripts/faces_rebuild_extra.py")
    parser.add_argument("--recipe", type=Path, default=DATA / "faces_recipe.csv")
    parser.add_argument("--generated", type=Path, help="folder of classical swaps (generated data)")
    parser.add_argument("--pairs", type=Path, default=DATA / "faces_swap_pairs.csv")
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache" / "faces_eval.jsonl")
    parser.add_argument("--landmarks68", action="store_true", help="run with the 68-point model (opt-in)")
    parser.add_argument("--json", type=Path, help="write the classifier figures here")
    parser.add_argument("-q", "--quiet", action="store_true")
    args = parser.parse_args()
    clips = corpus_clips(args.corpus)
    if args.extra:
        clips += extra_clips(args.extra, args.recipe)
    if args.generated:
        clips += generated_clips(args.generated, args.pairs)
    if not clips:
        print(f"no clips found under {args.corpus}", file=sys.stderr)
        return 2
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    rows = measure(clips, args.cache, args.landmarks68, args.quiet)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for c in clips:
        counts[(c.source, c.label)] += 1
    print("# faces signal evaluation\n")
    print("clips:", ", ".join(f"{s}/{lab}: {n}" for (s, lab), n in sorted(counts.items())))
    missed = [c.key for c in clips if rows[c.key]["status"] != "ok"]
    print(f"no usable face ({len(missed)}): " + ", ".join(f"{k} ({rows[k]['why']})" for k in missed))
    directions: dict[str, int] = next((r["directions"] for r in rows.values() if r["directions"]), {})
    single_cues(clips, rows, directions)
    paired(clips, rows, directions)
    summary = classifier(clips, rows)
    cpu = [r["cpu_s"] / r["duration_s"] for r in rows.values() if r.get("cpu_s") and r.get("duration_s")]
    if cpu:
        print(f"\nsignal CPU per second of video: median {np.median(cpu):.3f} s (max {max(cpu):.3f} s)")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
