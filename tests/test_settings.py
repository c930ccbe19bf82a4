import datetime as dt
from pathlib import Path

import pytest

from waooaw_reports.settings import Settings, SettingsError, redact_url


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert settings.prometheus_url == "http://127.0.0.1:9090"
    assert settings.timezone == "UTC"
    assert settings.reports_dir == Path("reports")


def test_environment_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("WAOOAW_TIMEZONE=Europe/Berlin\nWAOOAW_PROMETHEUS_URL=http://a:1\n")
    settings = Settings.from_env({"WAOOAW_PROMETHEUS_URL": "http://b:2"}, dotenv)
    assert settings.timezone == "Europe/Berlin"
    assert settings.prometheus_url == "http://b:2"


def test_secret_from_file_is_stripped(tmp_path):
    # A key file that ends in a newline must not carry it into a header (case C21).
    key_file = tmp_path / "key"
    key_file.write_text("SG.secret\n")
    settings = Settings.from_env({"SENDGRID_API_KEY_FILE": str(key_file)})
    assert settings.sendgrid_api_key == "SG.secret"
    assert "SG.secret" not in repr(settings)
    assert "sendgrid_api_key" not in settings.public()


def test_public_settings_drop_credentials():
    settings = Settings.from_env(
        {"WAOOAW_DATABASE_URL": "postgresql://ops:hunter2@db.internal:5432/platform"}
    )
    assert settings.public()["database_url"] == "postgresql://db.internal:5432/platform"
    assert "hunter2" not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WAOOAW_TIMEZONE": "Mars/Olympus"}, "not an IANA zone"),
        ({"WAOOAW_PROMETHEUS_URL": "127.0.0.1:9090"}, "http\\(s\\) URL"),
        ({"WAOOAW_PROMETHEUS_TIMEOUT": "soon"}, "must be a number"),
        ({"WAOOAW_BUSINESS_HOURS": "9-6"}, "look like 09:00-18:00"),
        ({"WAOOAW_HOLIDAYS": "2026-13-01"}, "comma-separated dates"),
        ({"SENDGRID_API_KEY_FILE": "/nonexistent/key"}, "cannot be read"),
    ],
)
def test_bad_settings_are_named(environ, message):
    with pytest.raises((SettingsError, ValueError), match=message):
        Settings.from_env(environ)


def test_holidays_and_hours():
    settings = Settings.from_env(
        {"WAOOAW_HOLIDAYS": "2026-12-25, 2026-12-26", "WAOOAW_BUSINESS_HOURS": "08:30-17:00"}
    )
    assert settings.holidays == (dt.date(2026, 12, 25), dt.date(2026, 12, 26))
    assert settings.business_hours == (dt.time(8, 30), dt.time(17))


@pytest.mark.parametrize(
    ("url", "redacted"),
    [
        ("http://user:pw@prom:9090/x", "http://prom:9090/x"),
        ("http://prom:9090", "http://prom:9090"),
        ("sqlite:////var/db.sqlite", "sqlite:////var/db.sqlite"),
    ],
)
def test_redact_url(url, redacted):
    assert redact_url(url) == redacted


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1m", 60), ("90s", 90), ("90", 90), (" 2H ", 7200), ("30m", 1800)],
)
def test_alert_durations(value, seconds):
    settings = Settings.from_env(
        {"WAOOAW_ALERT_EVALUATION_INTERVAL": value, "WAOOAW_ALERT_FOLLOW_WINDOW": value}
    )
    assert settings.alert_evaluation_interval_seconds == seconds
    assert settings.alert_follow_window_seconds == seconds


def test_alert_duration_defaults_and_refusals():
    defaults = Settings.from_env({})
    assert (defaults.alert_evaluation_interval_seconds, defaults.alert_follow_window_seconds) == (
        60,
        1800,
    )
    with pytest.raises(SettingsError, match="WAOOAW_ALERT_FOLLOW_WINDOW .* got 'half an hour'"):
        Settings.from_env({"WAOOAW_ALERT_FOLLOW_WINDOW": "half an hour"})
    with pytest.raises(SettingsError, match="longer than zero"):
        Settings.from_env({"WAOOAW_ALERT_EVALUATION_INTERVAL": "0s"})
