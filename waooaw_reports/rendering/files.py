"""Writing a period's report files: each one replaced atomically, never left half written."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from .html import render_html
from .pdf import render_pdf

logger = logging.getLogger(__name__)

# Spreadsheet programs run a cell that starts with one of these as a formula; incident titles
# are free text, so such cells get a leading apostrophe in the CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_report_files(report: dict[str, Any], directory: Path) -> dict[str, Path]:
    """Render and write report.pdf, report.html, incidents.csv and report.json.

    Everything is rendered before anything is written, so a rendering failure leaves the
    files of an earlier run as they were. report.json is written last: when it is new, the
    other files are too.
    """
    html = render_html(report)
    pdf = render_pdf(html)
    contents = {
        "pdf": ("report.pdf", pdf),
        "html": ("report.html", html.encode("utf-8")),
        "incidents_csv": ("incidents.csv", incidents_csv(report["incidents"]["items"])),
        "json": ("report.json", report_json(report)),
    }

    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        kind: write_atomically(directory / name, data) for kind, (name, data) in contents.items()
    }
    _sync_directory(directory)

    logger.info("Wrote the report of period %s to %s", report["period"]["key"], directory)
    return paths


def report_json(report: dict[str, Any]) -> bytes:
    # allow_nan=False: a figure that cannot be computed is null, never NaN (DESIGN §6).
    text = json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def incidents_csv(items: list[dict[str, Any]]) -> bytes:
    """Every incident of the period, one row each, columns in the order they first appear."""
    columns: list[str] = []
    for item in items:
        columns.extend(key for key in item if key not in columns)

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for item in items:
        writer.writerow([_csv_cell(item.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def write_atomically(path: Path, data: bytes) -> Path:
    """Write to a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return path


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _sync_directory(directory: Path) -> None:
    # The renames are durable only once the directory entry is on disk too.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
