"""The capacity chart of one resource, drawn from its report.json entry.

Daily values, the fitted line with its 95 % prediction band out to 90 days after the period,
and the target (80 %), alert (90 %) and limit lines. Everything is told apart without colour:
the values are a solid line with dots, the fit dashed, the band a light fill, and each
threshold has its own dash pattern and its name written on it.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from waooaw_reports.analytics.capacity import ALERT_SHARE, TARGET_SHARE

from .charts import INK, SERIES, figure, to_svg

BYTES_PER_GB = 1_000_000_000
BAND = "#d5d8dc"
# name, share of the limit, dash pattern, line width
THRESHOLDS = (
    ("limit", 1.0, "-", 1.2),
    ("alert 90 %", ALERT_SHARE, "-.", 0.9),
    ("target 80 %", TARGET_SHARE, ":", 1.1),
)
_FONT_FAMILY = re.compile(r"font-family: [^;\"]*")
# The family the PDF embeds from report_templates/fonts (DejaVu Sans under the report's own
# name), then the same face installed locally, as the stylesheet asks for it.
REPORT_FONTS = "font-family: 'Report Sans', 'DejaVu Sans', sans-serif"


def _scale(unit: str) -> tuple[float, str]:
    """Divisor and axis label: sizes in GB, utilisation in per cent."""
    return (0.01, "% of limit") if unit == "ratio" else (BYTES_PER_GB, "GB")


def _dates(points: list[dict[str, Any]]) -> Any:
    """The points' dates as matplotlib date numbers."""
    return mdates.date2num([dt.date.fromisoformat(p["date"]) for p in points])


def _thresholds(ax: Axes, limit: float, divisor: float, right: float) -> None:
    for name, share, dashes, width in THRESHOLDS:
        level = share * limit / divisor
        ax.axhline(level, color=INK, linestyle=dashes, linewidth=width)
        ax.annotate(
            name,
            (right, level),
            xytext=(-2, 2),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=6.5,
            color=INK,
        )


def _draw(ax: Axes, resource: dict[str, Any]) -> None:
    divisor, label = _scale(resource.get("unit", "bytes"))
    history, band = resource["history"], resource["fitted_band"]
    days = _dates(history)
    values = [p["value"] / divisor for p in history]

    if band:
        band_days = _dates(band)
        low = [p["low"] / divisor for p in band]
        high = [p["high"] / divisor for p in band]
        ax.fill_between(band_days, low, high, color=BAND, linewidth=0, label="95 % band")
        ax.plot(
            band_days,
            [p["fitted"] / divisor for p in band],
            color=SERIES[0],
            linestyle="--",
            linewidth=1.0,
            label="fitted line",
        )
    ax.plot(
        days,
        values,
        color=INK,
        marker="o",
        markersize=2.0,
        linewidth=1.0,
        label="daily peak" if resource.get("unit") == "ratio" else "daily value",
    )
    ax.axvline(float(days[-1]), color="#7f8c8d", linewidth=0.6)

    right = float(max(_dates(band)[-1] if band else days[-1], days[-1]))
    top = max([*values, *(p["high"] / divisor for p in band)])
    if resource.get("limit"):
        _thresholds(ax, resource["limit"], divisor, right)
        top = max(top, resource["limit"] / divisor)
    ax.set_xlim(float(days[0]), right)
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    ax.set_ylabel(label)
    locator = mdates.AutoDateLocator(maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    # Above the plot, where it can hide neither the thresholds nor the band.
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, borderaxespad=0.2)


def capacity_chart(resource: dict[str, Any]) -> str:
    """The chart as SVG text, or an empty string for a resource without daily values."""
    if not resource.get("history"):
        return ""
    with figure(width=3.5, height=2.1) as (fig, ax):
        _draw(ax, resource)
        svg = to_svg(fig)
    return _FONT_FAMILY.sub(REPORT_FONTS, svg)


def capacity_chart_uri(resource: dict[str, Any]) -> str:
    """The chart as a ``data:`` URL for an ``<img>``, or an empty string without a chart.

    An image, not inline ``<svg>``: WeasyPrint reads the style attributes of inline SVG as
    HTML CSS and logs every SVG property as unknown (C18 treats its warnings as errors), and
    each chart keeps its own ids.
    """
    svg = capacity_chart(resource)
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
