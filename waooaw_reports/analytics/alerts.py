"""Alerts against incidents: firing episodes, detection from telemetry and alert noise.

Prometheus writes ``ALERTS{alertstate="firing"}`` once per rule evaluation while an alert
fires. A firing episode is a run of those samples of one alert name and service with no gap
longer than the evaluation interval; samples of the same alert and service with different
severities belong to the same run.

- Detection from telemetry: for an incident, the first moment between its start and its
  detection at which an alert of its service was firing. An alert already firing when the
  impact began counts from the impact's start, so a stuck alert cannot claim days of warning.
- Alert noise: an episode that started in the period is followed by an incident when an
  incident of the same service was under way at some moment from the episode's start to the
  follow window after it (started by then, and not resolved before the episode began). The
  others are noise, the playbook's false positives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from waooaw_reports.analytics.incidents import DurationStats, IncidentItem, IncidentRecord
from waooaw_reports.periods import Period, format_time

# Sample times come back as float seconds; evaluation timestamps are exact multiples of the
# interval, so a millisecond covers the rounding and nothing else.
_ROUNDING = 0.001
NOISIEST_SHOWN = 5


@dataclass(frozen=True)
class FiringEpisode:
    alertname: str
    service: str
    severities: tuple[str, ...]
    start: dt.datetime
    end: dt.datetime  # the last firing sample
    samples: int

    def as_json(self, timezone: str) -> dict[str, Any]:
        return {
            "alertname": self.alertname,
            "service": self.service,
            "severities": list(self.severities),
            "start": format_time(self.start, timezone),
            "end": format_time(self.end, timezone),
            "samples": self.samples,
        }


def firing_episodes(
    series: Iterable[tuple[Mapping[str, str], Iterable[float]]], interval_seconds: float
) -> list[FiringEpisode]:
    """Episodes from firing sample times (Unix seconds) per label set, in start order."""
    times: dict[tuple[str, str], set[float]] = {}
    severities: dict[tuple[str, str], set[str]] = {}
    for labels, samples in series:
        key = (labels.get("alertname", ""), labels.get("service", ""))
        times.setdefault(key, set()).update(samples)
        if labels.get("severity"):
            severities.setdefault(key, set()).add(labels["severity"])

    episodes: list[FiringEpisode] = []
    for (alertname, service), seen in times.items():
        ordered = sorted(seen)
        runs: list[list[float]] = [[ordered[0]]] if ordered else []
        for previous, current in zip(ordered, ordered[1:], strict=False):
            if current - previous > interval_seconds + _ROUNDING:
                runs.append([])
            runs[-1].append(current)
        episodes.extend(
            FiringEpisode(
                alertname=alertname,
                service=service,
                severities=tuple(sorted(severities.get((alertname, service), ()))),
                start=_instant(run[0]),
                end=_instant(run[-1]),
                samples=len(run),
            )
            for run in runs
        )
    return sorted(episodes, key=lambda e: (e.start, e.alertname, e.service))


def _instant(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


@dataclass(frozen=True)
class AlertDetection:
    incident_id: str
    alertname: str
    alerted_at: dt.datetime
    gap_minutes: float


def detection_from_alerts(
    item: IncidentItem, episodes: Sequence[FiringEpisode]
) -> AlertDetection | None:
    """The earliest firing of an alert of the incident's service before its detection."""
    best: tuple[dt.datetime, str] | None = None
    for episode in episodes:
        if episode.service != item.service:
            continue
        if episode.start >= item.detected_at or episode.end < item.started_at:
            continue
        alerted = max(episode.start, item.started_at)
        if alerted < item.detected_at and (best is None or (alerted, episode.alertname) < best):
            best = (alerted, episode.alertname)
    if best is None:
        return None
    alerted, alertname = best
    gap = (item.detected_at - alerted).total_seconds() / 60
    return AlertDetection(item.id, alertname, alerted, gap)


def alert_detections(
    items: Sequence[IncidentItem], episodes: Sequence[FiringEpisode], timezone: str
) -> dict[str, Any]:
    """Per incident, the alert that fired before detection; and how many had one."""
    found = {item.id: detection_from_alerts(item, episodes) for item in items}
    gaps = [d.gap_minutes for d in found.values() if d is not None]
    return {
        "incidents": len(items),
        "detected_earlier_by_alerts": len(gaps),
        "gap": DurationStats.of(gaps).as_json(),
        "items": {
            incident_id: None
            if d is None
            else {
                "alertname": d.alertname,
                "alerted_at": format_time(d.alerted_at, timezone),
                "gap_minutes": d.gap_minutes,
            }
            for incident_id, d in found.items()
        },
    }


def _under_way(incident: IncidentRecord, start: dt.datetime, follow: dt.timedelta) -> bool:
    assert incident.started_at is not None
    if incident.started_at > start + follow:
        return False
    return incident.resolved_at is None or incident.resolved_at >= start


def _followed_by(
    episode: FiringEpisode, incidents: Sequence[IncidentRecord], follow: dt.timedelta
) -> str | None:
    for incident in incidents:
        if incident.service == episode.service and _under_way(incident, episode.start, follow):
            return incident.id
    return None


def alert_noise(
    episodes: Sequence[FiringEpisode],
    incidents: Sequence[IncidentRecord],
    period: Period,
    follow: dt.timedelta,
) -> dict[str, Any]:
    """Episodes that started in the period, and the share no incident followed.

    ``incidents`` are checked records (valid, copies folded, as of the run's as-of instant)
    of every period that can matter: those under way when an episode began, and those that
    started up to the follow window after the period.
    """
    ordered = sorted(incidents, key=lambda i: (i.started_at or period.start, i.id))
    in_period = [e for e in episodes if period.start <= e.start < period.end]
    followed = [_followed_by(e, ordered, follow) for e in in_period]
    noise = sum(f is None for f in followed)

    by_name: dict[str, dict[str, Any]] = {}
    for episode, incident_id in zip(in_period, followed, strict=True):
        counts = by_name.setdefault(
            episode.alertname, {"alertname": episode.alertname, "fired": 0, "not_followed": 0}
        )
        counts["fired"] += 1
        counts["not_followed"] += incident_id is None
    for counts in by_name.values():
        counts["noise_share"] = counts["not_followed"] / counts["fired"]
    noisiest = sorted(
        (c for c in by_name.values() if c["not_followed"]),
        key=lambda c: (-c["not_followed"], -c["noise_share"], c["alertname"]),
    )
    return {
        "fired": len(in_period),
        "not_followed": noise,
        "noise_share": noise / len(in_period) if in_period else None,
        "follow_window_minutes": follow.total_seconds() / 60,
        "noisiest": noisiest[:NOISIEST_SHOWN],
        "by_alertname": sorted(by_name.values(), key=lambda c: c["alertname"]),
        "episodes": [
            {**e.as_json(period.timezone), "followed_by": incident_id}
            for e, incident_id in zip(in_period, followed, strict=True)
        ],
    }
