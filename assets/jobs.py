"""One job per report kind, selecting that kind's assets (their partitions come along)."""

from typing import Any

from dagster import AssetSelection, define_asset_job

JOB_NAMES = {"weekly": "weekly_review_job", "monthly": "monthly_audit_job"}


def report_job(kind: str) -> Any:
    return define_asset_job(
        JOB_NAMES[kind],
        selection=AssetSelection.groups(f"{kind}_report"),
        description=f"Builds the {kind} health report of one period.",
    )
