"""A generated suite with known camera motion, for checking the harness and the `motion` signal end to end.

Folders named by label, made with tests/motion_media.py (procedural canvas filmed by a virtual camera):

- real/handheld_*   a tracking shot with hand-held shake (several seeds, speeds and directions)
- real/static_*     a locked-off camera with a subject crossing (must not look "too perfect")
- ai/linear_*       a perfectly linear pan at constant speed (the seed-003 hypothesis made literal)
- ai/glide_*        a slow, perfectly smooth sinusoidal glide (a "generated hand-held" move)

The labels are true *by construction of the camera path only*; nothing here is the output of a real video
generator, so numbers on this suite say whether the measurements work, not how well vidsleuth detects AI
video.

    .venv/bin/python bench/suites/motion_suite.py OUT_DIR
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import motion_media  # noqa: E402


def make_suite(out: Path, per_kind: int = 6, seconds: float = 4.0) -> list[Path]:
    made: list[Path] = []
    for k in range(per_kind):
        rng = np.random.default_rng(100 + k)
        speed = float(rng.uniform(30, 90))
        angle = float(rng.uniform(-0.4, 0.4))
        walk = np.cumsum(rng.normal(0, 0.6, (2000, 2)), axis=0)
        f1, f2 = float(rng.uniform(1.2, 2.2)), float(rng.uniform(2.5, 3.8))

        def handheld(
            t: float,
            i: int,
            s: float = speed,
            a: float = angle,
            w: np.ndarray = walk,
            g: tuple[float, float] = (f1, f2),
        ) -> tuple[float, float]:
            x = 40 + s * math.cos(a) * t + 3.5 * math.sin(2 * math.pi * g[0] * t) + w[i, 0]
            y = 100 + s * math.sin(a) * t + 2.5 * math.sin(2 * math.pi * g[1] * t + 0.5) + w[i, 1]
            return x, y

        def linear(t: float, i: int, s: float = speed, a: float = angle) -> tuple[float, float]:
            return 40 + s * math.cos(a) * t, 100 + s * math.sin(a) * t

        def glide(t: float, i: int, s: float = speed) -> tuple[float, float]:
            return 40 + 0.6 * s * t + 12 * math.sin(2 * math.pi * 0.25 * t), 100 + 8 * math.sin(
                2 * math.pi * 0.2 * t
            )

        for folder, name, camera in (
            ("real", "handheld", handheld),
            ("ai", "linear", linear),
            ("ai", "glide", glide),
        ):
            path = out / folder / f"{name}_{k}.mp4"
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                motion_media.film(path, camera, seconds=seconds, seed=10 + k)
            made.append(path)
        static = out / "real" / f"static_{k}.mp4"
        if not static.exists():
            motion_media.static_with_subject(static, seconds=seconds, seed=30 + k)
        made.append(static)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-kind", type=int, default=6)
    args = parser.parse_args()
    made = make_suite(args.out, args.per_kind)
    print(f"{len(made)} videos under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
