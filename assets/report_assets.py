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
from waooaw_reports import measurements, offenders, scorecard
from waooaw_reports import report as report_model
from waooaw_reports.analytics.incident_review import review_incidents
from waooaw_reports.analytics.incident_trend import trend_periods
from waooaw_reports.analytics.incidents import summarise_incidents
from waooaw_reports.incident_measurements import measure_incident_telemetry
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

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"sql"})
    def business_metric_measurements(
        context: AssetExecutionContext,
        platform_database: PlatformDatabaseResource,
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """Each catalog metric read from the platform database (trials, CSAT answers), for the
        period and for the period before."""
        period = period_of(context, report_settings)
        database = platform_database.open()
        try:
            measured = scorecard.measure_business_metrics(
                database, report_settings.catalog(), period, as_of(context)
            )
        finally:
            database.close()
        context.log.info("Measured %d database metrics for %s", len(measured), period.key)
        return measured

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def top_offenders(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """The worst endpoints by 5xx share and by P95 latency, and the slowest queries."""
        period = period_of(context, report_settings)
        with prometheus.client() as client:
            found = offenders.top_offenders(client, period)
        context.log.info(
            "Top offenders of %s: %d endpoints with 5xx, %d timed endpoints, %d timed queries",
            period.key,
            found["error_rate"]["offending"],
            found["latency_p95"]["measured"],
            found["slow_queries"]["measured"],
        )
        return found

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
        """Incident rows of the trend's periods up to the alert follow window after this one,
        and all action items, from the platform database."""
        period = period_of(context, report_settings)
        start = trend_periods(period)[0].start
        end = period.end + dt.timedelta(seconds=report_settings.alert_follow_window_seconds)
        database = platform_database.open()
        try:
            incidents = database.incidents(start, end)
            items = database.action_items()
        finally:
            database.close()
        context.log.info(
            "Read %d incidents from %s to %s and %d action items",
            len(incidents.rows),
            start.isoformat(),
            end.isoformat(),
            len(items.rows),
        )
        return {
            "incidents": incidents.rows,
            "unreadable": incidents.unreadable + items.unreadable,
            "action_items": items.rows,
        }

    @asset(
        **common, ins=upstream("incident_records"), retry_policy=SOURCE_RETRY, kinds={"prometheus"}
    )
    def incident_telemetry(
        context: AssetExecutionContext,
        incident_records: dict[str, Any],
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Bad API requests while each incident was open, and the alerts that fired."""
        period = period_of(context, report_settings)
        instant = as_of(context)
        summary = summarise_incidents(
            incident_records["incidents"], period, instant, report_settings.business_hours()
        )
        with prometheus.client() as client:
            telemetry = measure_incident_telemetry(
                client,
                report_settings.catalog(),
                summary.items,
                period,
                instant,
                report_settings.alert_evaluation_interval_seconds,
                report_settings.alert_follow_window_seconds,
            )
            context.log.info(
                "Read error budget windows of %d incidents and %d alert series of %s "
                "with %d queries",
                len(summary.items),
                len(telemetry["alerts"]["series"]),
                period.key,
                client.queries_sent,
            )
        return telemetry

    @asset(**common, ins=upstream("slo_measurements"))
    def sla_compliance(
        context: AssetExecutionContext,
        slo_measurements: list[dict[str, Any]],
        report_settings: ReportSettingsResource,
    ) -> list[dict[str, Any]]:
        """SLI, error budget and downtime of each SLO for the period."""
        period = period_of(context, report_settings)
        return report_model.sla_compliance(slo_measurements, period)

    @asset(**common, ins=upstream("metric_measurements", "business_metric_measurements"))
    def metric_scorecard(
        metric_measurements: list[dict[str, Any]],
        business_metric_measurements: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Each playbook metric with its status against target and alert threshold."""
        return report_model.metric_scorecard(metric_measurements + business_metric_measurements)

    @asset(**common, ins=upstream("incident_records", "incident_telemetry"))
    def incident_review(
        context: AssetExecutionContext,
        incident_records: dict[str, Any],
        incident_telemetry: dict[str, Any],
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Incident counts, MTTD/MTTA/MTTR/MTTM, playbook targets, post-mortems, the trend,
        error-budget attribution, detection from alerts and alert noise."""
        period = period_of(context, report_settings)
        review = review_incidents(
            incident_records["incidents"],
            period,
            as_of(context),
            report_settings.business_hours(),
            incident_telemetry,
        )
        context.log.info(
            "Reviewed %d incidents of %s, %d rejected; %s alert episodes fired",
            review["total"],
            period.key,
            len(review["rejected"]),
            review["alert_noise"]["fired"],
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
            "security_review",
            "customer_health",
            "top_offenders",
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
        security_review: dict[str, Any],
        customer_health: dict[str, Any],
        top_offenders: dict[str, Any],
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
            security=security_review,
            customer_health=customer_health,
            top_offenders=top_offenders,
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
        business_metric_measurements,
        top_offenders,
        capacity_history,
        data_coverage,
        incident_records,
        incident_telemetry,
        sla_compliance,
        metric_scorecard,
        incident_review,
        capacity_projection,
        health_report,
        report_files,
    ]
