"""The failed-logins chart: failed logins per hour, the usual level and the flagged hours.

The SVG goes into the page as a ``data:`` image: WeasyPrint reads the style attributes of an
SVG inlined in HTML as page CSS and warns about every one (case C18), while its SVG renderer
reads them as SVG. The page still fetches nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from markupsafe import Markup
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

from waooaw_reports.periods import zone

from .charts import INK, SERIES, figure, to_svg


def failed_logins_chart(failed_logins: dict[str, Any], timezone: str) -> Markup:
    """An ``<img>`` holding the SVG of the period's hours; empty when no hour has data.

    The SVG is matplotlib's output from report numbers, with text as text; it holds no report
    strings, and the markup around it only numbers, so marking it safe inserts no data as markup.
    """
    hours = [h for h in failed_logins["hourly"] if h["failures"] is not None]
    if not hours:
        return Markup("")
    tz = zone(timezone)
    # Date numbers (days since the epoch), which the date locator and formatter read.
    times = [float(date2num(dt.datetime.fromisoformat(h["hour"]))) for h in hours]
    usual = [(t, h["baseline_median"]) for t, h in zip(times, hours, strict=True)]
    flagged = [(t, h["failures"]) for t, h in zip(times, hours, strict=True) if h["anomaly"]]

    with figure(height=2.2) as (fig, ax):
        ax.step(
            times,
            [h["failures"] for h in hours],
            where="post",
            color=SERIES[0],
            linewidth=0.9,
            label="failed logins per hour",
        )
        known = [(t, m) for t, m in usual if m is not None]
        if known:
            ax.plot(
                [t for t, _ in known],
                [m for _, m in known],
                linestyle=":",
                color=SERIES[2],
                linewidth=1.0,
                label="usual (median of the same hour, 4 weeks)",
            )
        if flagged:
            ax.plot(
                [t for t, _ in flagged],
                [v for _, v in flagged],
                linestyle="none",
                marker="v",
                markersize=5,
                color=SERIES[1],
                label="flagged hour",
            )
        locator = AutoDateLocator(tz=tz)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=tz))
        # A burst is hundreds of times the usual level; a log scale keeps both readable.
        ax.set_yscale("symlog", linthresh=10)
        ax.set_ylabel("failed logins (log scale)", color=INK)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
        svg = to_svg(fig)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = f"Failed logins per hour; {len(flagged)} hour(s) flagged"
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        alt, data
    )
