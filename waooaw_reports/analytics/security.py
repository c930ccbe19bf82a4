"""Security signals: failed-login anomalies, API clients that moved, credential health.

Pure functions over plain data; the period and every instant are passed in.

Failed logins are judged hour by hour against the same hour of the week in the previous four
weeks with the median and the median absolute deviation (MAD), which a past attack in one of
those weeks cannot drag up the way it drags a mean and a standard deviation (Iglewicz and
Hoaglin, "How to Detect and Handle Outliers", 1993, whose cut-off of 3.5 is used here).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from waooaw_reports.analytics.slo import Status, metric_status, worst_status
from waooaw_reports.periods import Period, format_time, zone

HOUR = dt.timedelta(hours=1)
# 1.4826 x MAD estimates the standard deviation of normally distributed counts.
MAD_TO_SIGMA = 1.4826
# Floors of the spread: a share of the usual level, and a few failed logins.
RELATIVE_SPREAD = 0.25
MIN_SPREAD = 5.0
EXPIRING_DAYS = 7
# DESIGN §5, credential_health: valid (not expiring) of all credentials.
CREDENTIAL_TARGET, CREDENTIAL_ALERT = 0.95, 0.85
# Share of credentials rotated within the configured maximum age.
ROTATION_TARGET, ROTATION_ALERT = 0.95, 0.85
# Opaque client key ids look like key_7d20e4; anything else is shown as a digest (it might be
# a customer's name, an email or a key that an exporter put in the label by mistake).
OPAQUE_CLIENT = re.compile(r"[A-Za-z0-9_.:-]{1,40}")
UNAUTHORISED = ("401", "403")


@dataclass(frozen=True)
class AnomalyRule:
    """Hour x is anomalous when (x - median) / spread > threshold (see ``spread``)."""

    threshold: float = 3.5
    weeks: int = 4
    min_weeks: int = 3

    def describe(self) -> str:
        return (
            f"Each hour is compared with the same hour of the week in the previous {self.weeks} "
            f"weeks (at least {self.min_weeks} of them with data). It is flagged when its "
            f"failed logins exceed the median of those hours by more than {self.threshold:g} "
            f"robust standard deviations, taken as {MAD_TO_SIGMA} x the median absolute "
            f"deviation (MAD), but no less than a quarter of the median (ordinary swings in "
            f"traffic) and no less than {MIN_SPREAD:g} failed logins (a few mistyped passwords)."
        )


def spread(median: float, mad: float) -> float:
    """The robust standard deviation of a baseline.

    Four weeks are few: their MAD is often near 0, which would flag a small rise. The floors
    keep ordinary variation (a busier day, a few mistyped passwords) below the threshold.
    """
    return max(MAD_TO_SIGMA * mad, median * RELATIVE_SPREAD, MIN_SPREAD)


def _same_hour_weeks_before(hour_end: dt.datetime, weeks: int, timezone: str) -> list[float]:
    """Unix times of the same local hour 1..``weeks`` weeks before (wall clock, across DST)."""
    local = hour_end.astimezone(zone(timezone))
    return [
        (local - dt.timedelta(weeks=week)).astimezone(dt.UTC).timestamp()
        for week in range(1, weeks + 1)
    ]


def _judge_hour(
    value: float | None, baseline: list[float], rule: AnomalyRule
) -> dict[str, float | bool | None]:
    if len(baseline) < rule.min_weeks:
        return {"baseline_median": None, "baseline_mad": None, "score": None, "anomaly": None}
    median = statistics.median(baseline)
    mad = statistics.median(abs(x - median) for x in baseline)
    score = None if value is None else (value - median) / spread(median, mad)
    return {
        "baseline_median": median,
        "baseline_mad": mad,
        "score": score,
        "anomaly": None if score is None else score > rule.threshold,
    }


def failed_login_review(
    hourly: Mapping[float, float],
    total: float | None,
    period: Period,
    rule: AnomalyRule | None = None,
) -> dict[str, Any]:
    """Failed logins of each hour of the period, judged against the weeks before.

    ``hourly`` maps the Unix time at which an hour ends to its failed logins, for the period
    and the weeks before it; an hour absent from it has no data. ``total`` is the period's
    count from one instant query (never a sum of the hours).
    """
    rule = rule or AnomalyRule()
    hours: list[dict[str, Any]] = []
    hour_end = period.start + HOUR
    while hour_end <= period.end:
        value = hourly.get(hour_end.timestamp())
        baseline = [
            hourly[t]
            for t in _same_hour_weeks_before(hour_end, rule.weeks, period.timezone)
            if t in hourly
        ]
        hours.append(
            {
                "hour": format_time(hour_end - HOUR, period.timezone),
                "failures": value,
                "baseline": baseline,
                **_judge_hour(value, baseline, rule),
            }
        )
        hour_end += HOUR

    measured = [h for h in hours if h["failures"] is not None]
    anomalies = [h for h in hours if h["anomaly"]]
    peak = max(measured, key=lambda h: h["failures"], default=None)
    if peak is not None and not peak["failures"]:
        peak = None  # no failed login at all: no busiest hour
    status: Status = "no_data" if total is None else "at_risk" if anomalies else "met"
    return {
        "total": total,
        "hours_with_data": len(measured),
        "hours_without_baseline": sum(h["anomaly"] is None for h in measured),
        "peak": None if peak is None else {"hour": peak["hour"], "failures": peak["failures"]},
        "anomalous_hours": len(anomalies),
        "anomalies": anomalies,
        "hourly": [{k: v for k, v in h.items() if k != "baseline"} for h in hours],
        "method": "median and MAD of the same hour in the previous weeks",
        "method_text": rule.describe(),
        "threshold": rule.threshold,
        "baseline_weeks": rule.weeks,
        "status": status,
    }


def opaque_client(label: str) -> str:
    """The client key id as shown in reports: kept when it looks like an opaque id, else a
    short digest, so a name, an email or a secret in the label never reaches a report."""
    if OPAQUE_CLIENT.fullmatch(label):
        return label
    return "redacted-" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:10]


def _by_client(counts: Mapping[str, float]) -> dict[str, float]:
    shown: dict[str, float] = {}
    for label, value in counts.items():
        key = opaque_client(label)
        shown[key] = shown.get(key, 0.0) + value
    return shown


def api_client_movers(
    requests: Mapping[str, float],
    previous: Mapping[str, float],
    unauthorised: Mapping[str, float],
    unauthorised_previous: Mapping[str, float],
    top: int = 5,
) -> dict[str, Any]:
    """The ``top`` clients whose requests changed most against the previous period.

    Ranked by the absolute change in requests, then by key id. A client absent in one period
    made no requests in it; its 401 and 403 answers, when absent, are zero.
    """
    now, before = _by_client(requests), _by_client(previous)
    rejected, rejected_before = _by_client(unauthorised), _by_client(unauthorised_previous)
    clients = sorted(set(now) | set(before))
    rows: list[dict[str, Any]] = []
    for client in clients:
        current, earlier = now.get(client, 0.0), before.get(client, 0.0)
        rows.append(
            {
                "client": client,
                "requests": current,
                "previous": earlier,
                "change": current - earlier,
                "change_ratio": (current - earlier) / earlier if earlier else None,
                "unauthorised": rejected.get(client, 0.0),
                "unauthorised_previous": rejected_before.get(client, 0.0),
                "new": client not in before,
                "gone": client not in now,
            }
        )
    rows.sort(key=lambda row: (-abs(row["change"]), row["client"]))
    return {
        "clients": len(now),
        "clients_previous": len(before),
        "requests": sum(now.values()) if now else None,
        "requests_previous": sum(before.values()) if before else None,
        "top": top,
        "movers": rows[:top],
    }


def credential_gauge(states: Mapping[str, float]) -> dict[str, Any]:
    """Shares of the ``platform_credentials`` gauge by state at the period end."""
    counts = {state: states.get(state, 0.0) for state in ("valid", "expiring", "invalid")}
    total = sum(states.values())
    shares = {
        f"{state}_share": (count / total if total else None) for state, count in counts.items()
    }
    health = shares["valid_share"]
    return {
        **counts,
        "total": total if states else None,
        **shares,
        "target": CREDENTIAL_TARGET,
        "alert_threshold": CREDENTIAL_ALERT,
        "status": metric_status(health, CREDENTIAL_TARGET, CREDENTIAL_ALERT, "higher"),
    }


def _expiry_state(expires_at: dt.datetime | None, at: dt.datetime) -> str:
    if expires_at is None:
        return "valid"  # a credential that does not expire
    if expires_at <= at:
        return "invalid"
    if expires_at <= at + dt.timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return "valid"


def _tally(rows: list[dict[str, Any]], at: dt.datetime, max_age_days: int) -> dict[str, Any]:
    states = {"valid": 0, "expiring": 0, "invalid": 0}
    overdue = never = 0
    oldest: float | None = None
    for row in rows:
        states[_expiry_state(row["expires_at"], at)] += 1
        rotated = row["last_rotated_at"]
        if rotated is None:
            never += 1
            continue
        age = (at - rotated).total_seconds() / 86_400
        oldest = age if oldest is None else max(oldest, age)
        overdue += age > max_age_days
    total = len(rows)
    compliant = total - overdue - never
    return {
        "total": total,
        **states,
        **{f"{state}_share": (n / total if total else None) for state, n in states.items()},
        "rotation_compliant": compliant,
        "rotation_overdue": overdue,
        "never_rotated": never,
        "rotation_compliance": compliant / total if total else None,
        "oldest_rotation_days": oldest,
    }


def credential_records_review(
    rows: list[dict[str, Any]], at: dt.datetime, max_age_days: int
) -> dict[str, Any]:
    """Expiry and rotation of the ``credentials`` table's rows, judged at ``at``.

    The table holds each credential's current state, so a credential rotated after ``at``
    says nothing about its state then: it is counted apart, not judged. Expired is invalid;
    expiring is within 7 days of ``at``; rotation is due once the last one is older than
    ``max_age_days``, and a credential never rotated is due.
    """
    judged = [r for r in rows if r["last_rotated_at"] is None or r["last_rotated_at"] <= at]
    platforms = sorted({str(r["platform"]) for r in judged})
    tally = _tally(judged, at, max_age_days)
    compliance_status = metric_status(
        tally["rotation_compliance"], ROTATION_TARGET, ROTATION_ALERT, "higher"
    )
    health_status = metric_status(
        tally["valid_share"], CREDENTIAL_TARGET, CREDENTIAL_ALERT, "higher"
    )
    return {
        **tally,
        "changed_after": len(rows) - len(judged),
        "max_age_days": max_age_days,
        "expiring_within_days": EXPIRING_DAYS,
        "rotation_target": ROTATION_TARGET,
        "rotation_alert": ROTATION_ALERT,
        "by_platform": [
            {
                "platform": platform,
                **_tally([r for r in judged if str(r["platform"]) == platform], at, max_age_days),
            }
            for platform in platforms
        ],
        "health_status": health_status,
        "rotation_status": compliance_status,
        "status": worst_status([health_status, compliance_status]),
    }


def security_review(
    failed_logins: dict[str, Any],
    api_clients: dict[str, Any],
    gauge: dict[str, Any],
    records: dict[str, Any],
) -> dict[str, Any]:
    """report.json's ``security`` section and its status (worst of its judged parts)."""
    return {
        "failed_logins": failed_logins,
        "api_clients": api_clients,
        "credentials": {"gauge": gauge, "records": records},
        "status": worst_status([failed_logins["status"], gauge["status"], records["status"]]),
    }


def security_area(security: dict[str, Any]) -> dict[str, str]:
    """The summary page's row for security."""
    logins = security["failed_logins"]
    gauge = security["credentials"]["gauge"]
    records = security["credentials"]["records"]
    parts = [
        "failed logins: no data"
        if logins["total"] is None
        else f"{logins['anomalous_hours']} unusual hour(s) of failed logins",
        "platform check: no data"
        if gauge["valid_share"] is None
        else f"credentials valid {gauge['valid_share']:.1%} by the platform's check",
        "no credential records"
        if records["valid_share"] is None
        else f"{records['valid_share']:.1%} by the records, "
        f"{records['rotation_compliance']:.1%} rotated within {records['max_age_days']} days",
    ]
    return {"name": "Security", "status": security["status"], "summary": ", ".join(parts)}


def _whole(value: float) -> str:
    """A count for a sentence, halves rounded up."""
    return f"{math.floor(value + 0.5):,}"


def security_attention(security: dict[str, Any]) -> list[tuple[int, str]]:
    """Items for the summary's "needs attention" list, with the rank report.py orders by."""
    ranked: list[tuple[int, str]] = []
    logins = security["failed_logins"]
    if logins["anomalies"]:
        worst = max(logins["anomalies"], key=lambda hour: hour["failures"])
        ranked.append(
            (
                3,
                f"Failed logins: {logins['anomalous_hours']} hour(s) above the usual, worst "
                f"{_whole(worst['failures'])} from {worst['hour'][:16].replace('T', ' ')} "
                f"(usually {_whole(worst['baseline_median'])})",
            )
        )
    gauge = security["credentials"]["gauge"]
    records = security["credentials"]["records"]
    if gauge["status"] in ("breached", "at_risk"):
        rank = 3 if gauge["status"] == "breached" else 5
        ranked.append(
            (rank, f"Only {gauge['valid_share']:.1%} of credentials valid by the platform's check")
        )
    if records["health_status"] in ("breached", "at_risk"):
        rank = 3 if records["health_status"] == "breached" else 5
        expiring = ", ".join(
            f"{row['platform']} {row['expiring']}"
            for row in records["by_platform"]
            if row["expiring"]
        )
        ranked.append(
            (
                rank,
                f"Only {records['valid_share']:.1%} of credential records valid; expiring within "
                f"{records['expiring_within_days']} days: {expiring or 'none'}",
            )
        )
    if records["rotation_status"] in ("breached", "at_risk"):
        rank = 3 if records["rotation_status"] == "breached" else 5
        overdue = records["rotation_overdue"] + records["never_rotated"]
        ranked.append(
            (rank, f"{overdue} credential(s) not rotated within {records['max_age_days']} days")
        )
    return ranked
