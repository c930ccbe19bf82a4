"""The error budget burn-down of one SLO across the month, as inline SVG.

Drawn from the ``burn_down`` points of report.json: the budget remaining at the month's start
and at each day end, against the ideal line that spends the budget evenly. Nothing is computed
here beyond placing points on the page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from matplotlib.ticker import PercentFormatter

from .charts import INK, SERIES, figure, to_svg
from .inline_svg import inline_svg

IDEAL_COLOUR = "#7f8c8d"
SPENT_COLOUR = "#c0392b"
TICK_EVERY_DAYS = 7


def burn_down_svg(slo: dict[str, Any], title: str) -> str:
    """The chart of ``slo['burn_down']``; empty text when the SLO has no burn-down."""
    points = [p for p in slo.get("burn_down") or [] if p["error_budget_remaining"] is not None]
    if len(points) < 2:
        return ""
    instants = [dt.datetime.fromisoformat(point["at"]) for point in points]
    days = [(instant - instants[0]).total_seconds() / 86_400 for instant in instants]
    remaining = [point["error_budget_remaining"] for point in points]
    ideal = [point["ideal"] for point in points]

    with figure(3.4, 1.9) as (fig, axes):
        axes.plot(days, ideal, color=IDEAL_COLOUR, linestyle="--", linewidth=1, label="Ideal")
        axes.plot(
            days,
            remaining,
            color=SERIES[0],
            linestyle="-",
            linewidth=1.4,
            marker="o",
            markersize=2,
            label="Budget left",
        )
        axes.axhline(0, color=SPENT_COLOUR, linestyle=":", linewidth=0.9)
        axes.set_ylim(min(0.0, *remaining) - 0.05, max(1.0, *remaining) + 0.05)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ticks = [i for i in range(len(days)) if i % TICK_EVERY_DAYS == 0]
        axes.set_xticks([days[i] for i in ticks], [f"{instants[i]:%d %b}" for i in ticks])
        axes.set_xlim(0, days[-1])
        axes.set_title(title, loc="left", fontsize=8, color=INK)
        axes.legend(loc="lower left")
        svg = to_svg(fig)
    return inline_svg(svg, "burn-" + re.sub(r"[^a-z0-9]+", "-", slo["name"].lower()))
