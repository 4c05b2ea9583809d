"""The signal sections of a report: each signal's own panel, asked for through the registry.

The report knows no signal's insides: for every result it looks the signal up in the registry, asks
for its panel (`Signal.panel()`), and lets the panel build its view. A signal missing from the registry
(a report from a machine with a plugin this one lacks) or a panel that fails on odd metrics simply has no
section; its findings are still in the evidence table. Sections are ordered by `Panel.POSITION`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult
from vidsleuth.registry import SignalRegistry, shared_registry

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Section:
    signal: str
    result_index: int  # position of the signal's result in report.results
    panel: Panel
    view: PanelView

    @property
    def template_name(self) -> str:
        """The panel's template, named so that the report's template loader can find it."""
        return f"panel:{type(self.panel).__module__}:{self.panel.TEMPLATE}"


def panel_for(signal: str, registry: SignalRegistry) -> Panel | None:
    if signal not in registry:
        return None
    try:
        return registry.get(signal).panel()
    except Exception as exc:  # a plugin whose panel cannot even be made: no section, not no report
        log.warning("report: the %s panel could not be created (%s: %s)", signal, type(exc).__name__, exc)
        return None


def sections(report: Report, registry: SignalRegistry | None = None) -> list[Section]:
    """The report's signal sections, in page order."""
    registry = registry or shared_registry()
    out: list[tuple[int, int, Section]] = []
    for i, result in enumerate(report.results):
        panel = panel_for(result.signal, registry)
        if panel is None:
            continue
        view = _view(panel, report, result)
        if view is not None:
            out.append((panel.POSITION, i, Section(result.signal, i, panel, view)))
    return [s for _, _, s in sorted(out, key=lambda x: (x[0], x[1]))]


def _view(panel: Panel, report: Report, result: SignalResult) -> PanelView | None:
    try:
        return panel.view(report, result)
    except Exception as exc:  # unexpected metric shapes must never stop a report from rendering
        log.warning("report: %s panel left out (%s: %s)", result.signal, type(exc).__name__, exc)
        return None


def load_panel_template(name: str) -> str | None:
    """The source of a template named by `Section.template_name`; None for other names."""
    if not name.startswith("panel:"):
        return None
    _, module, filename = name.split(":", 2)
    package = module.rpartition(".")[0]
    try:
        return resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None
