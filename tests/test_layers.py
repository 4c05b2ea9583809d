"""The import layers of docs/architecture.md, checked on the source: who may import whom.

- `core` imports nothing of the package outside `core`.
- a signal's modules import `core`, `errors`, `media`, `data`, the library packages `fingerprint` and
  `bank`, and their own folder only: never another signal, fusion, the pipeline, the report, cli or web.
- the report imports no signal internals (it finds panels through the registry).
- `fusion` and `media` import no signal, report, cli or web.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "vidsleuth"


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


def _package_imports(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*.py")):
        for name in _imports(path):
            if name == "vidsleuth" or name.startswith("vidsleuth."):
                yield path, name


def _allowed(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_core_imports_only_core() -> None:
    bad = [(p.name, n) for p, n in _package_imports(SRC / "core") if not _allowed(n, ("vidsleuth.core",))]
    assert bad == []


SIGNALS = sorted(p.name for p in (SRC / "signals").iterdir() if p.is_dir() and (p / "__init__.py").exists())


@pytest.mark.parametrize("signal", SIGNALS)
def test_a_signal_imports_core_media_data_and_its_own_folder(signal: str) -> None:
    allowed = (
        "vidsleuth.core",
        "vidsleuth.errors",
        "vidsleuth.media",
        "vidsleuth.data",
        "vidsleuth.fingerprint",
        "vidsleuth.bank",
        f"vidsleuth.signals.{signal}",
    )
    bad = [(p.name, n) for p, n in _package_imports(SRC / "signals" / signal) if not _allowed(n, allowed)]
    assert bad == []


def test_the_signals_package_knows_its_signals_only_in_one_list() -> None:
    names = [n for _, n in _package_imports(SRC / "signals") if n.count(".") >= 2]
    assert names  # sanity: the walk sees imports
    init = list(_imports(SRC / "signals" / "__init__.py"))
    assert all(not n.startswith("vidsleuth.signals.") or n.count(".") >= 2 for n in init)


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("report", ("vidsleuth.signals", "vidsleuth.pipeline", "vidsleuth.cli", "vidsleuth.web")),
        (
            "fusion",
            ("vidsleuth.signals", "vidsleuth.pipeline", "vidsleuth.report", "vidsleuth.cli", "vidsleuth.web"),
        ),
        (
            "media",
            (
                "vidsleuth.signals",
                "vidsleuth.fusion",
                "vidsleuth.pipeline",
                "vidsleuth.report",
                "vidsleuth.cli",
                "vidsleuth.web",
            ),
        ),
        (
            "data",
            (
                "vidsleuth.signals",
                "vidsleuth.fusion",
                "vidsleuth.pipeline",
                "vidsleuth.report",
                "vidsleuth.cli",
                "vidsleuth.web",
            ),
        ),
    ],
)
def test_lower_layers_do_not_import_higher_ones(layer: str, forbidden: tuple[str, ...]) -> None:
    bad = [(p.name, n) for p, n in _package_imports(SRC / layer) if _allowed(n, forbidden)]
    assert bad == []
