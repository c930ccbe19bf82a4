"""The incidents section of report.json (DESIGN §6): the period's figures, their trend, and
what Prometheus adds (error-budget attribution, detection from alerts, alert noise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from waooaw_reports.analytics.alerts import alert_detections, alert_noise, firing_episodes
from waooaw_reports.analytics.budget_attribution import attribute_budget
from waooaw_reports.analytics.incident_trend import incident_trend
from waooaw_reports.analytics.incidents import BusinessHours, check_records, summarise_incidents
from waooaw_reports.periods import Period, format_time

_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def review_incidents(
    rows: Sequence[Mapping[str, Any]],
    period: Period,
    as_of: dt.datetime,
    business_hours: BusinessHours | None = None,
    telemetry: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The incidents section. ``rows`` may reach back before the period (for the trend and
    for incidents under way when an alert fired) and past it (by the follow window);
    ``telemetry`` is what ``incident_measurements`` read, or None without Prometheus."""
    summary = summarise_incidents(rows, period, as_of, business_hours)
    review = summary.as_json()
    review["trend"] = incident_trend(rows, period, as_of, business_hours)
    items = {item["id"]: item for item in review["items"]}
    for item in items.values():
        item.update(
            error_budget_window_end=None,
            error_budget_bad_requests=None,
            error_budget_share=None,
            error_budget_query=None,
            alertname=None,
            alerted_at=None,
            alert_detection_gap_minutes=None,
        )
    if telemetry is None:
        review.update(error_budget=None, alert_detection=None, alert_noise=None)
        return review

    budget = attribute_budget(telemetry["budget"])
    for incident_id, spent in budget.pop("items").items():
        items[incident_id].update(
            error_budget_window_end=spent["window_end"],
            error_budget_bad_requests=spent["bad_requests"],
            error_budget_share=spent["share"],
            error_budget_query=spent["query"],
        )

    alerts = telemetry["alerts"]
    interval = telemetry["evaluation_interval_seconds"]
    follow = dt.timedelta(seconds=telemetry["follow_window_seconds"])
    episodes = firing_episodes(((s["labels"], s["times"]) for s in alerts["series"]), interval)
    detection = alert_detections(summary.items, episodes, period.timezone)
    for incident_id, found in detection.pop("items").items():
        if found is not None:
            items[incident_id].update(
                alertname=found["alertname"],
                alerted_at=found["alerted_at"],
                alert_detection_gap_minutes=found["gap_minutes"],
            )

    # Incidents that can follow an alert of the period: any known by the as-of instant that
    # started before the follow window after the period ends.
    candidates = check_records(rows, _EARLIEST, period.end + follow, as_of, period.timezone)
    review.update(
        error_budget=budget,
        alert_detection=detection,
        alert_noise={
            **alert_noise(episodes, candidates.valid, period, follow),
            "evaluation_interval_seconds": interval,
            "query": {
                "alerts": alerts["query"],
                "read_from": format_time(alerts["start"], period.timezone),
                "read_to": format_time(alerts["end"], period.timezone),
                "step_seconds": alerts["step_seconds"],
            },
        },
    )
    return review
