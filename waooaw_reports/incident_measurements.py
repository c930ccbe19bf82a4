"""What Prometheus knows about the incidents of a period: bad requests while each was open,
and the alerts that fired.

Counts follow DESIGN §5: one instant query at a window's end over the window's length, here one
per incident window and one per window of their union, plus the period's total and bad
requests. Alerts are read from Prometheus' own ``ALERTS`` series as the times of the firing
samples (``timestamp()``), with a range query whose step is the rule evaluation interval, so
that every evaluation is seen and a gap of one missed evaluation shows; a long range is split
so no query asks for more points than Prometheus serves (case C01).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from typing import Any

from waooaw_reports.analytics.budget_attribution import Window, incident_window, merged
from waooaw_reports.analytics.incidents import IncidentItem
from waooaw_reports.catalog import Catalog, SloSpec
from waooaw_reports.measurements import count_query
from waooaw_reports.periods import Period, format_time
from waooaw_reports.sources.prometheus import MAX_RANGE_POINTS, PrometheusClient, choose_step

log = logging.getLogger(__name__)

API_SLO = "api_availability"
FIRING_QUERY = 'timestamp(ALERTS{alertstate="firing"})'
# Alerts are read from this long before the period, so an episode under way at its start is
# seen to have begun earlier and is not counted as fired in the period.
ALERTS_BEFORE = dt.timedelta(hours=1)


def _range(seconds: float) -> str:
    """A PromQL duration: whole seconds, or milliseconds for a window with a fraction."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def _selector_count(client: PrometheusClient, selector: str, window: Window) -> tuple[float, str]:
    """``sum(increase(selector[window]))`` at the window's end; no series at all counts 0."""
    query = f"sum(increase({selector}[{_range(window.seconds)}]))"
    samples = client.instant(query, window.end)
    value = samples[0].value if samples else 0.0
    return (0.0 if math.isnan(value) else value), query


def bad_requests(client: PrometheusClient, spec: SloSpec, window: Window) -> tuple[float, str]:
    """Bad requests of the SLO in ``window``: its failure series, or total less good."""
    if window.seconds < 0.001:  # PromQL durations stop at milliseconds
        return 0.0, ""
    if spec.bad is not None:
        return _selector_count(client, spec.bad, window)
    assert spec.good is not None
    total, total_query = _selector_count(client, spec.total, window)
    good, good_query = _selector_count(client, spec.good, window)
    return max(total - good, 0.0), f"{total_query} - {good_query}"


def measure_budget_windows(
    client: PrometheusClient,
    catalog: Catalog,
    items: Sequence[IncidentItem],
    period: Period,
    as_of: dt.datetime,
) -> dict[str, Any]:
    """Requests of the period and bad requests in each incident's window and in their union."""
    spec = next((slo for slo in catalog.slos if slo.name == API_SLO), None)
    if spec is None:
        log.warning("No SLO named %s in the catalog: no error-budget attribution", API_SLO)
        return {
            "slo": None,
            "objective": None,
            "total": None,
            "bad": None,
            "incidents": [],
            "union": None,
            "query": {},
        }
    tz = period.timezone
    whole = Window(period.start, period.end)
    total_query = count_query(spec.total, period.seconds)
    samples = client.instant(total_query, period.end)
    total = samples[0].value if samples and not math.isnan(samples[0].value) else None
    period_bad, period_bad_query = bad_requests(client, spec, whole)

    windows = {
        item.id: incident_window(item.started_at, item.resolved_at, period, as_of) for item in items
    }
    incidents = []
    known: dict[tuple[dt.datetime, dt.datetime], float] = {}
    for incident_id, window in windows.items():
        bad, query = bad_requests(client, spec, window)
        known[(window.start, window.end)] = bad
        incidents.append(
            {
                "id": incident_id,
                "start": format_time(window.start, tz),
                "end": format_time(window.end, tz),
                "bad": bad,
                "query": query,
            }
        )
    union = []
    for window in merged(list(windows.values())):
        if (window.start, window.end) in known:
            union_bad = known[(window.start, window.end)]
        else:
            union_bad, _ = bad_requests(client, spec, window)
        union.append(
            {
                "start": format_time(window.start, tz),
                "end": format_time(window.end, tz),
                "bad": union_bad,
            }
        )
    log.info(
        "Read bad requests of %s in %d incident windows (%d in their union)",
        period.key,
        len(incidents),
        len(union),
    )
    return {
        "slo": spec.name,
        "objective": spec.objective,
        "total": total,
        "bad": period_bad,
        "incidents": incidents,
        "union": union,
        "query": {
            "total": total_query,
            "bad": period_bad_query,
        },
    }


def read_firing_alerts(
    client: PrometheusClient, start: dt.datetime, end: dt.datetime, interval_seconds: int
) -> dict[str, Any]:
    """Firing sample times per ``ALERTS`` label set from ``start`` to ``end``.

    The step is the evaluation interval (``choose_step`` keeps it when each piece of the range
    stays within Prometheus' point limit); between two steps at most one evaluation happens,
    so every sample's time is returned by the point after it. A range longer than the limit
    allows at that step is read in consecutive pieces.
    """
    piece = dt.timedelta(seconds=MAX_RANGE_POINTS * interval_seconds)
    times: dict[tuple[tuple[str, str], ...], set[float]] = {}
    queries = 0
    step = interval_seconds
    cursor = start
    while cursor < end:
        stop = min(cursor + piece, end)
        step = choose_step(cursor, stop, interval_seconds)
        for series in client.range(FIRING_QUERY, cursor, stop, step):
            key = tuple(sorted(series.labels.items()))
            times.setdefault(key, set()).update(
                value for _, value in series.points if not math.isnan(value)
            )
        queries += 1
        cursor = stop
    log.info(
        "Read %d firing alert series from %s to %s in %d queries",
        len(times),
        start.isoformat(),
        end.isoformat(),
        queries,
    )
    return {
        "series": [{"labels": dict(key), "times": sorted(seen)} for key, seen in times.items()],
        "query": FIRING_QUERY,
        "start": start,
        "end": end,
        "step_seconds": step,
        "queries": queries,
    }


def alerts_window(
    period: Period, as_of: dt.datetime, items: Sequence[IncidentItem], follow: dt.timedelta
) -> Window:
    """The alerts a report needs: from before the period to the follow window after it, and
    to the latest detection among its incidents; never past the as-of instant."""
    end = max([period.end + follow, *(item.detected_at for item in items)])
    return Window(period.start - ALERTS_BEFORE, min(end, as_of))


def measure_incident_telemetry(
    client: PrometheusClient,
    catalog: Catalog,
    items: Sequence[IncidentItem],
    period: Period,
    as_of: dt.datetime,
    evaluation_interval_seconds: int,
    follow_window_seconds: int,
) -> dict[str, Any]:
    """Everything the incidents section reads from Prometheus, for ``review_incidents``."""
    follow = dt.timedelta(seconds=follow_window_seconds)
    window = alerts_window(period, as_of, items, follow)
    return {
        "budget": measure_budget_windows(client, catalog, items, period, as_of),
        "alerts": read_firing_alerts(client, window.start, window.end, evaluation_interval_seconds),
        "evaluation_interval_seconds": evaluation_interval_seconds,
        "follow_window_seconds": follow_window_seconds,
    }
