"""The code location: assembles partitions, assets, jobs, schedules and resources.

Settings are read once, here, where the code location starts. Secrets reach Dagster as
unresolved environment variables.
"""

from __future__ import annotations

from pathlib import Path

from dagster import Definitions, EnvVar

from assets.customer_assets import build_customer_assets
from assets.jobs import report_job
from assets.partitions import monthly_partitions, weekly_partitions
from assets.report_assets import build_report_assets
from assets.resources import PlatformDatabaseResource, PrometheusResource, ReportSettingsResource
from assets.schedules import monthly_audit_schedule, weekly_review_schedule
from assets.security_assets import build_security_assets
from waooaw_reports.catalog import load_catalog
from waooaw_reports.settings import Settings, current_environment


def build_definitions(settings: Settings) -> Definitions:
    # An invalid catalog stops the code location from loading, naming the entry and field,
    # rather than failing a run halfway through its queries.
    load_catalog(settings.catalog)
    weekly = weekly_partitions(settings.timezone)
    monthly = monthly_partitions(settings.timezone)
    weekly_job = report_job("weekly")
    monthly_job = report_job("monthly")
    return Definitions(
        assets=[
            asset
            for kind, partitions in (("weekly", weekly), ("monthly", monthly))
            for build in (build_report_assets, build_security_assets, build_customer_assets)
            for asset in build(kind, partitions)
        ],
        jobs=[weekly_job, monthly_job],
        schedules=[
            weekly_review_schedule(weekly_job, settings.timezone),
            monthly_audit_schedule(monthly_job, settings.timezone),
        ],
        resources={
            "prometheus": PrometheusResource(
                url=_from_environment("WAOOAW_PROMETHEUS_URL", settings.prometheus_url),
                timeout_seconds=settings.prometheus_timeout_seconds,
            ),
            "platform_database": _database_resource(settings),
            "report_settings": ReportSettingsResource(
                timezone=settings.timezone,
                reports_dir=str(settings.reports_dir.resolve()),
                catalog_path=str(settings.catalog.resolve()) if settings.catalog else None,
                capacity_volume=settings.capacity_volume,
                business_start=settings.business_hours[0].isoformat("minutes"),
                business_end=settings.business_hours[1].isoformat("minutes"),
                holidays=[day.isoformat() for day in settings.holidays],
                credential_max_age_days=settings.credential_max_age_days,
                alert_evaluation_interval_seconds=settings.alert_evaluation_interval_seconds,
                alert_follow_window_seconds=settings.alert_follow_window_seconds,
                maintenance=[window.as_json() for window in settings.maintenance_windows],
                public_settings=settings.public(),
            ),
        },
    )


def _from_environment(name: str, value: str) -> str | EnvVar:
    """An unresolved EnvVar when the environment sets ``name`` (the URL may hold credentials,
    which should not show in the UI's run config); the settings' value otherwise."""
    return EnvVar(name) if current_environment().get(name) else value


def _database_resource(settings: Settings) -> PlatformDatabaseResource:
    environ = current_environment()
    if environ.get("WAOOAW_DATABASE_URL"):
        return PlatformDatabaseResource(url=EnvVar("WAOOAW_DATABASE_URL"))
    if environ.get("WAOOAW_DATABASE_URL_FILE"):
        return PlatformDatabaseResource(url_file=environ["WAOOAW_DATABASE_URL_FILE"])
    return PlatformDatabaseResource(url=settings.database_url)


defs = build_definitions(Settings.from_env(current_environment(), Path(".env")))
