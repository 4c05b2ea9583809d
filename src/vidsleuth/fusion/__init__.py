"""Fusion: turn every signal's evidence into one explained verdict."""

from vidsleuth.fusion.rules import POLICY, fuse

__all__ = ["POLICY", "fuse"]
