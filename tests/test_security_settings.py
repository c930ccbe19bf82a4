import pytest

from waooaw_reports.settings import Settings, SettingsError


def test_credential_max_age_defaults_to_90_days():
    assert Settings.from_env({}).credential_max_age_days == 90
    settings = Settings.from_env({"WAOOAW_CREDENTIAL_MAX_AGE_DAYS": " 30 "})
    assert settings.credential_max_age_days == 30
    assert settings.public()["credential_max_age_days"] == 30


@pytest.mark.parametrize(
    ("value", "message"),
    [("ninety", "must be a whole number; got 'ninety'"), ("0", "1 or more; got 0")],
)
def test_a_bad_credential_max_age_is_named(value, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"WAOOAW_CREDENTIAL_MAX_AGE_DAYS": value})
