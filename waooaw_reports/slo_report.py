"""The ``slos`` entries of report.json: DESIGN §6's fields first, then the budget over time.

Pure functions: measured counts (``slo_measurements``) and the period in, plain data out.
Each entry keeps the contract's fields (name, objective, good, total, sli,
error_budget_consumed, error_budget_remaining, burn_rate, downtime_minutes,
allowed_downtime_minutes, status, query) and adds:

- ``maintenance_excluded``: what the maintenance windows took out of good and total, each
  window's part with its queries (every span below carries its own);
- ``rolling_28d`` and ``last_7d``: the same figures over the 28 and 7 days ending with the
  period, and ``runway``, computed from them;
- ``history``: the same figures for the periods before (four weeks, or two months);
- ``burn_down`` and ``review`` for a monthly audit, null for a weekly review.
"""

from __future__ import annotations

from typing import Any

from waooaw_reports.analytics.error_budget import DAY_SECONDS, burn_down, review, runway
from waooaw_reports.analytics.slo import slo_figures
from waooaw_reports.maintenance import MaintenanceWindow, clip
from waooaw_reports.periods import Period, format_time

# The figures a span repeats from the period's entry, without name, objective and query.
SPAN_FIELDS = (
    "good",
    "total",
    "sli",
    "error_budget_consumed",
    "error_budget_remaining",
    "burn_rate",
    "downtime_minutes",
    "allowed_downtime_minutes",
    "status",
)


def _figures(measured: dict[str, Any], span: dict[str, Any]) -> dict[str, Any]:
    """DESIGN §6 figures of one span; downtime only where it was measured (the period and the
    rolling 28 days of a time-based SLO)."""
    return slo_figures(
        measured["name"],
        measured["objective"],
        span["good"],
        span["total"],
        span["downtime_minutes"],
        span["minutes"],
        measured["time_based"] and "downtime" in span["query"],
    )


def _span(measured: dict[str, Any], span: dict[str, Any], timezone: str) -> dict[str, Any]:
    figures = _figures(measured, span)
    return {
        "start": format_time(span["start"], timezone),
        "end": format_time(span["end"], timezone),
        **{name: figures[name] for name in SPAN_FIELDS},
        "query": span["query"],
        "maintenance_excluded": _excluded(span, timezone),
    }


def _excluded(span: dict[str, Any], timezone: str) -> dict[str, Any]:
    excluded = span["excluded"]
    return {
        "good": excluded["good"],
        "total": excluded["total"],
        "bad": max(excluded["total"] - excluded["good"], 0.0),
        "downtime_minutes": excluded["downtime_minutes"],
        "parts": [
            {
                "start": format_time(part["start"], timezone),
                "end": format_time(part["end"], timezone),
                "good": part["good"],
                "total": part["total"],
                "downtime_minutes": part["downtime_minutes"],
                "query": part["query"],
            }
            for part in span["excluded_parts"]
        ],
    }


def _runway(
    rolling: dict[str, Any], recent: dict[str, Any], measured: dict[str, Any], period: Period
) -> dict[str, Any]:
    rolling_days = measured["rolling_28d"]["minutes"] * 60 / DAY_SECONDS
    figures = runway(
        rolling["error_budget_remaining"], rolling_days, recent["burn_rate"], period.end
    )
    runs_out_at = figures["runs_out_at"]
    return {
        **figures,
        "runs_out_at": None if runs_out_at is None else format_time(runs_out_at, period.timezone),
        "burn_rate_7d": recent["burn_rate"],
        "error_budget_remaining_28d": rolling["error_budget_remaining"],
    }


def _burn_down(measured: dict[str, Any], period: Period) -> list[dict[str, Any]] | None:
    if measured["burn_down"] is None:
        return None
    main = measured["period"]
    line = burn_down(
        measured["name"],
        measured["objective"],
        main["total"],
        period.start,
        period.end,
        [(point["end"], point["good"], point["total"]) for point in measured["burn_down"]],
    )
    if line is None:
        return None
    # The start has nothing elapsed; each day end is one instant query over the month so far.
    queries = [None, *(point["query"] for point in measured["burn_down"])]
    return [
        {**point, "at": format_time(point["at"], period.timezone), "query": query}
        for point, query in zip(line, queries, strict=True)
    ]


def slo_entry(measured: dict[str, Any], period: Period) -> dict[str, Any]:
    timezone = period.timezone
    main = measured["period"]
    rolling = _span(measured, measured["rolling_28d"], timezone)
    recent = _span(measured, measured["last_7d"], timezone)
    history = [
        {"key": before["key"], **_span(measured, before, timezone)}
        for before in measured["history"]
    ]
    entry = {
        **_figures(measured, main),
        "query": main["query"],
        "description": measured["description"],
        "kind": measured["kind"],
        "time_based": measured["time_based"],
        "maintenance_excluded": _excluded(main, timezone),
        "rolling_28d": rolling,
        "last_7d": recent,
        "runway": _runway(rolling, recent, measured, period),
        "history": history,
        "burn_down": _burn_down(measured, period),
        "review": None,
    }
    if period.kind == "monthly":
        months = [*history, {"key": period.key, **entry}]
        entry["review"] = {
            **review(months),
            "months": [
                {
                    "key": month["key"],
                    "sli": month["sli"],
                    "error_budget_remaining": month["error_budget_remaining"],
                    "status": month["status"],
                }
                for month in months
            ],
        }
    return entry


def slo_entries(measured: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    return [slo_entry(item, period) for item in measured]


def maintenance_in_period(
    windows: tuple[MaintenanceWindow, ...] | list[MaintenanceWindow], period: Period
) -> list[dict[str, Any]]:
    """The configured windows that touch the period, with the minutes of each inside it."""
    touching = []
    for window in windows:
        inside = clip([window], period.start, period.end)
        if inside:
            start, end = inside[0]
            touching.append(
                {
                    **window.as_json(period.timezone),
                    "minutes_in_period": (end - start).total_seconds() / 60,
                }
            )
    return touching
