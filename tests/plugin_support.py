"""Install the example plugin (examples/vidsleuth-luma) for a test, through its entry point, the way pip
would: its source on sys.path and a dist-info folder declaring the `vidsleuth.signals` entry point."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import vidsleuth.registry

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_SRC = ROOT / "examples" / "vidsleuth-luma" / "src"


@contextmanager
def luma_installed(site: Path) -> Iterator[None]:
    info = site / "vidsleuth_luma-0.1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vidsleuth-luma\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[vidsleuth.signals]\nluma = vidsleuth_luma.signal:LumaSignal\n")
    added = [str(site), str(PLUGIN_SRC)]
    sys.path[:0] = added
    importlib.invalidate_caches()
    saved = vidsleuth.registry._SHARED
    vidsleuth.registry._SHARED = None  # the CLI's registry is built again, with the plugin
    try:
        yield
    finally:
        for p in added:
            sys.path.remove(p)
        for name in [m for m in sys.modules if m == "vidsleuth_luma" or m.startswith("vidsleuth_luma.")]:
            del sys.modules[name]
        importlib.invalidate_caches()
        vidsleuth.registry._SHARED = saved
