"""Incident figures of one period, read as of one instant (DESIGN §3.2, §5; §6 ``incidents``).

Rows go through four steps: keep those that started in the period and were known (detected)
by the as-of instant; reject contradictory rows with their reason (C13); fold copies of one
incident into one; then measure each incident as the records stood at the as-of instant.
Every mean, median and P90 is over the incidents that have the duration, and null when none
has it (C14). Percentiles use linear interpolation between order statistics (numpy's default).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from waooaw_reports.periods import Period, format_time, zone

log = logging.getLogger(__name__)

SEVERITIES = ("P0", "P1", "P2", "P3")
_SPELLINGS = {
    "P0": ("p0", "sev0", "critical"),
    "P1": ("p1", "sev1", "high"),
    "P2": ("p2", "sev2", "medium"),
    "P3": ("p3", "sev3", "low"),
}
_SEVERITY_OF = {spelling: sev for sev, spellings in _SPELLINGS.items() for spelling in spellings}

POSTMORTEM_SEVERITIES = frozenset({"P0", "P1"})
# The on-call rule: a page is acknowledged within five minutes of detection (wall clock).
ACKNOWLEDGEMENT_RULE = dt.timedelta(minutes=5)
# Playbook targets, measured from detection. P2 and P3 response run on business time.
RESPONSE_TARGETS = {"P0": dt.timedelta(minutes=15), "P1": dt.timedelta(minutes=30)}
P2_RESPONSE_BUSINESS_HOURS = 1
# The playbook gives resolution in plain days, so these run on the wall clock.
RESOLUTION_TARGETS = {
    "P0": dt.timedelta(hours=4),
    "P1": dt.timedelta(hours=24),
    "P2": dt.timedelta(days=3),
    "P3": dt.timedelta(days=14),
}
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


def normalise_severity(label: object) -> str | None:
    """``P0``–``P3`` for a known spelling (trimmed, lower-cased, spaces and hyphens removed)."""
    if not isinstance(label, str):
        return None
    return _SEVERITY_OF.get(label.strip().lower().replace(" ", "").replace("-", ""))


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours on the report's local wall clock; ``weekdays`` counts Monday as 0."""

    start: dt.time = dt.time(9)
    end: dt.time = dt.time(18)
    weekdays: frozenset[int] = frozenset(range(5))
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError(
                f"Business hours open at {self.start} and close at {self.end}; "
                "the opening must come before the closing."
            )
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError(
                f"Business weekdays {sorted(self.weekdays)!r} must be a non-empty set of "
                "numbers from 0 (Monday) to 6 (Sunday)."
            )


@functools.cache
def _offsets(
    hours: BusinessHours,
) -> tuple[pd.offsets.CustomBusinessHour, pd.offsets.CustomBusinessDay]:
    weekmask = " ".join(_DAY_NAMES[day] for day in sorted(hours.weekdays))
    holidays = sorted(hours.holidays)
    # pandas-stubs leaves out ``weekmask``, which pandas documents and accepts.
    business_hour = pd.offsets.CustomBusinessHour(  # type: ignore[call-arg]
        n=P2_RESPONSE_BUSINESS_HOURS,
        start=hours.start.strftime("%H:%M"),
        end=hours.end.strftime("%H:%M"),
        weekmask=weekmask,
        holidays=holidays,
    )
    business_day = pd.offsets.CustomBusinessDay(n=1, weekmask=weekmask, holidays=holidays)
    return business_hour, business_day


def _wall(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _instant(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return wall.replace(tzinfo=tz).astimezone(dt.UTC)


def response_deadline(
    severity: str, detected: dt.datetime, hours: BusinessHours, tz: ZoneInfo
) -> dt.datetime:
    """The latest acknowledgement that meets the playbook's response target.

    Business time is counted on the local wall clock, where opening hours never meet a
    daylight-saving jump. pandas rolls an instant outside opening hours forward to the next
    opening, so an acknowledgement before the clock starts is always in time; a deadline
    that falls on the closing time is written as the next opening, the same business instant.
    """
    if severity in RESPONSE_TARGETS:
        return detected + RESPONSE_TARGETS[severity]
    business_hour, business_day = _offsets(hours)
    wall = _wall(detected, tz)
    if severity == "P2":
        due = (pd.Timestamp(wall) + business_hour).to_pydatetime()
    else:
        next_day = (pd.Timestamp(wall.date()) + business_day).date()
        due = dt.datetime.combine(next_day, hours.end)
    return _instant(due, tz)


def _judge(due: dt.datetime, done: dt.datetime | None, as_of: dt.datetime) -> bool | None:
    """Met, missed, or None while an unfinished step is still within its target."""
    if done is not None:
        return done <= due
    return False if as_of > due else None


def _utc(value: Any, column: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise TypeError(f"Incident column {column} holds {value!r}; expected a datetime or None.")
    # DESIGN §3.2: a timestamp without a zone is UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class IncidentRecord:
    """One ``incidents`` row with its times read as aware UTC and its severity normalised."""

    id: str
    title: str
    service: str
    label: object
    severity: str | None
    started_at: dt.datetime | None
    detected_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    mitigated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    postmortem_completed_at: dt.datetime | None
    postmortem_url: str | None

    @classmethod
    def read(cls, row: Mapping[str, Any]) -> IncidentRecord:
        times = {
            column: _utc(row.get(column), column)
            for column in (
                "started_at",
                "detected_at",
                "acknowledged_at",
                "mitigated_at",
                "resolved_at",
                "postmortem_completed_at",
            )
        }
        return cls(
            id=str(row.get("id")),
            title=str(row.get("title") or ""),
            service=str(row.get("service") or ""),
            label=row.get("severity"),
            severity=normalise_severity(row.get("severity")),
            postmortem_url=row.get("postmortem_url"),
            **times,
        )

    def as_of(self, instant: dt.datetime) -> IncidentRecord:
        """The record as it stood at ``instant``: later steps have not happened yet."""
        later: dict[str, Any] = {
            column: None
            for column in (
                "acknowledged_at",
                "mitigated_at",
                "resolved_at",
                "postmortem_completed_at",
            )
            if (value := getattr(self, column)) is not None and value > instant
        }
        return replace(self, **later)


@dataclass(frozen=True)
class Rejection:
    id: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    id: str
    kept_id: str


def _problems(row: IncidentRecord, timezone: str) -> list[str]:
    def shown(column: str) -> str:
        value = getattr(row, column)
        return f"{column} ({format_time(value, timezone)})"

    problems = []
    if row.severity is None:
        problems.append(f"unknown severity {row.label!r}; expected P0-P3 or a known spelling")
    for column in ("started_at", "detected_at"):
        if getattr(row, column) is None:
            problems.append(f"{column} is missing")
    for later, earlier in (
        ("detected_at", "started_at"),
        ("acknowledged_at", "detected_at"),
        ("mitigated_at", "started_at"),
        ("resolved_at", "started_at"),
    ):
        late, early = getattr(row, later), getattr(row, earlier)
        if late is not None and early is not None and late < early:
            problems.append(f"{shown(later)} is before {shown(earlier)}")
    return problems


def _fold(rows: Sequence[IncidentRecord]) -> tuple[list[IncidentRecord], list[Duplicate]]:
    """One row per incident: same service, start and title (trimmed, case-folded).

    The row resolved last is kept. A copy still open at the as-of instant counts as resolved
    last, so the incident stays open while any of its records is open; ties keep the lowest id,
    so the result does not depend on row order.
    """
    groups: dict[tuple[str, dt.datetime | None, str], list[IncidentRecord]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        key = (row.service, row.started_at, row.title.strip().casefold())
        groups.setdefault(key, []).append(row)

    kept: list[IncidentRecord] = []
    duplicates: list[Duplicate] = []
    for copies in groups.values():
        keep = max(copies, key=lambda r: (r.resolved_at is None, r.resolved_at or _NEVER))
        kept.append(keep)
        duplicates.extend(Duplicate(r.id, keep.id) for r in copies if r is not keep)
    return kept, duplicates


def _minutes(later: dt.datetime | None, earlier: dt.datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return (later - earlier).total_seconds() / 60


@dataclass(frozen=True)
class IncidentItem:
    """One counted incident as it stood at the as-of instant."""

    id: str
    title: str
    service: str
    severity: str
    started_at: dt.datetime
    detected_at: dt.datetime
    acknowledged_at: dt.datetime | None
    mitigated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    postmortem_completed_at: dt.datetime | None
    postmortem_url: str | None
    ttd_minutes: float
    tta_minutes: float | None
    ttr_minutes: float | None
    ttm_minutes: float | None
    open: bool
    age_minutes: float | None
    response_deadline: dt.datetime
    resolution_deadline: dt.datetime
    response_met: bool | None
    resolution_met: bool | None
    acknowledged_within_5_minutes: bool | None
    postmortem_required: bool

    def as_json(self, timezone: str) -> dict[str, Any]:
        return {
            name: format_time(value, timezone) if isinstance(value, dt.datetime) else value
            for name, value in asdict(self).items()
        }


def _item(
    row: IncidentRecord, as_of: dt.datetime, hours: BusinessHours, tz: ZoneInfo
) -> IncidentItem:
    assert row.severity is not None
    assert row.started_at is not None and row.detected_at is not None
    severity, detected = row.severity, row.detected_at
    response_due = response_deadline(severity, detected, hours, tz)
    resolution_due = detected + RESOLUTION_TARGETS[severity]
    is_open = row.resolved_at is None

    return IncidentItem(
        id=row.id,
        title=row.title,
        service=row.service,
        severity=severity,
        started_at=row.started_at,
        detected_at=detected,
        acknowledged_at=row.acknowledged_at,
        mitigated_at=row.mitigated_at,
        resolved_at=row.resolved_at,
        postmortem_completed_at=row.postmortem_completed_at,
        postmortem_url=row.postmortem_url,
        ttd_minutes=(detected - row.started_at).total_seconds() / 60,
        tta_minutes=_minutes(row.acknowledged_at, detected),
        ttr_minutes=_minutes(row.resolved_at, row.started_at),
        ttm_minutes=_minutes(row.mitigated_at, row.started_at),
        open=is_open,
        age_minutes=_minutes(as_of, row.started_at) if is_open else None,
        response_deadline=response_due,
        resolution_deadline=resolution_due,
        response_met=_judge(response_due, row.acknowledged_at, as_of),
        resolution_met=_judge(resolution_due, row.resolved_at, as_of),
        acknowledged_within_5_minutes=_judge(
            detected + ACKNOWLEDGEMENT_RULE, row.acknowledged_at, as_of
        ),
        postmortem_required=severity in POSTMORTEM_SEVERITIES,
    )


@dataclass(frozen=True)
class DurationStats:
    """n, mean, median, P90 and maximum of durations in minutes; null statistics when n = 0."""

    n: int
    mean: float | None
    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, values: Iterable[float | None]) -> DurationStats:
        known = np.array([v for v in values if v is not None], dtype=float)
        if known.size == 0:
            return cls(0, None, None, None, None)
        return cls(
            n=int(known.size),
            mean=float(np.mean(known)),
            median=float(np.median(known)),
            p90=float(np.percentile(known, 90, method="linear")),
            max=float(np.max(known)),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean_minutes": self.mean,
            "median_minutes": self.median,
            "p90_minutes": self.p90,
            "max_minutes": self.max,
        }


@dataclass(frozen=True)
class TargetTally:
    """Incidents that met or missed a target, and those still within it (not judged)."""

    met: int
    missed: int
    pending: int

    @classmethod
    def of(cls, verdicts: Iterable[bool | None]) -> TargetTally:
        counts = Counter(verdicts)
        return cls(met=counts[True], missed=counts[False], pending=counts[None])

    @property
    def share_met(self) -> float | None:
        judged = self.met + self.missed
        return self.met / judged if judged else None

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "share_met": self.share_met}


@dataclass(frozen=True)
class IncidentFigures:
    """Counts, durations and target shares of a group of incidents."""

    count: int
    open: int
    time_to_detect: DurationStats
    time_to_acknowledge: DurationStats
    time_to_resolve: DurationStats
    time_to_mitigate: DurationStats
    response: TargetTally
    resolution: TargetTally
    acknowledgement: TargetTally

    @classmethod
    def of(cls, items: Sequence[IncidentItem]) -> IncidentFigures:
        return cls(
            count=len(items),
            open=sum(item.open for item in items),
            time_to_detect=DurationStats.of(item.ttd_minutes for item in items),
            time_to_acknowledge=DurationStats.of(item.tta_minutes for item in items),
            time_to_resolve=DurationStats.of(item.ttr_minutes for item in items),
            time_to_mitigate=DurationStats.of(item.ttm_minutes for item in items),
            response=TargetTally.of(item.response_met for item in items),
            resolution=TargetTally.of(item.resolution_met for item in items),
            acknowledgement=TargetTally.of(item.acknowledged_within_5_minutes for item in items),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "open": self.open,
            "mttd_minutes": self.time_to_detect.mean,
            "mtta_minutes": self.time_to_acknowledge.mean,
            "mttr_minutes": self.time_to_resolve.mean,
            "mttm_minutes": self.time_to_mitigate.mean,
            "response_target_met": self.response.share_met,
            "resolution_target_met": self.resolution.share_met,
            "acknowledged_within_5_minutes": self.acknowledgement.share_met,
            "time_to_detect": self.time_to_detect.as_json(),
            "time_to_acknowledge": self.time_to_acknowledge.as_json(),
            "time_to_resolve": self.time_to_resolve.as_json(),
            "time_to_mitigate": self.time_to_mitigate.as_json(),
            "response_target": self.response.as_json(),
            "resolution_target": self.resolution.as_json(),
            "acknowledgement_rule": self.acknowledgement.as_json(),
        }


@dataclass(frozen=True)
class IncidentSummary:
    """The incidents of one period; ``as_json()`` is DESIGN §6 ``incidents``."""

    timezone: str
    overall: IncidentFigures
    by_severity: Mapping[str, IncidentFigures]
    items: tuple[IncidentItem, ...]
    rejected: tuple[Rejection, ...]
    duplicates: tuple[Duplicate, ...]

    @property
    def total(self) -> int:
        return self.overall.count

    @property
    def open(self) -> int:
        return self.overall.open

    def postmortems(self) -> dict[str, Any]:
        required = [item for item in self.items if item.postmortem_required]
        missing = [item.id for item in required if item.postmortem_completed_at is None]
        return {
            "required": len(required),
            "completed": len(required) - len(missing),
            "missing": missing,
        }

    def by_service(self) -> dict[str, int]:
        return dict(sorted(Counter(item.service for item in self.items).items()))

    def as_json(self) -> dict[str, Any]:
        figures = self.overall.as_json()
        return {
            "total": figures.pop("count"),
            **figures,
            "by_severity": {sev: self.by_severity[sev].as_json() for sev in SEVERITIES},
            "by_service": self.by_service(),
            "postmortems": self.postmortems(),
            "items": [item.as_json(self.timezone) for item in self.items],
            "rejected": [asdict(rejection) for rejection in self.rejected],
            "duplicates": [asdict(duplicate) for duplicate in self.duplicates],
        }


def _considered(
    row: IncidentRecord, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> bool:
    """Started in [start, end) and detected by the as-of instant. A row without a start
    cannot be placed and goes on to be rejected rather than vanish; so does a row of the
    window without a detection time."""
    if row.started_at is None:
        return True
    if not start <= row.started_at < end:
        return False
    return row.detected_at is None or row.detected_at <= as_of


@dataclass(frozen=True)
class CheckedRecords:
    """Incident rows after the checks of DESIGN §3.2, each as it stood at the as-of instant."""

    valid: tuple[IncidentRecord, ...]
    rejected: tuple[Rejection, ...]
    duplicates: tuple[Duplicate, ...]


def check_records(
    rows: Iterable[Mapping[str, Any]],
    start: dt.datetime,
    end: dt.datetime,
    as_of: dt.datetime,
    timezone: str,
) -> CheckedRecords:
    """Rows that started in [start, end) and were known by ``as_of``: checked, rejected with
    their reasons, copies folded into one, later steps of the valid ones undone."""
    if as_of.tzinfo is None:
        raise ValueError(f"The as-of instant must carry a zone; got the naive {as_of!r}.")
    candidates = [r for r in map(IncidentRecord.read, rows) if _considered(r, start, end, as_of)]
    rejected, valid = [], []
    for row in candidates:
        problems = _problems(row, timezone)
        if problems:
            rejected.append(Rejection(row.id, "; ".join(problems)))
        else:
            valid.append(row.as_of(as_of))

    kept, duplicates = _fold(valid)
    return CheckedRecords(
        valid=tuple(sorted(kept, key=lambda r: (r.started_at or _NEVER, r.id))),
        rejected=tuple(sorted(rejected, key=lambda r: r.id)),
        duplicates=tuple(sorted(duplicates, key=lambda d: d.id)),
    )


def measure_incidents(
    records: Iterable[IncidentRecord],
    as_of: dt.datetime,
    hours: BusinessHours,
    timezone: str,
) -> list[IncidentItem]:
    """Each checked record measured as of ``as_of``, in start order."""
    tz = zone(timezone)
    return [_item(record, as_of, hours, tz) for record in records]


def summarise_incidents(
    rows: Iterable[Mapping[str, Any]],
    period: Period,
    as_of: dt.datetime,
    business_hours: BusinessHours | None = None,
) -> IncidentSummary:
    """Check, fold and measure the incident rows of ``period`` as of ``as_of``.

    ``rows`` are ``incidents`` table rows (DESIGN §3.2) as mappings; rows outside the period
    are ignored. Business hours default to Monday–Friday 09:00–18:00 in the period's zone.
    """
    hours = business_hours or BusinessHours()
    checked = check_records(rows, period.start, period.end, as_of, period.timezone)
    items = measure_incidents(checked.valid, as_of, hours, period.timezone)
    rejected, duplicates = checked.rejected, checked.duplicates
    log.info(
        "Incidents of %s: %d counted, %d rejected, %d duplicate rows folded",
        period.key,
        len(items),
        len(rejected),
        len(duplicates),
    )
    return IncidentSummary(
        timezone=period.timezone,
        overall=IncidentFigures.of(items),
        by_severity={
            sev: IncidentFigures.of([i for i in items if i.severity == sev]) for sev in SEVERITIES
        },
        items=tuple(items),
        rejected=rejected,
        duplicates=duplicates,
    )
