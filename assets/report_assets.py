"""The report's assets for one kind (weekly or monthly), partitioned by period.

Each asset reads its period from the partition key, asks a resource for data or calls a pure
function of the library, and returns plain data. Source assets retry on connection errors and
5xx answers; the library's client already retries within one attempt.
"""

import datetime as dt
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetsDefinition,
    Backoff,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    RetryPolicy,
    asset,
)

from assets.resources import PlatformDatabaseResource, PrometheusResource, ReportSettingsResource
from waooaw_reports import measurements
from waooaw_reports import report as report_model
from waooaw_reports.analytics.incidents import summarise_incidents
from waooaw_reports.periods import Kind, Period, period_for
from waooaw_reports.rendering import write_report_files
from waooaw_reports.slo_measurements import measure_slos as slo_measurements_of
from waooaw_reports.slo_report import maintenance_in_period

AS_OF_TAG = "waooaw/as_of"
SOURCE_RETRY = RetryPolicy(max_retries=2, delay=5, backoff=Backoff.EXPONENTIAL)
LOOKBACK_DAYS = {"weekly": 30, "monthly": 90}


def as_of(context: AssetExecutionContext) -> dt.datetime:
    """The run's as-of instant: its tag when given, else when the run was created."""
    tag = context.run.tags.get(AS_OF_TAG)
    if tag:
        return dt.datetime.fromisoformat(tag).astimezone(dt.UTC)
    record = context.instance.get_run_record_by_id(context.run_id)
    assert record is not None
    return record.create_timestamp.astimezone(dt.UTC)


def build_report_assets(kind: Kind, partitions_def: PartitionsDefinition) -> list[AssetsDefinition]:
    def upstream(*names: str) -> dict[str, AssetIn]:
        return {name: AssetIn(key=[kind, name]) for name in names}

    common: dict[str, Any] = {
        "key_prefix": [kind],
        "group_name": f"{kind}_report",
        "partitions_def": partitions_def,
    }

    def period_of(context: AssetExecutionContext, settings: ReportSettingsResource) -> Period:
        return period_for(kind, context.partition_key, settings.timezone)

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def slo_measurements(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """Good and total events and downtime minutes per SLO, less maintenance windows, over
        the period, the rolling 28 and last 7 days, the periods before and (monthly) each day."""
        period = period_of(context, report_settings)
        windows = report_settings.maintenance_windows()
        with prometheus.client() as client:
            measured = slo_measurements_of(client, report_settings.catalog(), period, windows)
            context.log.info(
                "Measured %d SLOs for %s with %d queries; %d maintenance windows configured",
                len(measured),
                period.key,
                client.queries_sent,
                len(windows),
            )
        return measured

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def metric_measurements(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """Each catalog metric for the period and for the period before, from Prometheus."""
        period = period_of(context, report_settings)
        with prometheus.client() as client:
            measured = measurements.measure_metrics(client, report_settings.catalog(), period)
            context.log.info(
                "Measured %d metrics for %s and %s with %d queries",
                len(measured),
                period.key,
                period.previous().key,
                client.queries_sent,
            )
        return measured

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def capacity_history(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """Daily values of each capacity resource over the look-back ending with the period."""
        period = period_of(context, report_settings)
        with prometheus.client() as client:
            history = measurements.measure_capacity(
                client,
                report_settings.catalog(),
                period,
                LOOKBACK_DAYS[kind],
                report_settings.capacity_volume,
            )
        context.log.info("Read %d resources over %d days", len(history), LOOKBACK_DAYS[kind])
        return history

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def data_coverage(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """Sample coverage of the period for each series the report uses."""
        period = period_of(context, report_settings)
        with prometheus.client() as client:
            coverage = measurements.measure_data_coverage(client, report_settings.catalog(), period)
        gaps = [c["series"] for c in coverage if (c["coverage"] or 0) < 0.99]
        context.log.info("Coverage of %d series read; %d with gaps", len(coverage), len(gaps))
        return coverage

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"sql"})
    def incident_records(
        context: AssetExecutionContext,
        platform_database: PlatformDatabaseResource,
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Incident rows of the period and all action items, from the platform database."""
        period = period_of(context, report_settings)
        database = platform_database.open()
        try:
            incidents = database.incidents(period.start, period.end)
            items = database.action_items()
        finally:
            database.close()
        context.log.info(
            "Read %d incidents of %s and %d action items",
            len(incidents.rows),
            period.key,
            len(items.rows),
        )
        return {
            "incidents": incidents.rows,
            "unreadable": incidents.unreadable + items.unreadable,
            "action_items": items.rows,
        }

    @asset(**common, ins=upstream("slo_measurements"))
    def sla_compliance(
        context: AssetExecutionContext,
        slo_measurements: list[dict[str, Any]],
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """SLI, error budget and downtime of each SLO for the period."""
        period = period_of(context, report_settings)
        return report_model.sla_compliance(slo_measurements, period)

    @asset(**common, ins=upstream("metric_measurements"))
    def metric_scorecard(metric_measurements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each playbook metric with its status against target and alert threshold."""
        return report_model.metric_scorecard(metric_measurements)

    @asset(**common, ins=upstream("incident_records"))
    def incident_review(
        context: AssetExecutionContext,
        incident_records: dict[str, Any],
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Incident counts, MTTD/MTTA/MTTR, playbook targets and post-mortems."""
        period = period_of(context, report_settings)
        review = summarise_incidents(
            incident_records["incidents"], period, as_of(context), report_settings.business_hours()
        ).as_json()
        context.log.info(
            "Reviewed %d incidents, %d rejected", review["total"], len(review["rejected"])
        )
        return review

    @asset(**common, ins=upstream("capacity_history"))
    def capacity_projection(
        context: AssetExecutionContext,
        capacity_history: list[dict[str, Any]],
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """Growth, projections and verdict of each capacity resource."""
        period = period_of(context, report_settings)
        return report_model.capacity_projection(capacity_history, period)

    @asset(
        **common,
        ins=upstream(
            "sla_compliance",
            "metric_scorecard",
            "incident_review",
            "capacity_projection",
            "data_coverage",
            "incident_records",
        ),
    )
    def health_report(
        context: AssetExecutionContext,
        sla_compliance: list[dict[str, Any]],
        metric_scorecard: list[dict[str, Any]],
        incident_review: dict[str, Any],
        capacity_projection: list[dict[str, Any]],
        data_coverage: list[dict[str, Any]],
        incident_records: dict[str, Any],
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """The report model: report.json's content (DESIGN §6)."""
        period = period_of(context, report_settings)
        return report_model.build_report(
            period=period,
            as_of=as_of(context),
            generated_at=dt.datetime.now(dt.UTC),
            slos=sla_compliance,
            metrics=metric_scorecard,
            incidents=incident_review,
            unreadable_rows=incident_records["unreadable"],
            action_items=incident_records["action_items"],
            capacity=capacity_projection,
            coverage=data_coverage,
            catalog=report_settings.catalog(),
            settings=report_settings.public_settings,
            maintenance_windows=maintenance_in_period(
                report_settings.maintenance_windows(), period
            ),
        )

    @asset(**common, ins=upstream("health_report"))
    def report_files(
        context: AssetExecutionContext,
        health_report: dict[str, Any],
        report_settings: ReportSettingsResource,
    ) -> MaterializeResult:
        """report.json, report.html and report.pdf, written atomically."""
        directory = report_model.report_directory(
            report_settings.reports_dir, kind, context.partition_key
        )
        paths = write_report_files(health_report, directory)
        context.log.info("Wrote the %s report for %s to %s", kind, context.partition_key, directory)
        return MaterializeResult(
            metadata={
                "status": health_report["status"],
                "directory": MetadataValue.path(str(directory)),
                **{name: MetadataValue.path(str(path)) for name, path in paths.items()},
            }
        )

    return [
        slo_measurements,
        metric_measurements,
        capacity_history,
        data_coverage,
        incident_records,
        sla_compliance,
        metric_scorecard,
        incident_review,
        capacity_projection,
        health_report,
        report_files,
    ]
