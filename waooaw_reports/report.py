"""The report model: turns measured figures into report.json's content (DESIGN §6).

Pure functions: the period and the as-of instant are passed in; nothing here reads a clock,
the environment or the network.
"""

from __future__ import annotations

import datetime as dt
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from waooaw_reports import __version__
from waooaw_reports.analytics.action_items import review_action_items
from waooaw_reports.analytics.capacity import project_capacity
from waooaw_reports.analytics.customer_health import (
    customer_health_area,
    customer_health_attention,
)
from waooaw_reports.analytics.security import security_area, security_attention
from waooaw_reports.analytics.slo import metric_status, worst_status
from waooaw_reports.catalog import Catalog
from waooaw_reports.periods import Period, format_time
from waooaw_reports.slo_report import slo_entries

SCHEMA_VERSION = 1
TITLES = {"weekly": "Weekly health review", "monthly": "Monthly health audit"}
CAPACITY_STATUS = {
    "ok": "met",
    "not_growing": "met",
    "no_significant_trend": "met",
    "watch": "at_risk",
    "act_now": "breached",
    "already_above": "breached",
    "insufficient_data": "no_data",
}
LIBRARIES = (
    "dagster",
    "weasyprint",
    "sqlalchemy",
    "pandas",
    "statsmodels",
    "scipy",
    "jinja2",
    "httpx",
)


def report_directory(reports_dir: str | Path, kind: str, key: str) -> Path:
    return Path(reports_dir) / kind / key


def sla_compliance(measured: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    """One ``slos`` entry per SLO: the period's figures, its budget over time and its review."""
    return slo_entries(measured, period)


def metric_scorecard(measured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each metric with its status, previous value and change, by tier (DESIGN §5, §6).

    A metric judged on another figure (active agents on their largest daily fall) takes its
    status from that figure; its value and change stay those of the metric itself.
    """
    scorecard = []
    for m in measured:
        spec = m["spec"]
        value, previous = m["value"], m["previous"]
        judged = m.get("judged_on")
        status = metric_status(
            judged["value"] if judged else value,
            spec["target"],
            spec["alert_threshold"],
            spec["direction"],
        )
        metric = {
            "name": spec["name"],
            "tier": spec["tier"],
            "description": spec["description"],
            "value": value,
            "unit": spec["unit"],
            "target": spec["target"],
            "alert_threshold": spec["alert_threshold"],
            "direction": spec["direction"],
            "status": status,
            "previous": previous,
            "change": None if value is None or previous is None else value - previous,
            "good": m.get("good"),
            "total": m.get("total"),
            "query": m["query"],
        }
        if m.get("bad") is not None and spec.get("share") == "bad":
            metric["bad"] = m["bad"]
        if judged:
            metric["judged_on"] = judged
        if "details" in m:
            metric["details"] = m["details"]
        scorecard.append(metric)
    return sorted(scorecard, key=lambda metric: (metric["tier"], metric["name"]))


def capacity_projection(history: list[dict[str, Any]], period: Period) -> list[dict[str, Any]]:
    projections = []
    for resource in history:
        spec = resource["spec"]
        projection = project_capacity(
            resource["resource"],
            resource["daily"],
            resource["limit"],
            period.end,
            utilisation=spec["unit"] == "ratio",
            timezone=period.timezone,
            predict_linear_90d=resource.get("predict_linear_90d"),
        )
        projections.append(
            {
                **projection,
                "unit": spec["unit"],
                "description": spec["description"],
                "lookback_days": resource.get("lookback_days"),
                "query": resource["query"],
            }
        )
    return projections


def _incident_status(incidents: dict[str, Any]) -> str:
    """Breached when a P0/P1 missed a target or lacks its post-mortem; at risk when any
    incident missed a target or is still open; met otherwise (a quiet period is met)."""
    severe_missed = any(
        item["severity"] in ("P0", "P1")
        and (item.get("response_met") is False or item.get("resolution_met") is False)
        for item in incidents["items"]
    )
    if severe_missed or incidents["postmortems"]["missing"]:
        return "breached"
    any_missed = any(
        item.get("response_met") is False or item.get("resolution_met") is False
        for item in incidents["items"]
    )
    return "at_risk" if any_missed or incidents["open"] else "met"


def _areas(
    slos: list[dict[str, Any]],
    metrics: list[dict[str, Any]],
    incidents: dict[str, Any],
    capacity: list[dict[str, Any]],
) -> list[dict[str, str]]:
    def count(items: list[dict[str, Any]], status: str) -> int:
        return sum(item["status"] == status for item in items)

    slo_status = worst_status(s["status"] for s in slos)
    metric_statuses = [m["status"] for m in metrics]
    capacity_statuses = [CAPACITY_STATUS[c["verdict"]] for c in capacity]
    return [
        {
            "name": "SLOs and error budget",
            "status": slo_status,
            "summary": f"{count(slos, 'met')} of {len(slos)} SLOs met",
        },
        {
            "name": "Playbook metrics",
            "status": worst_status(metric_statuses),
            "summary": (
                f"{count(metrics, 'met')} met, {count(metrics, 'at_risk')} at risk, "
                f"{count(metrics, 'breached')} breached, {count(metrics, 'no_data')} without data"
            ),
        },
        {
            "name": "Incidents",
            "status": _incident_status(incidents),
            "summary": (
                f"{incidents['total']} incidents, {incidents['open']} open, "
                f"{incidents['postmortems']['completed']} of "
                f"{incidents['postmortems']['required']} post-mortems done"
            ),
        },
        {
            "name": "Capacity",
            "status": worst_status(capacity_statuses),
            "summary": ", ".join(
                f"{c['resource']}: {c['verdict'].replace('_', ' ')}" for c in capacity
            ),
        },
    ]


def _attention(
    slos: list[dict[str, Any]],
    metrics: list[dict[str, Any]],
    incidents: dict[str, Any],
    capacity: list[dict[str, Any]],
    extra: list[tuple[int, str]] | None = None,
) -> list[str]:
    """The things that most need attention, worst first; at most three."""
    ranked: list[tuple[int, str]] = []
    for slo in slos:
        if slo["status"] == "breached":
            ranked.append(
                (
                    0,
                    f"SLO {slo['name']} breached: error budget "
                    f"{slo['error_budget_consumed']:.0%} consumed",
                )
            )
    for item in capacity:
        if item["verdict"] in ("act_now", "already_above"):
            ranked.append((1, f"Capacity {item['resource']}: {item['verdict'].replace('_', ' ')}"))
    missing = incidents["postmortems"]["missing"]
    if missing:
        ranked.append((2, f"{len(missing)} post-mortem(s) missing: {', '.join(missing)}"))
    for metric in metrics:
        if metric["status"] == "breached":
            ranked.append((3, f"Metric {metric['name']} breached its alert threshold"))
    if incidents["open"]:
        ranked.append((4, f"{incidents['open']} incident(s) still open"))
    for metric in metrics:
        if metric["status"] == "at_risk":
            ranked.append((5, f"Metric {metric['name']} short of its target"))
    for item in capacity:
        if item["verdict"] == "watch":
            ranked.append((6, f"Capacity {item['resource']}: target within 90 days"))
    for metric in metrics:
        if metric["status"] == "no_data":
            ranked.append((7, f"Metric {metric['name']} has no data"))
    ranked += extra or []
    return [text for _, text in sorted(ranked, key=lambda pair: pair[0])[:3]]


def _versions() -> dict[str, str]:
    versions = {"waooaw-reports": __version__, "python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_report(
    *,
    period: Period,
    as_of: dt.datetime,
    generated_at: dt.datetime,
    slos: list[dict[str, Any]],
    metrics: list[dict[str, Any]],
    incidents: dict[str, Any],
    unreadable_rows: list[dict[str, str]],
    action_items: list[dict[str, Any]],
    capacity: list[dict[str, Any]],
    coverage: list[dict[str, Any]],
    catalog: Catalog,
    settings: dict[str, Any],
    security: dict[str, Any] | None = None,
    customer_health: dict[str, Any] | None = None,
    top_offenders: dict[str, Any] | None = None,
    maintenance_windows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """report.json's content. The rendered reports show the as-of instant, not
    ``generated_at``, so the same data and the same as-of give the same HTML."""
    incidents = {**incidents, "rejected": incidents["rejected"] + unreadable_rows}
    areas = _areas(slos, metrics, incidents, capacity)
    extra_attention: list[tuple[int, str]] = []
    if security is not None:
        areas.append(security_area(security))
        extra_attention += security_attention(security)
    if customer_health is not None:
        areas.append(customer_health_area(customer_health))
        extra_attention += customer_health_attention(customer_health)
    warnings = [
        f"{c['series']}: {c['coverage']:.1%} of the period covered by samples"
        for c in coverage
        if c["coverage"] is not None and c["coverage"] < 0.99
    ]
    warnings += [
        f"{c['series']}: {c['series_born_in_period']} series first appear in the period; "
        "increase() misses their first value"
        for c in coverage
        if c["series_born_in_period"]
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": period.kind,
        "title": TITLES[period.kind],
        "period": period.as_json(),
        "as_of": format_time(as_of, period.timezone),
        "generated_at": format_time(generated_at, period.timezone),
        "status": worst_status(area["status"] for area in areas),
        "areas": areas,
        "attention": _attention(slos, metrics, incidents, capacity, extra_attention),
        "slos": slos,
        "maintenance_windows": maintenance_windows or [],
        "metrics": metrics,
        "incidents": incidents,
        "action_items": review_action_items(action_items, period, as_of),
        "capacity": capacity,
        "security": security,
        "customer_health": customer_health,
        "top_offenders": top_offenders,
        "data_quality": {
            "coverage": coverage,
            "gaps": [c for c in coverage if c["missing_minutes"]],
            "series_born_in_period": [c for c in coverage if c["series_born_in_period"]],
            "rejected_rows": incidents["rejected"],
            "duplicate_rows": incidents.get("duplicates", []),
            "warnings": warnings,
        },
        "provenance": {
            "as_of": format_time(as_of, period.timezone),
            "catalog_sha256": catalog.digest,
            "catalog_sources": list(catalog.sources),
            "settings": settings,
            "sources": {
                "prometheus": settings.get("prometheus_url"),
                "database": settings.get("database_url"),
            },
            "versions": _versions(),
        },
    }
