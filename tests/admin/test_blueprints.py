"""create_app registers one explicit list of imported blueprints, in order, with their prefixes."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from admin import create_app
from admin.blueprints import BLUEPRINTS
from oirs.settings import Settings

# area -> URL prefix, in the order create_app registers them (health first, the API second)
AREAS = {
    "health": None,
    "api": "/api/v1",
    "auth": None,
    "cases": "/casos",
    "settings_ui": "/configuracion",
    "open311": "/open311/v2",
    "console": "/consola",
    "sai": "/transparencia",
    "stats": "/estadisticas",
    "widget": None,
    "twilio_status": None,
    "privacy_ui": "/datos-personales",
    "privacy_notice": None,
}


def test_blueprints_are_imported_objects_with_their_url_prefixes_in_order() -> None:
    assert all(isinstance(blueprint, Blueprint) for blueprint in BLUEPRINTS)
    assert [(b.name, b.url_prefix) for b in BLUEPRINTS] == list(AREAS.items())


def test_the_app_registers_exactly_that_list(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"OIRS_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'oirs.db'}"}
    )
    assert list(create_app(settings).blueprints) == list(AREAS)
