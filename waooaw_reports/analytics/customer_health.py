"""Customer health: trial conversion, churn, support tickets, satisfaction, agent utilisation.

Pure functions over plain rows (times aware UTC); the period and the as-of instant are passed
in. Rows that contradict themselves are left out of every figure and listed with the reason,
as incidents are (DESIGN §3.2).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from waooaw_reports.analytics.slo import Status, metric_status, worst_status
from waooaw_reports.periods import Period

Row = dict[str, Any]

# DESIGN §5: trial_conversion_rate and customer_satisfaction.
TRIAL_TARGET, TRIAL_ALERT = 0.30, 0.20
CSAT_TARGET = 4.5
SCORES = (1, 2, 3, 4, 5)
# Priorities in the order a support lead reads them; others follow alphabetically.
PRIORITY_ORDER = ("urgent", "high", "normal", "medium", "low")


def _reject(row: Row, table: str, reason: str) -> dict[str, str]:
    key = row.get("id", row.get("customer_id"))
    return {"table": table, "id": str(key), "reason": reason}


def trial_conversion(trials: list[Row], period: Period, as_of: dt.datetime) -> dict[str, Any]:
    """Converted trials of those whose trial ended in the period (DESIGN §5).

    A conversion counts once it is recorded before the as-of instant, so a rerun with the
    same as-of reads the same.
    """
    rejected, ended = [], []
    for row in trials:
        if not period.start <= row["ends_at"] < period.end:
            continue
        if row["ends_at"] < row["started_at"]:
            rejected.append(_reject(row, "trials", "ends_at is before started_at"))
        elif row["converted_at"] is not None and row["converted_at"] < row["started_at"]:
            rejected.append(_reject(row, "trials", "converted_at is before started_at"))
        else:
            ended.append(row)
    converted = sum(
        row["converted_at"] is not None and row["converted_at"] < as_of for row in ended
    )
    rate = converted / len(ended) if ended else None
    return {
        "ended": len(ended),
        "converted": converted,
        "rate": rate,
        "target": TRIAL_TARGET,
        "alert_threshold": TRIAL_ALERT,
        "status": metric_status(rate, TRIAL_TARGET, TRIAL_ALERT, "higher"),
        "rejected": rejected,
    }


def _valid_subscriptions(subscriptions: list[Row]) -> tuple[list[Row], list[dict[str, str]]]:
    valid, rejected = [], []
    for row in subscriptions:
        if row["started_at"] is None:
            rejected.append(_reject(row, "subscriptions", "started_at is missing"))
        elif row["cancelled_at"] is not None and row["cancelled_at"] < row["started_at"]:
            rejected.append(_reject(row, "subscriptions", "cancelled_at is before started_at"))
        elif not isinstance(row["agents"], int) or row["agents"] < 0:
            rejected.append(
                _reject(row, "subscriptions", f"agents {row['agents']!r} is not a count")
            )
        else:
            valid.append(row)
    return valid, rejected


def _active_at(row: Row, instant: dt.datetime) -> bool:
    """Whether the subscription holds at ``instant``: begun, and not cancelled by then."""
    return row["started_at"] <= instant and (
        row["cancelled_at"] is None or row["cancelled_at"] > instant
    )


def _held_at_end(row: Row, end: dt.datetime) -> bool:
    """Whether the subscription is still held when the period ends (``end`` is exclusive)."""
    return row["started_at"] < end and (row["cancelled_at"] is None or row["cancelled_at"] >= end)


def churn(subscriptions: list[Row], period: Period) -> dict[str, Any]:
    """Customers who held a subscription at the period start and none at its end.

    A customer who cancels one plan and takes another (or comes back) within the period has
    not churned. The rate is churned / customers at the start.
    """
    valid, rejected = _valid_subscriptions(subscriptions)
    at_start = {row["customer_id"] for row in valid if _active_at(row, period.start)}
    at_end = {row["customer_id"] for row in valid if _held_at_end(row, period.end)}
    churned = at_start - at_end
    last_plan: dict[str, str] = {}
    for row in sorted(valid, key=lambda r: r["started_at"]):
        if row["customer_id"] in churned and row["started_at"] < period.end:
            last_plan[row["customer_id"]] = str(row["plan"])
    return {
        "customers_at_start": len(at_start),
        "customers_at_end": len(at_end),
        "churned": len(churned),
        "gained": len(at_end - at_start),
        "rate": len(churned) / len(at_start) if at_start else None,
        "churned_by_plan": dict(sorted(Counter(last_plan.values()).items())),
        "rejected": rejected,
    }


def _served(valid: list[Row], period: Period) -> set[str]:
    """Customers who held a subscription at some moment of the period."""
    return {
        row["customer_id"]
        for row in valid
        if row["started_at"] < period.end
        and (row["cancelled_at"] is None or row["cancelled_at"] > period.start)
    }


def _priority_key(priority: str) -> tuple[int, str]:
    order = PRIORITY_ORDER.index(priority) if priority in PRIORITY_ORDER else len(PRIORITY_ORDER)
    return order, priority


def _median_hours(durations: list[dt.timedelta]) -> float | None:
    if not durations:
        return None
    return statistics.median(d.total_seconds() / 3600 for d in durations)


def support_tickets(
    tickets: list[Row], subscriptions: list[Row], period: Period, as_of: dt.datetime
) -> dict[str, Any]:
    """Tickets created in the period by priority and category, resolved as of ``as_of``.

    Priorities and categories are read trimmed and lower-cased. ``status`` is the ticket's
    current workflow state, so it is not used: resolution is ``resolved_at`` by the as-of.
    The rate per 100 customers divides by the customers served in the period.
    """
    rejected, counted = [], []
    for row in tickets:
        if not period.start <= row["created_at"] < period.end:
            continue
        if row["resolved_at"] is not None and row["resolved_at"] < row["created_at"]:
            rejected.append(_reject(row, "support_tickets", "resolved_at is before created_at"))
        else:
            counted.append(row)

    by_priority: dict[str, list[Row]] = {}
    for row in counted:
        by_priority.setdefault(str(row["priority"]).strip().lower(), []).append(row)
    priorities = []
    for priority in sorted(by_priority, key=_priority_key):
        rows = by_priority[priority]
        resolved = [
            row["resolved_at"] - row["created_at"]
            for row in rows
            if row["resolved_at"] is not None and row["resolved_at"] <= as_of
        ]
        priorities.append(
            {
                "priority": priority,
                "count": len(rows),
                "resolved": len(resolved),
                "open": len(rows) - len(resolved),
                "median_hours_to_resolve": _median_hours(resolved),
            }
        )
    categories = Counter(str(row["category"]).strip().lower() for row in counted)
    customers = len(_served(_valid_subscriptions(subscriptions)[0], period))
    return {
        "total": len(counted),
        "open": sum(p["open"] for p in priorities),
        "by_priority": priorities,
        "by_category": [
            {"category": category, "count": count}
            for category, count in sorted(categories.items(), key=lambda c: (-c[1], c[0]))
        ],
        "customers_served": customers,
        "per_100_customers": 100 * len(counted) / customers if customers else None,
        "rejected": rejected,
    }


def _score(value: Any) -> int | None:
    """A CSAT score as a whole number from 1 to 5, or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value == int(value) and int(value) in SCORES else None


def satisfaction(responses: list[Row], period: Period) -> dict[str, Any]:
    """Mean CSAT score and its distribution over the answers submitted in the period."""
    scores, rejected = [], []
    for row in responses:
        if not period.start <= row["submitted_at"] < period.end:
            continue
        score = _score(row["score"])
        if score is None:
            rejected.append(_reject(row, "csat_responses", f"score {row['score']!r} is not 1 to 5"))
        else:
            scores.append(score)
    counts = Counter(scores)
    average = statistics.fmean(scores) if scores else None
    return {
        "responses": len(scores),
        "average": average,
        "distribution": {str(score): counts.get(score, 0) for score in SCORES},
        "satisfied_share": (counts[4] + counts[5]) / len(scores) if scores else None,
        "target": CSAT_TARGET,
        "status": metric_status(average, CSAT_TARGET, None, "higher"),
        "rejected": rejected,
    }


def agent_utilisation(
    active_agents_mean: float | None, subscriptions: list[Row], period: Period
) -> dict[str, Any]:
    """Mean active agents (the ``active_agents`` gauge) over mean agents hired.

    Hired agents are the ``agents`` of the subscriptions held, weighted by the share of the
    period each was held, so a plan changed mid-month counts for its part of the month.
    """
    valid, _ = _valid_subscriptions(subscriptions)
    hired_seconds = 0.0
    for row in valid:
        start = max(row["started_at"], period.start)
        end = min(row["cancelled_at"] or period.end, period.end)
        if end > start:
            hired_seconds += row["agents"] * (end - start).total_seconds()
    hired = hired_seconds / period.seconds if valid else None
    return {
        "active_agents_mean": active_agents_mean,
        "hired_agents_mean": hired,
        "hired_agents_at_end": sum(r["agents"] for r in valid if _held_at_end(r, period.end))
        if valid
        else None,
        "utilisation": (
            active_agents_mean / hired if active_agents_mean is not None and hired else None
        ),
    }


def _figures(
    records: dict[str, Any], active_agents_mean: float | None, period: Period, as_of: dt.datetime
) -> dict[str, dict[str, Any]]:
    subscriptions = records["subscriptions"]
    return {
        "trial_conversion": trial_conversion(records["trials"], period, as_of),
        "churn": churn(subscriptions, period),
        "support_tickets": support_tickets(
            records["support_tickets"], subscriptions, period, as_of
        ),
        "satisfaction": satisfaction(records["csat_responses"], period),
        "agent_utilisation": agent_utilisation(active_agents_mean, subscriptions, period),
    }


# The figure each part compares with the period before.
HEADLINES = {
    "trial_conversion": "rate",
    "churn": "rate",
    "support_tickets": "total",
    "satisfaction": "average",
    "agent_utilisation": "utilisation",
}


def customer_health(
    records: dict[str, Any],
    active_agents_mean: float | None,
    period: Period,
    as_of: dt.datetime,
    previous_active_agents_mean: float | None = None,
) -> dict[str, Any]:
    """report.json's ``customer_health`` section, each part with its headline figure for the
    period before (``previous``); ``records`` must cover both periods. The status judges the
    figures with targets (trial conversion and satisfaction)."""
    now = _figures(records, active_agents_mean, period, as_of)
    before = _figures(records, previous_active_agents_mean, period.previous(), as_of)
    for name, headline in HEADLINES.items():
        now[name]["previous"] = before[name][headline]

    tickets, tickets_before = now["support_tickets"], before["support_tickets"]
    counts_before = {row["category"]: row["count"] for row in tickets_before["by_category"]}
    for row in tickets["by_category"]:
        row["previous"] = counts_before.pop(row["category"], 0)
    tickets["by_category"] += [
        {"category": category, "count": 0, "previous": count}
        for category, count in counts_before.items()
    ]
    rejected = [
        row
        for part in ("trial_conversion", "churn", "support_tickets", "satisfaction")
        for row in now[part]["rejected"]
    ]
    statuses: list[Status] = [now["trial_conversion"]["status"], now["satisfaction"]["status"]]
    return {
        **now,
        "rejected": rejected + records.get("unreadable", []),
        "status": worst_status(statuses),
    }


def customer_health_area(health: dict[str, Any]) -> dict[str, str]:
    """The summary page's row for customer health."""
    trials, csat = health["trial_conversion"], health["satisfaction"]
    churned, tickets = health["churn"], health["support_tickets"]
    parts = [
        "trial conversion: no trials ended"
        if trials["rate"] is None
        else f"trial conversion {trials['rate']:.1%}",
        "churn: no customers" if churned["rate"] is None else f"churn {churned['rate']:.1%}",
        f"{tickets['total']} support ticket(s)",
        "CSAT: no answers" if csat["average"] is None else f"CSAT {csat['average']:.2f} of 5",
    ]
    return {"name": "Customer health", "status": health["status"], "summary": ", ".join(parts)}


def customer_health_attention(health: dict[str, Any]) -> list[tuple[int, str]]:
    """Items for the summary's "needs attention" list, with the rank report.py orders by."""
    ranked: list[tuple[int, str]] = []
    trials, csat = health["trial_conversion"], health["satisfaction"]
    if trials["status"] in ("breached", "at_risk"):
        rank = 3 if trials["status"] == "breached" else 5
        ranked.append(
            (rank, f"Trial conversion {trials['rate']:.1%}, target {trials['target']:.0%}")
        )
    if csat["status"] == "at_risk":
        ranked.append(
            (5, f"Customer satisfaction {csat['average']:.2f} of 5, target {csat['target']}")
        )
    return ranked
