"""Incident count and MTTR over the last periods: 8 weeks for the weekly review, 6 months for the
monthly audit, each period ending with the one reported.

Every period is measured exactly as the report measures its own (checked rows, copies folded,
started in the period, state as of the run's as-of instant), so the last point of the trend is
the report's own count and MTTR.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from waooaw_reports.analytics.incidents import (
    BusinessHours,
    IncidentFigures,
    check_records,
    measure_incidents,
)
from waooaw_reports.periods import Period, PeriodError

TREND_PERIODS = {"weekly": 8, "monthly": 6}


def trend_periods(period: Period, count: int | None = None) -> list[Period]:
    """``period`` and the ones before it, oldest first; none before the first partition."""
    wanted = TREND_PERIODS[period.kind] if count is None else count
    periods = [period]
    while len(periods) < wanted:
        try:
            periods.insert(0, periods[0].previous())
        except PeriodError:  # before the first partition
            break
    return periods


def incident_trend(
    rows: Iterable[Mapping[str, Any]],
    period: Period,
    as_of: dt.datetime,
    business_hours: BusinessHours | None = None,
    count: int | None = None,
) -> list[dict[str, Any]]:
    """Per period, oldest first: key, start, end, count, resolved count and MTTR in minutes
    (null when none of its incidents is resolved)."""
    periods = trend_periods(period, count)
    checked = check_records(rows, periods[0].start, period.end, as_of, period.timezone)
    hours = business_hours or BusinessHours()
    items = measure_incidents(checked.valid, as_of, hours, period.timezone)

    trend = []
    for each in periods:
        figures = IncidentFigures.of([i for i in items if each.start <= i.started_at < each.end])
        trend.append(
            {
                **each.as_json(),
                "count": figures.count,
                "open": figures.open,
                "resolved": figures.time_to_resolve.n,
                "mttr_minutes": figures.time_to_resolve.mean,
            }
        )
    return trend
