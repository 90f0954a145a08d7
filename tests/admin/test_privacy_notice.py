"""The public privacy notice the bot links to at the start of every conversation."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient

from oirs.settings import Settings


def test_the_notice_is_public_and_states_the_deployments_own_terms(
    app: Flask, client: FlaskClient, app_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = replace(app_settings, retention_years="reclamo=7")
    monkeypatch.setitem(app.extensions, "oirs_settings", configured)
    response = client.get("/privacidad")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    commune = app_settings.commune
    for fact in (commune.name, commune.oirs_address, commune.email):
        assert fact in page
    assert "<tr><td>Reclamo</td><td>7</td></tr>" in page
    assert "<tr><td>Felicitación</td><td>2</td></tr>" in page
    for right in ("acceso", "rectificación", "supresión", "oposición", "portabilidad", "bloqueo"):
        assert right in page
    assert "30 días corridos" in page and "Agencia de Protección de Datos Personales" in page
    assert "Solo para registrar, tramitar y responder su caso" in page


def test_the_bots_default_privacy_link_is_this_page() -> None:
    """Without OIRS_PRIVACY_POLICY_URL the data notice links here; it used to be a 404."""
    configured = Settings.from_env({"OIRS_PUBLIC_URL": "https://oirs.municipalidad.cl/"})
    assert configured.commune.privacy_policy_url == "https://oirs.municipalidad.cl/privacidad"
    assert urlparse(configured.commune.privacy_policy_url).path == "/privacidad"


def test_a_communes_own_policy_replaces_the_link() -> None:
    own = "https://www.municipalidad.cl/politica-de-privacidad"
    configured = Settings.from_env({"OIRS_PRIVACY_POLICY_URL": own})
    assert configured.commune.privacy_policy_url == own
