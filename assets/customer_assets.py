"""Customer health's assets for one kind: business records, active agents, the figures."""

from typing import Any

from dagster import AssetExecutionContext, AssetIn, AssetsDefinition, PartitionsDefinition, asset

from assets.report_assets import SOURCE_RETRY, as_of
from assets.resources import PlatformDatabaseResource, PrometheusResource, ReportSettingsResource
from waooaw_reports.analytics.customer_health import customer_health as health_figures
from waooaw_reports.customer_measurements import measure_active_agents
from waooaw_reports.periods import Kind, period_for
from waooaw_reports.sources.business_records import read_customer_records


def build_customer_assets(
    kind: Kind, partitions_def: PartitionsDefinition
) -> list[AssetsDefinition]:
    common: dict[str, Any] = {
        "key_prefix": [kind],
        "group_name": f"{kind}_report",
        "partitions_def": partitions_def,
    }

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"sql"})
    def customer_records(
        context: AssetExecutionContext,
        platform_database: PlatformDatabaseResource,
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Trials ended, subscriptions held, tickets raised and CSAT answers of the period and
        of the period before."""
        period = period_for(kind, context.partition_key, report_settings.timezone)
        database = platform_database.open()
        try:
            records = read_customer_records(database, period.previous().start, period.end)
        finally:
            database.close()
        context.log.info(
            "Read %d trials, %d subscriptions, %d tickets and %d CSAT answers for %s and before",
            len(records["trials"]),
            len(records["subscriptions"]),
            len(records["support_tickets"]),
            len(records["csat_responses"]),
            period.key,
        )
        return records

    @asset(**common, retry_policy=SOURCE_RETRY, kinds={"prometheus"})
    def agent_activity(
        context: AssetExecutionContext,
        prometheus: PrometheusResource,
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """The mean number of active agents over the period and the period before."""
        period = period_for(kind, context.partition_key, report_settings.timezone)
        with prometheus.client() as client:
            return measure_active_agents(client, period)

    @asset(
        **common,
        ins={name: AssetIn(key=[kind, name]) for name in ("customer_records", "agent_activity")},
    )
    def customer_health(
        context: AssetExecutionContext,
        customer_records: dict[str, Any],
        agent_activity: dict[str, Any],
        report_settings: ReportSettingsResource,
    ) -> dict[str, Any]:
        """Trial conversion, churn, support tickets, satisfaction and agent utilisation."""
        period = period_for(kind, context.partition_key, report_settings.timezone)
        health = health_figures(
            customer_records,
            agent_activity["value"],
            period,
            as_of(context),
            agent_activity["previous"],
        )
        health["agent_utilisation"]["query"] = agent_activity["query"]
        context.log.info(
            "Customer health of %s: %d trials ended, %d tickets, %d CSAT answers",
            period.key,
            health["trial_conversion"]["ended"],
            health["support_tickets"]["total"],
            health["satisfaction"]["responses"],
        )
        return health

    return [customer_records, agent_activity, customer_health]
