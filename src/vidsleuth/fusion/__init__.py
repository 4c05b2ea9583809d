"""Fusion: turn every signal's evidence into one explained verdict, under a calibration.

- `weigh_and_fuse(results, calibration)`: what the pipeline does with a video's results, and what
  evaluation does to re-fuse stored reports under another calibration: learned measurements get their
  strengths from the calibration (`calibration.reweigh`), then `fuse` decides.
- `fuse(results, calibration)`: the policy the calibration names (rules@1 or calibrated@1) on weighed
  results; `fuse_rules` is the hand-written rules alone (docs/fusion.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from vidsleuth.core.result import SignalResult
from vidsleuth.core.verdict import Verdict
from vidsleuth.fusion.calibrated import fuse
from vidsleuth.fusion.calibration import Calibration, default_calibration, reweigh
from vidsleuth.fusion.rules import POLICY
from vidsleuth.fusion.rules import fuse as fuse_rules


def weigh_and_fuse(
    results: Sequence[SignalResult], calibration: Calibration | None = None
) -> tuple[tuple[SignalResult, ...], Verdict]:
    """The results with learned findings weighed by `calibration` (default: the shipped one), and the
    verdict fused from them."""
    cal = calibration or default_calibration()
    weighed = reweigh(results, cal)
    return weighed, fuse(weighed, cal)


__all__ = ["POLICY", "fuse", "fuse_rules", "weigh_and_fuse"]
