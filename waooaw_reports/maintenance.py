"""Maintenance windows: announced stretches whose requests count neither as good nor as bad.

Windows come from configuration (``WAOOAW_MAINTENANCE_WINDOWS``): a YAML file, or the same
YAML inline, holding a list of ``{start, end, reason}``. Times must carry their offset, so a
window means the same instant whichever zone the reports use (case C10).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from waooaw_reports.periods import format_time

EXAMPLE = "[{start: '2026-11-10T01:00:00+00:00', end: '2026-11-10T01:30:00+00:00', reason: DB}]"


class MaintenanceError(ValueError):
    """The maintenance windows in configuration are malformed; the message names the window."""


@dataclass(frozen=True)
class MaintenanceWindow:
    start: dt.datetime
    end: dt.datetime
    reason: str

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def as_json(self, timezone: str = "UTC") -> dict[str, str]:
        return {
            "start": format_time(self.start, timezone),
            "end": format_time(self.end, timezone),
            "reason": self.reason,
        }


def load_maintenance_windows(value: str | None) -> tuple[MaintenanceWindow, ...]:
    """The windows named by the setting: a path to a YAML file, or the YAML itself."""
    if value is None or not value.strip():
        return ()
    text, origin = value, "WAOOAW_MAINTENANCE_WINDOWS"
    if not value.lstrip().startswith(("[", "-", "{")):
        path = Path(value.strip())
        try:
            text, origin = path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise MaintenanceError(
                f"WAOOAW_MAINTENANCE_WINDOWS names the file {value.strip()!r}, which cannot be "
                f"read ({exc.strerror}); give a YAML file or the list inline, e.g. {EXAMPLE}."
            ) from exc
    return parse_maintenance_windows(text, origin)


def parse_maintenance_windows(text: str, origin: str) -> tuple[MaintenanceWindow, ...]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MaintenanceError(f"{origin} is not valid YAML: {exc}") from exc
    if isinstance(document, dict) and set(document) == {"maintenance_windows"}:
        document = document["maintenance_windows"]
    if document is None:
        return ()
    if not isinstance(document, list):
        raise MaintenanceError(
            f"{origin} must hold a list of windows with start, end and reason, e.g. {EXAMPLE}; "
            f"got {type(document).__name__}."
        )
    windows = tuple(_window(origin, index, entry) for index, entry in enumerate(document))
    return tuple(sorted(windows, key=lambda window: (window.start, window.end)))


def _window(origin: str, index: int, entry: Any) -> MaintenanceWindow:
    where = f"{origin}: window {index + 1}"
    if not isinstance(entry, dict):
        raise MaintenanceError(f"{where} must be a mapping with start, end and reason.")
    unknown = set(entry) - {"start", "end", "reason"}
    if unknown:
        raise MaintenanceError(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
    start, end = (
        _instant(where, "start", entry.get("start")),
        _instant(where, "end", entry.get("end")),
    )
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise MaintenanceError(
            f"{where}, field 'reason': expected a non-empty text, got {reason!r}."
        )
    if end <= start:
        raise MaintenanceError(
            f"{where} ends at {end.isoformat()}, not after its start {start.isoformat()}."
        )
    return MaintenanceWindow(start.astimezone(dt.UTC), end.astimezone(dt.UTC), reason.strip())


def _instant(where: str, name: str, value: Any) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise MaintenanceError(
                f"{where}, field {name!r}: {value!r} is not an ISO 8601 time such as "
                "2026-11-10T01:00:00+00:00."
            ) from exc
    if not isinstance(value, dt.datetime):
        raise MaintenanceError(f"{where}, field {name!r}: expected a time, got {value!r}.")
    if value.tzinfo is None:
        raise MaintenanceError(
            f"{where}, field {name!r}: {value.isoformat()} has no offset; write it with one, "
            "e.g. 2026-11-10T01:00:00+01:00, so the window cannot shift with the time zone."
        )
    return value


def clip(
    windows: tuple[MaintenanceWindow, ...] | list[MaintenanceWindow],
    start: dt.datetime,
    end: dt.datetime,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The parts of ``windows`` inside [start, end), overlapping parts merged, in time order.

    Merging keeps a request from being left out twice when two windows overlap.
    """
    parts = sorted(
        (max(window.start, start), min(window.end, end))
        for window in windows
        if window.start < end and window.end > start
    )
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for part_start, part_end in parts:
        if merged and part_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], part_end))
        else:
            merged.append((part_start, part_end))
    return merged
