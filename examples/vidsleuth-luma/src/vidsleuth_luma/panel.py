"""The luma signal's report section: a small brightness plot with one sentence."""

from __future__ import annotations

from vidsleuth.core.panel import Panel, PanelView
from vidsleuth.core.report import Report
from vidsleuth.core.result import SignalResult, Status
from vidsleuth.core.view import linked, md_text, plot, points
from vidsleuth_luma.metrics import LumaMetrics


class LumaPanel(Panel):
    POSITION = 70

    def view(self, report: Report, result: SignalResult) -> PanelView | None:
        if result.status is not Status.OK:
            return None
        m = result.metrics_as(LumaMetrics)
        pts = points(m.time_s, m.mean_luma)
        if not pts or m.black_share is None:
            return None
        sentence = f"{m.black_share:.0%} of the sampled frames are near black (below {m.black_level:g})."
        item = linked(
            "luma-plot",
            [next((i for i, e in enumerate(result.evidence) if e.code == "luma.black_share"), None)],
        )
        return PanelView(
            anchor="luma",
            title="Brightness",
            context={"plot": plot(pts, band=(0.0, m.black_level)), "sentence": sentence, "item": item.anchor},
            links=(item,),
            markdown=("## Brightness", "", md_text(sentence), ""),
        )
