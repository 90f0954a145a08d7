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
