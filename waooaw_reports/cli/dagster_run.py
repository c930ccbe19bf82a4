"""Runs one report partition through Dagster, so that each CLI run shows in the UI.

The code location is loaded by path from ``assets/`` in the repository root, as
``workspace.yaml`` does; it is never installed as a package.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from dagster import DagsterInstance, Definitions

JOBS = {"weekly": "weekly_review_job", "monthly": "monthly_audit_job"}
AS_OF_TAG = "waooaw/as_of"


class ReportRunError(RuntimeError):
    """The report run failed; the message says which step and why."""


def load_definitions(root: Path) -> Definitions:
    if not (root / "assets" / "definitions.py").is_file():
        raise ReportRunError(
            f"No assets/definitions.py under {root}: run waooaw-reports from the repository root."
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module("assets.definitions")
    return module.defs


def dagster_instance(root: Path) -> DagsterInstance:
    """The instance under DAGSTER_HOME, by default ``.dagster/`` in the repository."""
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(root / ".dagster")))
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch(exist_ok=True)
    return DagsterInstance.get()


def run_partition(kind: str, key: str, as_of: dt.datetime, root: Path) -> Path:
    """Materialise the report assets of one period; the report directory on success."""
    defs = load_definitions(root)
    job = defs.resolve_job_def(JOBS[kind])
    with dagster_instance(root) as instance:
        result = job.execute_in_process(
            partition_key=key,
            instance=instance,
            tags={AS_OF_TAG: as_of.isoformat()},
            # A failed step is summarised below by its cause; Dagster's own console log would
            # bury that under stack traces. The whole record stays in the UI.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            raise_on_error=False,
        )
    if not result.success:
        failures = [
            f"{event.step_key}: {_root_cause(event.step_failure_data.error)}"
            for event in result.all_events
            if event.is_step_failure and event.step_failure_data.error is not None
        ]
        raise ReportRunError(
            f"The {kind} report for {key} failed (Dagster run {result.run_id}).\n"
            + "\n".join(failures or ["No step failed; see the run in the Dagster UI."])
        )
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        if "directory" in materialization.metadata:
            return Path(str(materialization.metadata["directory"].value))
    raise ReportRunError(f"The {kind} run for {key} succeeded but recorded no report directory.")


def _root_cause(error: Any) -> str:
    """The message of the error a step raised itself: the library's own sentence, which names
    the URL, the query or the setting to fix, not Dagster's wrappings around it."""
    wrappers = ("Dagster", "RetryRequested")
    while str(getattr(error, "cls_name", "")).startswith(wrappers) and error.cause is not None:
        error = error.cause
    message = str(error.message).strip()
    name, _, text = message.partition(": ")
    return text if text and "." in name and " " not in name else message
