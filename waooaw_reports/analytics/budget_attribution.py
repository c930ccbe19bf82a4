"""Error-budget attribution: how much of the period's API error budget each incident spent.

The period's budget, in requests, is (1 − objective) × the period's requests. An incident's
window runs from its start to its resolution, or to the as-of instant while it is open, cut at
the period's end (requests after it belong to the next period's budget). Its share is the bad
requests of that window over the budget. Incidents that overlap share those requests, so their
shares can add up to more than the union, which is given separately along with what was spent
outside every incident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from waooaw_reports.periods import Period


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def incident_window(
    started_at: dt.datetime, resolved_at: dt.datetime | None, period: Period, as_of: dt.datetime
) -> Window:
    """From the start to the resolution (or the as-of instant), at most to the period's end."""
    end = min(resolved_at or as_of, as_of, period.end)
    return Window(started_at, max(end, started_at))


def merged(windows: Sequence[Window]) -> list[Window]:
    """The union of ``windows`` as disjoint windows in time order (touching ones join)."""
    union: list[Window] = []
    for window in sorted(windows, key=lambda w: (w.start, w.end)):
        if window.seconds <= 0:
            continue
        if union and window.start <= union[-1].end:
            last = union.pop()
            window = Window(last.start, max(last.end, window.end))
        union.append(window)
    return union


def _share(requests: float | None, budget: float | None) -> float | None:
    if requests is None or not budget:
        return None
    return requests / budget


def attribute_budget(measured: dict[str, Any]) -> dict[str, Any]:
    """Shares of the budget from the counts ``incident_measurements`` read.

    ``measured`` holds the SLO's ``objective``, the period's ``total`` and ``bad`` requests,
    one entry per incident with its ``bad`` requests, and the ``union`` windows with theirs.
    A period without requests, or an objective of 1, has no budget: every share is null.
    """
    objective, total = measured["objective"], measured["total"]
    budget = None if total is None or objective is None else (1 - objective) * total
    union = None
    if measured["union"] is not None:
        union = sum(window["bad"] for window in measured["union"])
    outside = None
    if union is not None and measured["bad"] is not None:
        outside = max(measured["bad"] - union, 0.0)
    return {
        "slo": measured["slo"],
        "objective": objective,
        "total_requests": total,
        "budget_requests": budget or None,
        "bad_requests": measured["bad"],
        "consumed": _share(measured["bad"], budget),
        "incident_requests": union,
        "incident_share": _share(union, budget),
        "outside_incidents_requests": outside,
        "outside_incidents_share": _share(outside, budget),
        "items": {
            item["id"]: {
                "window_start": item["start"],
                "window_end": item["end"],
                "bad_requests": item["bad"],
                "share": _share(item["bad"], budget),
                "query": item["query"],
            }
            for item in measured["incidents"]
        },
        "query": measured["query"],
    }
