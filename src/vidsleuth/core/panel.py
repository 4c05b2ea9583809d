"""The panel contract: a signal's own section of the HTML and Markdown reports.

A signal that has something to show beyond its evidence rows (a timeline, plots, the C2PA manifest)
brings a `Panel` in its folder: `panel.py` builds a view from the report and the signal's typed metrics,
and `panel.html.j2` beside it draws that view. The report asks each signal in the registry for its panel
(`Signal.panel()`) and composes the page from them, so the report knows nothing about any signal's
insides and a third-party signal brings its own section the same way.

A panel template receives:

- ``p``: the `PanelView.context` mapping the panel built (typed view objects, no raw metrics);
- ``section``: the `PanelView` itself (id, title);
- ``finding(item_anchor)``: a link to the first evidence row that a panel item shows;
- the shared macros of `report/templates/macros.html.j2`, imported with
  ``{% import "macros.html.j2" as m %}`` (chips, images, small plots).

Everything is autoescaped; panel code computes numbers and text, never markup.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from vidsleuth.core.view import Linked

if TYPE_CHECKING:
    from vidsleuth.core.report import Report
    from vidsleuth.core.result import SignalResult


@dataclass(frozen=True, slots=True)
class PanelView:
    """What a panel hands the report for one video."""

    anchor: str  # the section's HTML id (a short word: "shots", "c2pa")
    title: str  # its heading and its entry in the page's navigation
    context: Mapping[str, Any]  # what the template reads as `p`
    links: tuple[Linked, ...] = ()  # panel items and the evidence rows they show
    markdown: tuple[str, ...] = ()  # lines for the Markdown report (already escaped); empty: none
    shows_thumbnails: bool = False  # the panel shows the result's thumbnails itself
    shows_media_facts: bool = False  # the panel shows the probed container and stream facts itself
    extra: Mapping[str, Any] = field(default_factory=dict)  # values the report frame may show


class Panel(ABC):
    """A signal's section of the report; subclass it in ``signals/<name>/panel.py``."""

    TEMPLATE: ClassVar[str] = "panel.html.j2"  # next to the panel's module
    # Where the section goes on the page, lower first (built-in: provenance 10, watermark 20, shots 30,
    # fingerprint 40, motion 50, metadata 90); ties keep the registry's order.
    POSITION: ClassVar[int] = 60

    @abstractmethod
    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        """The section for this report, or None when there is nothing to show (the signal did not run,
        or found nothing a section would add to the evidence table)."""
