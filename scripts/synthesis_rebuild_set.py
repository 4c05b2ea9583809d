"""Rebuild the synthesis signal's training and validation set from bench/data/synthesis_recipe.csv and a
folder of git mirrors of its repositories.

Each recipe row names a public repository, a commit, a path in it and the **blob id** of the file (git's
hash of its bytes, so the id proves the content), with its label (ai | real), generator and release month,
style (photoreal | stylized | camera), licence and cross-validation group (the source repository). The
file is read with `git cat-file blob BLOB` from MIRRORS/<owner>+<name>/repo (or MIRRORS/<owner>+<name>,
a bare mirror) and written to OUT/<owner>+<name>/<blob[:12]>.<kind>. Blobs a mirror lacks are reported and
skipped (snapshot mirrors omit blobs of 4 MiB and more: the recipe's `present` column says which were
missing when it was made). OUT/labels.csv is written for `vidsleuth eval` (path, label, generator, source,
group). Nothing is downloaded here, and no media is ever committed to this project: the recipe is what
is kept. Repositories reserved for independent evaluation (../shared/RESERVED.md) are refused.

    python scripts/synthesis_rebuild_set.py --mirrors /path/to/mirrors --out /path/to/synthesis-set
    python bench/synthesis_eval.py --set /path/to/synthesis-set
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "bench" / "data" / "synthesis_recipe.csv"
RESERVED_LIST = ROOT.parent / "shared" / "RESERVED.md"
COLUMNS = (
    "repository",
    "commit",
    "path",
    "blob",
    "label",
    "generator",
    "released",
    "style",
    "licence",
    "group",
    "present",
    "kind",
)
# The repositories of ../shared/RESERVED.md when this script was written (the file is read too, when present).
RESERVED = frozenset(
    {
        "Drepheus/Vizual",
        "SehajroopSingh/MemsurfWebsite",
        "ethan0905/scrapper_sora2",
        "hacksider/Deep-Live-Cam",
        "intel-iot-devkit/sample-videos",
        "jnchuhaiwebsite/14-hailuo-video",
        "polimi-ispl/icpr2020dfdc",
        "scikit-video/scikit-video",
        "facebookresearch/videoseal",
        "nsail-lab/MNW",
        "sammyatman/videogen",
    }
)


def reserved() -> frozenset[str]:
    names = set(RESERVED)
    if RESERVED_LIST.is_file():
        for line in RESERVED_LIST.read_text(encoding="utf-8").splitlines():
            if line.startswith("- ") and "/" in line:
                names.add(line[2:].strip())
    return frozenset(names)


def media_name(row: dict[str, str]) -> str:
    """OUT-relative file name of a recipe row: <owner>+<name>/<blob[:12]>.<kind>."""
    kind = row["kind"] or Path(row["path"]).suffix.lstrip(".") or "bin"
    return f"{row['repository'].replace('/', '+')}/{row['blob'][:12]}.{kind}"


def git_dir(mirrors: Path, repository: str) -> Path | None:
    base = mirrors / repository.replace("/", "+")
    for candidate in (base / "repo", base):
        if (candidate / "objects").is_dir() or (candidate / "HEAD").is_file():
            return candidate
    return None


def read_recipe(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise SystemExit(f"{path}: missing column(s) {', '.join(absent)}")
        return list(reader)


def extract(mirrors: Path, row: dict[str, str], out: Path) -> str:
    """'ok', 'kept' (already there) or why the file could not be written."""
    dst = out / media_name(row)
    if dst.is_file() and dst.stat().st_size > 0:
        return "kept"
    gd = git_dir(mirrors, row["repository"])
    if gd is None:
        return "no mirror"
    done = subprocess.run(
        ["git", f"--git-dir={gd}", "cat-file", "blob", row["blob"]], capture_output=True, check=False
    )
    if done.returncode != 0 or not done.stdout:
        return "blob missing from the mirror"
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    tmp.write_bytes(done.stdout)
    tmp.replace(dst)
    return "ok"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of <owner>+<name> git mirrors")
    parser.add_argument("--recipe", type=Path, default=RECIPE)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = read_recipe(args.recipe)
    refused = sorted({r["repository"] for r in rows} & reserved())
    if refused:
        print(f"{args.recipe}: reserved repositories in the recipe: {', '.join(refused)}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    labels: list[dict[str, str]] = []
    for row in rows:
        status = extract(args.mirrors, row, args.out)
        counts[status] = counts.get(status, 0) + 1
        if status in ("ok", "kept"):
            labels.append(
                {
                    "path": media_name(row),
                    "label": row["label"],
                    "generator": row["generator"],
                    "source": row["repository"],
                    "group": row["group"],
                }
            )
        else:
            print(f"{status}: {row['repository']} {row['commit'][:8]} {row['path']}")
    with (args.out / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["path", "label", "generator", "source", "group"])
        writer.writeheader()
        writer.writerows(labels)
    print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + f" -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
