"""Jinja filters that turn report.json values into the words and numbers a reader sees.

Every filter accepts ``None`` and shows it as "n/a": a figure that could not be computed is
said to be missing, never printed as 0 or left blank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MISSING = "n/a"
MINUS = "\u2212"
# Between a number and its unit, so that a narrow column never splits "99.9 %".
NBSP = "\u00a0"
BYTES_PER_GB = 1_000_000_000
BYTES_PER_MB = 1_000_000

STATUS_LABELS = {
    "met": "Met",
    "at_risk": "At risk",
    "breached": "Breached",
    "no_data": "No data",
}
# Icons keep the statuses apart in greyscale print, where the colours look alike.
STATUS_ICONS = {
    "met": "\u2714",  # heavy check mark
    "at_risk": "\u25b2",  # black up-pointing triangle
    "breached": "\u2716",  # heavy multiplication x
    "no_data": "\u25cb",  # white circle
}
VERDICT_LABELS = {
    "ok": "OK",
    "watch": "Watch",
    "act_now": "Act now",
    "not_growing": "Not growing",
    "no_significant_trend": "No significant trend",
    "already_above": "Above target",
    "insufficient_data": "Insufficient data",
}
# The status a capacity verdict is shown with, so the badges read the same everywhere.
VERDICT_STATUS = {
    "ok": "met",
    "watch": "at_risk",
    "act_now": "breached",
    "not_growing": "met",
    "no_significant_trend": "met",
    "already_above": "breached",
    "insufficient_data": "no_data",
}


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[status]
    except KeyError:
        raise ValueError(
            f"Status {status!r} is unknown; expected one of {', '.join(STATUS_LABELS)}."
        ) from None


def status_icon(status: str) -> str:
    status_label(status)
    return STATUS_ICONS[status]


def verdict_label(verdict: str) -> str:
    try:
        return VERDICT_LABELS[verdict]
    except KeyError:
        raise ValueError(
            f"Capacity verdict {verdict!r} is unknown; expected one of {', '.join(VERDICT_LABELS)}."
        ) from None


def verdict_status(verdict: str) -> str:
    verdict_label(verdict)
    return VERDICT_STATUS[verdict]


def whole(value: float | None) -> str:
    """A count as a whole number, halves rounded away from zero (C02: see the appendix)."""
    if value is None:
        return MISSING
    rounded = Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{int(rounded):,}"


def number(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return MISSING
    return f"{value:,.{decimals}f}"


def percent(value: float | None) -> str:
    """A fraction as a percentage; near 0 % and 100 % more digits keep small gaps visible."""
    if value is None:
        return MISSING
    decimals = 3 if abs(value) <= 0.01 or 0.99 <= abs(value) <= 1.01 else 1
    text = _trim_zeros(f"{abs(value) * 100:,.{decimals}f}")
    return f"{MINUS if value < 0 and text != '0' else ''}{text}{NBSP}%"


def seconds(value: float | None) -> str:
    if value is None:
        return MISSING
    if abs(value) < 1:
        return f"{value:.3f}{NBSP}s"
    if abs(value) < 100:
        return f"{value:.1f}{NBSP}s"
    text = f"{value:,.0f}{NBSP}s"
    if abs(value) >= 3600:
        text += f" ({value / 3600:.1f}{NBSP}h)"
    return text


def minutes(value: float | None) -> str:
    if value is None:
        return MISSING
    text = f"{value:,.1f}{NBSP}min"
    if abs(value) >= 120:
        text += f" ({value / 60:.1f}{NBSP}h)"
    return text


def gigabytes(value: float | None) -> str:
    if value is None:
        return MISSING
    return f"{value / BYTES_PER_GB:,.1f}{NBSP}GB"


def days(value: float | None) -> str:
    """Whole days, rounded down: the fitted line gets there within that day."""
    if value is None:
        return MISSING
    if value <= 0:
        return "passed"
    count = int(value)
    return (
        f"under{NBSP}1{NBSP}day" if count == 0 else f"{count:,}{NBSP}day{'s' if count != 1 else ''}"
    )


UNIT_FORMATS: dict[str, Callable[[float | None], str]] = {
    "ratio": percent,
    "seconds": seconds,
    "per_minute": lambda value: MISSING if value is None else f"{value:,.1f}{NBSP}/min",
    "count": whole,
    "score": lambda value: MISSING if value is None else f"{value:.2f}{NBSP}of{NBSP}5",
    "bytes": gigabytes,
}


def by_unit(value: float | None, unit: str) -> str:
    """A catalog value in its unit (DESIGN §5: ratio, seconds, per_minute, count, score, bytes)."""
    try:
        formatter = UNIT_FORMATS[unit]
    except KeyError:
        raise ValueError(
            f"Unit {unit!r} is unknown; expected one of {', '.join(UNIT_FORMATS)}."
        ) from None
    return formatter(value)


def change(value: float | None, unit: str) -> str:
    """A signed difference; ratios change by percentage points."""
    if value is None:
        return MISSING
    if value == 0:
        return "no change"
    sign = "+" if value > 0 else MINUS
    size = abs(value)
    if unit == "ratio":
        decimals = 3 if size < 0.001 else 2
        return f"{sign}{size * 100:.{decimals}f}{NBSP}pp"
    if unit == "score":
        return f"{sign}{size:.2f}"
    return sign + by_unit(size, unit)


def local_time(text: str | None) -> str:
    """A report timestamp (already in the report's zone) as ``YYYY-MM-DD HH:MM``."""
    if text is None:
        return MISSING
    return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")


def period_text(period: dict[str, str]) -> str:
    start = local_time(period["start"])
    end = local_time(period["end"])
    return f"{start} \u2013 {end} {period['timezone']}"


def metric_label(name: str) -> str:
    """``integration_success:linkedin`` reads as "Integration success: linkedin"."""
    base, _, qualifier = name.partition(":")
    label = base.replace("_", " ").capitalize()
    label = label.replace("Api ", "API ").replace(" p95", " P95").replace(" 5xx", " 5xx")
    return f"{label}: {qualifier}" if qualifier else label


def detail_label(name: str) -> str:
    """``minutes_older_than_3_min`` reads as "Minutes older than 3 min"."""
    return name.replace("_", " ").capitalize()


def day_range(interval: list[float | None] | None) -> str:
    """The days-until interval of a capacity threshold, in whole days rounded down.

    Its start is where the prediction band's upper edge reaches the threshold, its end where
    the lower edge does; a lower edge that never gets there leaves the end open. Empty when
    there is nothing to add to the value: no interval, or both ends on the same day.
    """
    earliest, latest = interval if interval else (None, None)
    if earliest is None:
        return ""
    if latest is None:
        return f"{int(earliest):,}{NBSP}days or later" if earliest > 0 else "any time"
    if int(earliest) == int(latest):
        return ""
    start = "now" if earliest <= 0 else f"{int(earliest):,}"
    return f"{start} to {int(latest):,}{NBSP}days"


def capacity_value(value: float | None, resource: dict[str, Any], signed: bool = False) -> str:
    """Pools are fractions of their size; every other resource is measured in bytes."""
    unit = resource.get("unit") or (
        "ratio" if resource["resource"].startswith("connection_pool:") else "bytes"
    )
    if unit == "bytes" and value is not None and 0 < abs(value) < BYTES_PER_GB / 10:
        # A small volume's growth of 13 MB a day is not "+0.0 GB".
        text = f"{abs(value) / BYTES_PER_MB:,.1f}{NBSP}MB"
        if value < 0:
            return MINUS + text
        return "+" + text if signed else text
    return change(value, unit) if signed else by_unit(value, unit)


def _trim_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


FILTERS: dict[str, Callable[..., str]] = {
    "status_label": status_label,
    "status_icon": status_icon,
    "verdict_label": verdict_label,
    "verdict_status": verdict_status,
    "whole": whole,
    "number": number,
    "percent": percent,
    "seconds": seconds,
    "minutes": minutes,
    "gigabytes": gigabytes,
    "days": days,
    "by_unit": by_unit,
    "change": change,
    "local_time": local_time,
    "period_text": period_text,
    "metric_label": metric_label,
    "detail_label": detail_label,
    "capacity_value": capacity_value,
    "day_range": day_range,
}
