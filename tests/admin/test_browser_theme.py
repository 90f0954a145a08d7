"""Headless Chromium on the new-case form: the theme suggestion follows what staff type,
fills the category only when confident, offers three when unsure, and never overrides
a category staff chose."""

from __future__ import annotations

import pytest

from tests.admin.test_browser_workflow import live_admin, log_in, page, shot  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_form_suggests_the_theme_as_staff_type(live_admin: dict[str, str], page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    log_in(page, live_admin["base"], "paula@muni.cl")
    page.goto(f"{live_admin['base']}/casos/nuevo")
    description, category = page.locator("#description"), page.locator("#category")
    suggestion = page.locator("#tema-sugerido")

    description.fill("una jauría de perros vagos anda suelta por la plaza y muerde a los niños")
    description.press("Tab")
    expect(category).to_have_value("animales")
    expect(suggestion).to_contain_text("Animales y tenencia responsable")
    shot(page, "tema-sugerido")

    description.fill("buenas tardes, vengo a dejar un reclamo por lo que pasa en mi pasaje")
    description.press("Tab")
    expect(suggestion).to_contain_text("Las más probables")
    expect(category).to_have_value("")  # the earlier suggestion is withdrawn
    choices = suggestion.get_by_role("button")
    expect(choices).to_have_count(3)
    choices.nth(1).click()
    expect(category).not_to_have_value("")

    category.select_option("seguridad")
    description.fill("el camión de la basura no pasa hace dos semanas por el pasaje")
    description.press("Tab")
    expect(suggestion).to_contain_text("Aseo y recolección de residuos")
    expect(category).to_have_value("seguridad")
