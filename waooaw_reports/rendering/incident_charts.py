"""The incident trend chart: incidents per period as bars, MTTR as a line on its own axis.

Drawn from the ``trend`` of report.json's incidents section; a period without a resolved
incident has no MTTR and leaves a gap in the line rather than a zero.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup
from matplotlib.ticker import MaxNLocator

from .charts import DASHES, SERIES, figure, to_svg

_FAMILIES = "'Report Sans', 'DejaVu Sans', sans-serif"
_FONT_FAMILY = re.compile(r"font-family: [^;\"]*")


def _label(period: dict[str, Any], kind: str) -> str:
    first = dt.date.fromisoformat(period["key"])
    return f"{first:%b %Y}" if kind == "monthly" else f"{first:%d %b}"


def incident_trend_svg(trend: Sequence[dict[str, Any]], kind: str) -> Markup:
    """The chart as an image holding its SVG in a data: URL; the numbers come from
    report.json, nothing is computed.

    Not inline ``<svg>``: WeasyPrint reads the style attributes of inline SVG as HTML CSS and
    warns about every stroke and fill (C18 treats its warnings as errors).
    """
    labels = [_label(period, kind) for period in trend]
    positions = list(range(len(trend)))
    counts = [period["count"] for period in trend]
    hours = [
        None if period["mttr_minutes"] is None else period["mttr_minutes"] / 60 for period in trend
    ]

    with figure(6.4, 2.2) as (fig, ax):
        bars = ax.bar(positions, counts, color=SERIES[2], width=0.6, label="Incidents")
        ax.set_ylabel("Incidents")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max([*counts, 1]) * 1.1)
        ax.set_xticks(positions, labels)
        period_word = "Month" if kind == "monthly" else "Week starting"
        ax.set_xlabel(period_word)

        mttr = ax.twinx()
        mttr.grid(False)
        mttr.spines["right"].set_visible(True)
        known = [(x, h) for x, h in zip(positions, hours, strict=True) if h is not None]
        line = mttr.plot(
            positions,
            [float("nan") if h is None else h for h in hours],
            color=SERIES[0],
            linestyle=DASHES[0],
            marker="o",
            markersize=4,
            label="MTTR (hours)",
        )
        mttr.set_ylabel("MTTR, hours")
        mttr.set_ylim(0, max([h for _, h in known] + [1.0]) * 1.1)
        # A bar container stands for its bars in a legend; the stubs only know artists.
        handles: list[Any] = [bars, line[0]]
        fig.legend(
            handles,
            ["Incidents started", "MTTR (hours, resolved incidents)"],
            loc="outside upper left",
            ncols=2,
        )
        svg = to_svg(fig)
    # Text in the shipped font, the one the report's stylesheet names, before any other.
    svg = _FONT_FAMILY.sub(f"font-family: {_FAMILIES}", svg)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    what = "month" if kind == "monthly" else "week"
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        f"Incidents started and MTTR per {what}; the figures are in the table below.", data
    )
