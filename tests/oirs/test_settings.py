"""Production mode refuses to start without its secrets or with debug on."""

from __future__ import annotations

import pytest

from oirs.settings import ConfigurationError, Settings

SECRET = "x" * 40
PRODUCTION = {
    "OIRS_ENV": "production",
    "OIRS_SECRET_KEY": SECRET,
    "OIRS_PUBLIC_URL": "https://oirs.municipalidad.cl",
}


def test_development_runs_with_nothing_set() -> None:
    settings = Settings.from_env({})
    assert not settings.production
    assert settings.database_url.startswith("sqlite:///")


def test_production_with_its_secrets_starts() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.production
    assert settings.public_url == "https://oirs.municipalidad.cl"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"OIRS_SECRET_KEY": ""}, "OIRS_SECRET_KEY"),
        ({"OIRS_SECRET_KEY": "short"}, "OIRS_SECRET_KEY"),
        ({"FLASK_DEBUG": "1"}, "FLASK_DEBUG"),
        ({"OIRS_PUBLIC_URL": "http://oirs.municipalidad.cl"}, "https"),
    ],
)
def test_production_refuses_unsafe_configuration(change: dict[str, str], complaint: str) -> None:
    env = {**PRODUCTION, **change}
    if not env["OIRS_SECRET_KEY"]:
        del env["OIRS_SECRET_KEY"]
    with pytest.raises(ConfigurationError, match=complaint):
        Settings.from_env(env)


def test_database_url_and_comuna_come_from_the_environment() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@h/db", "OIRS_COMUNA": "Chillán"})
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.commune.comuna == "Chillán"


def test_variables_left_empty_count_as_unset() -> None:
    configured = Settings.from_env(
        {"OIRS_SECRET_KEY": "", "OIRS_PRIVACY_POLICY_URL": "", "OIRS_COMMUNE_NAME": ""}
    )
    assert configured.secret_key == Settings.secret_key
    assert configured.commune.privacy_policy_url.endswith("/privacidad")
    assert configured.commune.name == "Municipalidad de Ejemplo"
    with pytest.raises(ConfigurationError, match="OIRS_SECRET_KEY"):
        Settings.from_env({**PRODUCTION, "OIRS_SECRET_KEY": ""})


def test_the_admins_process_settings_come_from_the_environment_with_their_defaults() -> None:
    """Read once here, not by each module (issue 15): same variable names, same defaults."""
    default = Settings.from_env({})
    assert (default.admin_workers, default.admin_stream_slots, default.admin_relay_slots) == (
        2,
        2,
        4,
    )
    assert default.widget_origins == () and default.rasa_auth_token is None
    assert default.retention_years == "" and default.twilio_template_content_sid is None
    assert default.twilio_api_base == "https://api.twilio.com"
    assert default.telegram_api_base == "https://api.telegram.org"
    configured = Settings.from_env(
        {
            "OIRS_ADMIN_WORKERS": "4",
            "OIRS_ADMIN_STREAM_SLOTS": "1",
            "OIRS_ADMIN_RELAY_SLOTS": "3",
            "OIRS_WIDGET_ORIGINS": "https://www.muni.cl, https://otra.muni.cl,",
            "RASA_AUTH_TOKEN": "rasa-secret",
            "OIRS_RETENTION_YEARS": "reclamo=7",
            "TWILIO_TEMPLATE_CONTENT_SID": "HX123",
            "TWILIO_API_BASE": "http://127.0.0.1:9001",
            "TELEGRAM_API_BASE": "http://127.0.0.1:9002",
        }
    )
    assert (configured.admin_workers, configured.admin_stream_slots) == (4, 1)
    assert configured.admin_relay_slots == 3
    assert configured.widget_origins == ("https://www.muni.cl", "https://otra.muni.cl")
    assert configured.rasa_auth_token == "rasa-secret"
    assert configured.retention_years == "reclamo=7"
    assert configured.twilio_template_content_sid == "HX123"
    assert configured.twilio_api_base == "http://127.0.0.1:9001"
    assert configured.telegram_api_base == "http://127.0.0.1:9002"


@pytest.mark.parametrize(
    "variable", ["OIRS_ADMIN_WORKERS", "OIRS_ADMIN_STREAM_SLOTS", "OIRS_ADMIN_RELAY_SLOTS"]
)
def test_a_typo_in_a_worker_count_stops_the_start(variable: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        Settings.from_env({variable: "dos"})
