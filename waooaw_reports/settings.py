"""Settings, read once where the CLI or the code location starts and handed down.

Library modules never read the environment; they receive a ``Settings``. Secrets (the database
URL may carry a password, the SendGrid key) come only from the environment or from a file named
by ``<NAME>_FILE``, never from a command-line flag.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dotenv import dotenv_values

from waooaw_reports.maintenance import MaintenanceError, MaintenanceWindow, load_maintenance_windows
from waooaw_reports.periods import PeriodError, zone

DEMO_PROMETHEUS_PORT = 19090
SECRET_NAMES = ("WAOOAW_DATABASE_URL", "SENDGRID_API_KEY")


class SettingsError(ValueError):
    """A setting that is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    prometheus_url: str = "http://127.0.0.1:9090"
    database_url: str = field(default="sqlite:///platform.db", repr=False)
    timezone: str = "UTC"
    reports_dir: Path = Path("reports")
    catalog: Path | None = None
    recipients: tuple[str, ...] = ()
    email_from: str = "waooaw-reports@localhost"
    reports_base_url: str | None = None
    sendgrid_api_key: str | None = field(default=None, repr=False)
    prometheus_timeout_seconds: float = 30.0
    capacity_volume: str = "/var/lib/postgresql"
    business_hours: tuple[dt.time, dt.time] = (dt.time(9), dt.time(18))
    holidays: tuple[dt.date, ...] = ()
    credential_max_age_days: int = 90
    alert_evaluation_interval_seconds: int = 60
    alert_follow_window_seconds: int = 1800
    maintenance_windows: tuple[MaintenanceWindow, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str], dotenv: Path | None = None) -> Settings:
        """Settings from ``environ``, over the values of a ``.env`` file when one is given."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(environ)
        return cls._from_values(values)

    @classmethod
    def _from_values(cls, values: Mapping[str, str]) -> Settings:
        defaults = cls()

        def get(name: str) -> str | None:
            value = values.get(name)
            file_name = values.get(f"{name}_FILE")
            if value is None and file_name:
                try:
                    value = Path(file_name).read_text(encoding="utf-8")
                except OSError as exc:
                    raise SettingsError(
                        f"{name}_FILE names {file_name!r}, which cannot be read: {exc.strerror}."
                    ) from exc
            value = value.strip() if value is not None else None
            return value or None

        settings = replace(
            defaults,
            prometheus_url=get("WAOOAW_PROMETHEUS_URL") or defaults.prometheus_url,
            database_url=get("WAOOAW_DATABASE_URL") or defaults.database_url,
            timezone=get("WAOOAW_TIMEZONE") or defaults.timezone,
            reports_dir=Path(get("WAOOAW_REPORTS_DIR") or defaults.reports_dir),
            catalog=Path(c) if (c := get("WAOOAW_CATALOG")) else None,
            recipients=_split_list(get("WAOOAW_REPORT_RECIPIENTS")),
            email_from=get("WAOOAW_EMAIL_FROM") or defaults.email_from,
            reports_base_url=get("WAOOAW_REPORTS_BASE_URL"),
            sendgrid_api_key=get("SENDGRID_API_KEY"),
            prometheus_timeout_seconds=_float(
                get("WAOOAW_PROMETHEUS_TIMEOUT"), "WAOOAW_PROMETHEUS_TIMEOUT", 30.0
            ),
            capacity_volume=get("WAOOAW_CAPACITY_VOLUME") or defaults.capacity_volume,
            business_hours=_hours(get("WAOOAW_BUSINESS_HOURS")) or defaults.business_hours,
            holidays=_dates(get("WAOOAW_HOLIDAYS")),
            credential_max_age_days=_whole(
                get("WAOOAW_CREDENTIAL_MAX_AGE_DAYS"), "WAOOAW_CREDENTIAL_MAX_AGE_DAYS", 90
            ),
            alert_evaluation_interval_seconds=_duration(
                get("WAOOAW_ALERT_EVALUATION_INTERVAL"),
                "WAOOAW_ALERT_EVALUATION_INTERVAL",
                defaults.alert_evaluation_interval_seconds,
            ),
            alert_follow_window_seconds=_duration(
                get("WAOOAW_ALERT_FOLLOW_WINDOW"),
                "WAOOAW_ALERT_FOLLOW_WINDOW",
                defaults.alert_follow_window_seconds,
            ),
            maintenance_windows=maintenance_windows(get("WAOOAW_MAINTENANCE_WINDOWS")),
        )
        return settings.validated()

    def with_overrides(self, **overrides: Any) -> Settings:
        """These settings with the non-empty ``overrides`` (command-line flags) applied."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given).validated()

    def validated(self) -> Settings:
        try:
            zone(self.timezone)
        except PeriodError as exc:
            raise SettingsError(f"WAOOAW_TIMEZONE: {exc}") from exc
        scheme = urlsplit(self.prometheus_url).scheme
        if scheme not in ("http", "https"):
            raise SettingsError(
                f"WAOOAW_PROMETHEUS_URL must be an http(s) URL such as http://127.0.0.1:9090; "
                f"got {redact_url(self.prometheus_url)!r}."
            )
        if self.prometheus_timeout_seconds <= 0:
            raise SettingsError("WAOOAW_PROMETHEUS_TIMEOUT must be a positive number of seconds.")
        if self.credential_max_age_days < 1:
            raise SettingsError(
                "WAOOAW_CREDENTIAL_MAX_AGE_DAYS must be a whole number of days, 1 or more; "
                f"got {self.credential_max_age_days!r}."
            )
        if self.business_hours[0] >= self.business_hours[1]:
            raise SettingsError("WAOOAW_BUSINESS_HOURS must be START-END with START before END.")
        return self

    def public(self) -> dict[str, Any]:
        """The settings as recorded in a report: secrets left out, URLs without credentials."""
        data = asdict(self)
        data.pop("sendgrid_api_key")
        data["database_url"] = redact_url(self.database_url)
        data["prometheus_url"] = redact_url(self.prometheus_url)
        data["reports_dir"] = str(self.reports_dir)
        data["catalog"] = str(self.catalog) if self.catalog else None
        data["recipients"] = list(self.recipients)
        data["business_hours"] = [t.isoformat("minutes") for t in self.business_hours]
        data["holidays"] = [d.isoformat() for d in self.holidays]
        data["maintenance_windows"] = [w.as_json() for w in self.maintenance_windows]
        return data


def redact_url(url: str) -> str:
    """``url`` with any user name and password removed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _split_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _float(value: str | None, name: str, default: float) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number; got {value!r}.") from exc


def _whole(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number; got {value!r}.") from exc


def _hours(value: str | None) -> tuple[dt.time, dt.time] | None:
    if value is None:
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as exc:
        raise SettingsError(
            f"WAOOAW_BUSINESS_HOURS must look like 09:00-18:00; got {value!r}."
        ) from exc
    return start, end


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600}


def _duration(value: str | None, name: str, default: int) -> int:
    """Whole seconds from ``90``, ``90s``, ``1m`` or ``2h``; positive."""
    if value is None:
        return default
    text = value.strip().lower()
    unit = _DURATION_UNITS.get(text[-1:])
    number = text[:-1] if unit is not None else text
    try:
        seconds = int(number) * (unit or 1)
    except ValueError as exc:
        raise SettingsError(
            f"{name} must be a whole number of seconds, minutes or hours such as 60s, 1m or "
            f"1h; got {value!r}."
        ) from exc
    if seconds <= 0:
        raise SettingsError(f"{name} must be longer than zero; got {value!r}.")
    return seconds


def maintenance_windows(value: str | None) -> tuple[MaintenanceWindow, ...]:
    """WAOOAW_MAINTENANCE_WINDOWS: a YAML file's path, or the YAML list inline."""
    try:
        return load_maintenance_windows(value)
    except MaintenanceError as exc:
        raise SettingsError(str(exc)) from exc


def _dates(value: str | None) -> tuple[dt.date, ...]:
    try:
        return tuple(dt.date.fromisoformat(day) for day in _split_list(value))
    except ValueError as exc:
        raise SettingsError(
            f"WAOOAW_HOLIDAYS must be comma-separated dates such as 2026-12-25; got {value!r}."
        ) from exc


def current_environment() -> Mapping[str, str]:
    """The process environment; only the outermost faces (CLI, code location) call this."""
    return os.environ
