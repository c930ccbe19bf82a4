"""Incident records for the demo's outages, with the dirt real incident tables carry.

Every outage of the schedule becomes one ``incidents`` row whose ``started_at`` is the outage
start and ``mitigated_at`` its end. On top of that, as in a real table (DESIGN §3.2, case C13):
severities in several spellings, one incident stored twice, one acknowledged before it was
detected, one with a severity nobody defined, one title holding HTML, one missing post-mortem,
and one incident still open at the end of the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from waooaw_reports.demo.schedule import Outage, Schedule, stream_rng

Row = dict[str, Any]

SPELLINGS = {
    "P0": ("critical", "P0", "SEV-0", "sev0"),
    "P1": ("P1", "high", " P1 ", "sev-1"),
    "P2": ("sev-2", "P2", "medium", "p2"),
    "P3": (" p3 ", "low", "P3", "SEV 3"),
}
UNKNOWN_SEVERITY = "urgent"
HTML_TITLE = 'DB failover <script>alert(1)</script> & "quotes"'
TITLES = {
    "api-gateway": (
        "Elevated 5xx on api-gateway",
        "api-gateway returning 503 under load",
        "Goal API errors after deploy",
        "Deliverables endpoint failing",
    ),
    "agent-runtime": (
        "Agent runs failing: worker pool exhausted",
        "agent-runtime 5xx spike",
        "Agent runs timing out",
    ),
    "auth-service": (
        "Login errors from auth-service",
        "auth-service token cache outage",
        "Customers unable to log in",
    ),
}
POSTMORTEM_URL = "https://wiki.waooaw.example/postmortems/{}"
# Severity -> (fewest, most) minutes from detection to acknowledgement.
ACK_MINUTES = {"P0": (2, 12), "P1": (4, 35), "P2": (10, 120), "P3": (30, 1200)}
# Severity -> (fewest, most) hours from mitigation to resolution.
RESOLVE_HOURS = {"P0": (0.5, 3.0), "P1": (2.0, 20.0), "P2": (4.0, 48.0), "P3": (24.0, 240.0)}


def naive_utc(instant: dt.datetime | None) -> dt.datetime | None:
    """Timestamps are stored without a zone and mean UTC."""
    return None if instant is None else instant.astimezone(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class _Dirt:
    """Which outages get which defect; chosen from the schedule alone."""

    html_title: str
    duplicated: str
    acknowledged_early: str
    unknown_severity: str
    no_postmortem: str


def _choose_dirt(schedule: Schedule) -> _Dirt:
    """The last complete week keeps the HTML title and the duplicate; the rest of the last
    complete month gets the missing post-mortem and the two rejected rows."""
    week, month = schedule.last_week, schedule.last_month
    in_week = [o for o in schedule.outages if week.start <= o.start < week.end]
    in_month = [o for o in schedule.outages if month.start <= o.start < month.end]
    month_only = [o for o in in_month if o not in in_week]

    majors = [o for o in month_only + in_month if o.severity in ("P0", "P1")]
    no_postmortem = (majors or month_only)[0]
    others = [o for o in month_only if o is not no_postmortem]
    minors = [o for o in others if o.severity in ("P2", "P3")]
    if len(minors) < 2:
        minors += [o for o in others if o not in minors]
    return _Dirt(
        html_title=next(o for o in in_week if o.night).incident_id,
        duplicated=next(o for o in in_week if not o.night).incident_id,
        acknowledged_early=minors[0].incident_id,
        unknown_severity=minors[-1].incident_id,
        no_postmortem=no_postmortem.incident_id,
    )


def _minutes(rng: np.random.Generator, bounds: tuple[float, float]) -> dt.timedelta:
    return dt.timedelta(seconds=round(float(rng.uniform(*bounds)) * 60))


def _incident(
    outage: Outage, schedule: Schedule, dirt: _Dirt, rng: np.random.Generator, spelling: str
) -> Row:
    detected = outage.start + outage.detection_delay
    acknowledged = detected + _minutes(rng, ACK_MINUTES[outage.severity])
    if outage.incident_id == dirt.acknowledged_early:
        acknowledged = detected - dt.timedelta(seconds=30)
    hours = RESOLVE_HOURS[outage.severity]
    closed = outage.end + _minutes(rng, (hours[0] * 60, hours[1] * 60))
    resolved: dt.datetime | None = min(closed, schedule.end - dt.timedelta(hours=2))
    if outage.incident_id == schedule.open_incident_id:
        resolved = None

    postmortem = None
    if resolved is not None and outage.severity in ("P0", "P1"):
        postmortem = resolved + _minutes(rng, (1 * 1440, 5 * 1440))
        if postmortem > schedule.end or outage.incident_id == dirt.no_postmortem:
            postmortem = None

    title = str(rng.choice(TITLES[outage.service]))
    if outage.incident_id == dirt.html_title:
        title = HTML_TITLE
    return {
        "id": outage.incident_id,
        "title": title,
        "severity": UNKNOWN_SEVERITY if outage.incident_id == dirt.unknown_severity else spelling,
        "service": outage.service,
        "started_at": naive_utc(outage.start),
        "detected_at": naive_utc(detected),
        "acknowledged_at": naive_utc(acknowledged),
        "mitigated_at": naive_utc(outage.end),
        "resolved_at": naive_utc(resolved),
        "postmortem_completed_at": naive_utc(postmortem),
        "postmortem_url": POSTMORTEM_URL.format(outage.incident_id) if postmortem else None,
    }


def _spellings(outages: tuple[Outage, ...]) -> Iterator[str]:
    """Each severity cycles through its spellings, so all of them appear."""
    seen: dict[str, int] = {}
    for outage in outages:
        count = seen.get(outage.severity, 0)
        seen[outage.severity] = count + 1
        yield SPELLINGS[outage.severity][count % len(SPELLINGS[outage.severity])]


def incident_rows(schedule: Schedule) -> list[Row]:
    """One row per outage, in start order, plus the second copy of one incident."""
    rng = stream_rng(schedule.end, "incidents")
    dirt = _choose_dirt(schedule)
    rows = [
        _incident(outage, schedule, dirt, rng, spelling)
        for outage, spelling in zip(schedule.outages, _spellings(schedule.outages), strict=True)
    ]

    original = next(row for row in rows if row["id"] == dirt.duplicated)
    copy = dict(original)
    copy["id"] = f"INC-{int(rows[-1]['id'].split('-')[1]) + 1:04d}"
    copy["title"] = f"  {original['title'].upper()} "
    if original["resolved_at"] is not None:
        copy["resolved_at"] = original["resolved_at"] + dt.timedelta(minutes=20)
    rows.append(copy)
    return rows
