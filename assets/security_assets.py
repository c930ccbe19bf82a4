"""The security review's assets for one kind: failed logins, API clients and credentials.

Sources read Prometheus and the ``credentials`` table; ``security_review`` judges them with the
library's pure functions and feeds ``health_report``.
"""

from typing import Any

from dagster import AssetExecutionContext, AssetIn, AssetsDefinition, PartitionsDefinition, asset

from assets.report_assets import SOURCE_RETRY
from assets.resources import PlatformDatabaseResource, PrometheusResource, ReportSettingsResource
from waooaw_reports import security_measurements as measure
from waooaw_reports.analytics import security
from waooaw_reports.periods import Kind, period_for
from waooaw_reports.sources.business_records import read_credentials


def build_security_assets(
    kind: Kind, partitions_def: PartitionsDefinition
) -> list[AssetsDefinition]:
    common: dict[str, Any] = {
        "key_prefix": [kind],
        "group_name": f"{kind}_report",
        "partitions_def": partitions_def,
    }

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def security_signals(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Hourly failed logins with four weeks before, requests per API client this period
        and the one before, and the credentials gauge at the period end."""
        period = period_for(kind, context.partition_key, report_settings.timezone)
        with prometheus.client() as client:
            signals = {
                "failed_logins": measure.measure_failed_logins(client, period),
                "api_clients": measure.measure_client_requests(client, period),
                "credential_states": measure.measure_credential_states(client, period),
            }
        context.log.info(
            "Read %d hourly failed-login points and %d API clients for %s",
            len(signals["failed_logins"]["hourly"]),
            len(signals["api_clients"]["requests"]),
            period.key,
        )
        return signals

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"sql"})
    def credential_records(
        context: AssetExecutionContext, platform_database: PlatformDatabaseResource
    ) -> dict[str, Any]:
        """Every row of the credentials table: expiry and last rotation."""
        database = platform_database.open()
        try:
            rows = read_credentials(database)
        finally:
            database.close()
        context.log.info("Read %d credentials", len(rows.rows))
        return {"rows": rows.rows, "unreadable": rows.unreadable}

    @asset(
        **common,
        ins={
            name: AssetIn(key=[kind, name]) for name in ("security_signals", "credential_records")
        },
    )
    def security_review(
        context: AssetExecutionContext,
        security_signals: dict[str, Any],
        credential_records: dict[str, Any],
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Failed-login anomalies, top API client movers, credential health and rotation."""
        period = period_for(kind, context.partition_key, report_settings.timezone)
        logins = security_signals["failed_logins"]
        failed = security.failed_login_review(
            {t: v for t, v in logins["hourly"]}, logins["total"], period
        )
        clients = security_signals["api_clients"]
        movers = security.api_client_movers(
            clients["requests"],
            clients["requests_previous"],
            clients["unauthorised"],
            clients["unauthorised_previous"],
        )
        gauge = security.credential_gauge(security_signals["credential_states"]["states"])
        records = security.credential_records_review(
            credential_records["rows"], period.end, report_settings.credential_max_age_days
        )
        review = security.security_review(
            {**failed, "query": logins["query"]},
            {**movers, "query": clients["query"]},
            {**gauge, "query": security_signals["credential_states"]["query"]},
            {**records, "rejected": credential_records["unreadable"]},
        )
        context.log.info(
            "Security of %s: %d anomalous hours, credentials %s, rotation %s",
            period.key,
            failed["anomalous_hours"],
            gauge["status"],
            records["rotation_status"],
        )
        return review

    return [security_signals, credential_records, security_review]
