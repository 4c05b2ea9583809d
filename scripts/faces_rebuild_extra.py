"""Rebuild the extra face set of bench/data/faces_recipe.csv from git mirrors of its repositories.

Each recipe row names a public repository, a commit, a path in it, the file name to write, its label
(real, face_manipulated, ai_animated_photo, still), the kind of manipulation, the identity group (an
original and its fakes share one, so that cross-validation keeps them together) and the licence. The file
is read with `git show COMMIT:PATH` from MIRRORS/<owner>+<name>/repo (a bare mirror of the repository)
and written to OUT/<out_name>; the sha256 of what was written is printed. Nothing is downloaded here and
no media is ever committed to this project: the recipe is the only thing kept.

    python scripts/faces_rebuild_extra.py --mirrors /path/to/mirrors --out /path/to/extra
    python bench/faces_eval.py --extra /path/to/extra
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "bench" / "data" / "faces_recipe.csv"
COLUMNS = ("repository", "commit", "path", "out_name", "label", "manipulation", "identity_group", "licence")


def extract(mirrors: Path, row: dict[str, str], out_dir: Path) -> str:
    """The written file's sha256, or why it could not be written."""
    git_dir = mirrors / row["repository"].replace("/", "+") / "repo"
    if not git_dir.is_dir():
        git_dir = mirrors / row["repository"].replace("/", "+")
    if not git_dir.is_dir():
        return "no mirror"
    name = Path(row["out_name"]).name  # never a path out of OUT
    done = subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{row['commit']}:{row['path']}"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0 or len(done.stdout) < 1024:
        return f"missing ({done.stderr.decode(errors='replace').strip()[:80]})"
    (out_dir / name).write_bytes(done.stdout)
    return hashlib.sha256(done.stdout).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mirrors", type=Path, required=True, help="folder of <owner>+<name> git mirrors")
    parser.add_argument("--recipe", type=Path, default=RECIPE)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    with args.recipe.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            print(f"{args.recipe}: missing column(s) {', '.join(absent)}", file=sys.stderr)
            return 2
        for row in reader:
            status = extract(args.mirrors, row, args.out)
            ok = len(status) == 64
            failed += not ok
            print(f"{row['out_name']:<45} {status[:16] if ok else status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
