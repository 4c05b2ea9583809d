"""Make the bundled demo video, samples/stitched_4s_10s.mp4.

The sample re-creates the structure of the viral "crying soldier" case with rendered footage: a 4 s
shot hard-cut to a 10 s shot, 640x360 at 24 fps, H.264 (CRF 30), with a sine-tone audio track. Each
shot is a procedural scene (smooth colour texture, slow pan, a moving disc) drawn by the project's test
media factory, so it is nobody's footage and may be redistributed with the project. Run:

    python scripts/make_sample.py samples/stitched_4s_10s.mp4
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.media_factory import Scene, write_video


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "samples/stitched_4s_10s.mp4")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_video(target, [Scene(4.0, 11), Scene(10.0, 12)], fps=24, size=(640, 360), crf=30, audio=True)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
