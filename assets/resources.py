"""Resources: Prometheus, the platform database and the report settings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dagster import ConfigurableResource

from waooaw_reports.analytics.incidents import BusinessHours
from waooaw_reports.catalog import Catalog, load_catalog
from waooaw_reports.maintenance import MaintenanceWindow, parse_maintenance_windows
from waooaw_reports.sources.database import PlatformDatabase
from waooaw_reports.sources.prometheus import PrometheusClient


class PrometheusResource(ConfigurableResource):
    url: str
    timeout_seconds: float = 30.0
    attempts: int = 3

    def client(self) -> PrometheusClient:
        return PrometheusClient(self.url, self.timeout_seconds, attempts=self.attempts)


class PlatformDatabaseResource(ConfigurableResource):
    """The database URL may hold a password: bind it as an EnvVar, or name a file holding it."""

    url: str | None = None
    url_file: str | None = None

    def open(self) -> PlatformDatabase:
        url = self.url
        if url is None and self.url_file is not None:
            url = Path(self.url_file).read_text(encoding="utf-8").strip()
        if not url:
            raise ValueError(
                "No database URL: set WAOOAW_DATABASE_URL (or WAOOAW_DATABASE_URL_FILE)."
            )
        return PlatformDatabase(url)


class ReportSettingsResource(ConfigurableResource):
    timezone: str = "UTC"
    reports_dir: str = "reports"
    catalog_path: str | None = None
    capacity_volume: str = "/var/lib/postgresql"
    business_start: str = "09:00"
    business_end: str = "18:00"
    holidays: list[str] = []
    credential_max_age_days: int = 90
    alert_evaluation_interval_seconds: int = 60
    alert_follow_window_seconds: int = 1800
    # Each {start, end, reason} with offsets, as WAOOAW_MAINTENANCE_WINDOWS gave them.
    maintenance: list[dict[str, str]] = []
    public_settings: dict = {}

    def catalog(self) -> Catalog:
        return load_catalog(Path(self.catalog_path) if self.catalog_path else None)

    def business_hours(self) -> BusinessHours:
        return BusinessHours(
            start=dt.time.fromisoformat(self.business_start),
            end=dt.time.fromisoformat(self.business_end),
            holidays=frozenset(dt.date.fromisoformat(day) for day in self.holidays),
        )

    def maintenance_windows(self) -> tuple[MaintenanceWindow, ...]:
        return parse_maintenance_windows(json.dumps(self.maintenance), "maintenance windows")
