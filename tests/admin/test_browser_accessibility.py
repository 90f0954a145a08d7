"""Accessibility of the staff panel in a real browser: landmarks, a label for every control,
keyboard use, and WCAG AA contrast of the colours the panel uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.admin.test_browser_workflow import ARTIFACTS, live_admin, log_in, page  # noqa: F401

pytestmark = pytest.mark.browser
PAGES = ["/casos/", "/casos/{folio}", "/casos/nuevo", "/cuenta/contrasena"]
ADMIN_PAGES = [
    "/configuracion/",
    "/configuracion/unidades",
    "/configuracion/categorias",
    "/configuracion/plazos",
    "/configuracion/feriados",
    "/configuracion/plantillas",
    "/configuracion/usuarios",
]

UNLABELLED_JS = """
() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.type !== 'submit')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""
DUPLICATE_IDS_JS = """
() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
  return Object.keys(seen).filter(id => seen[id] > 1);
}
"""
COLOURS_JS = """
(selector) => [...document.querySelectorAll(selector)].slice(0, 3).map(el => {
  let bg = 'rgba(0, 0, 0, 0)', node = el;
  while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
    bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
  }
  return [getComputedStyle(el).color, bg === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : bg];
})
"""
CHECKED = [
    "body",
    "a",
    ".muted",
    ".hint",
    ".site-header a",
    ".session .muted",
    ".light-verde",
    ".light-amarillo",
    ".light-rojo",
    ".days-left",
    "th",
    ".flash",
    "button.primary",
]


def luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    linear = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fg: str, bg: str) -> float:
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def logged_in(live_admin: dict[str, str], page) -> Iterator[tuple[object, dict[str, str]]]:  # noqa: F811
    log_in(page, live_admin["base"], "paula@muni.cl")
    yield page, live_admin


def test_every_page_has_landmarks_and_labelled_controls(logged_in) -> None:  # type: ignore[no-untyped-def]
    tab, live = logged_in
    for path in PAGES:
        tab.goto(live["base"] + path.format(folio=live["aseo"]))
        assert tab.locator("html").get_attribute("lang") == "es-CL"
        assert tab.locator("header").count() == 1 and tab.locator("main#contenido").count() == 1
        assert tab.locator("nav[aria-label]").count() >= 1
        assert tab.locator("h1").count() == 1, path
        assert tab.evaluate(UNLABELLED_JS) == [], f"controls without a label on {path}"
        assert tab.evaluate(DUPLICATE_IDS_JS) == [], f"duplicate ids on {path}"


@pytest.fixture
def admin_tab(live_admin: dict[str, str], page) -> Iterator[tuple[object, dict[str, str]]]:  # noqa: F811
    log_in(page, live_admin["base"], "admin@muni.cl")
    yield page, live_admin


def test_settings_pages_have_landmarks_and_labelled_controls(admin_tab) -> None:  # type: ignore[no-untyped-def]
    tab, live = admin_tab
    for path in ADMIN_PAGES:
        tab.goto(live["base"] + path)
        assert tab.locator("main#contenido").count() == 1 and tab.locator("h1").count() == 1
        assert tab.evaluate(UNLABELLED_JS) == [], f"controls without a label on {path}"
        assert tab.evaluate(DUPLICATE_IDS_JS) == [], f"duplicate ids on {path}"
    tab.goto(live["base"] + "/configuracion/usuarios")
    tab.screenshot(path=str(Path(ARTIFACTS) / "configuracion-usuarios.png"), full_page=True)


def test_inbox_and_deadline_explanation_work_with_the_keyboard_alone(logged_in) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    tab, live = logged_in
    tab.goto(live["base"] + "/casos/")
    tab.get_by_label("Buscar").focus()
    tab.keyboard.type(live["other"])
    tab.keyboard.press("Enter")
    expect(tab.get_by_role("status")).to_contain_text("1 caso encontrado")
    summary = tab.get_by_text("Ver cálculo del plazo")
    summary.focus()
    tab.keyboard.press("Enter")
    expect(tab.get_by_text("Plazo: 15 días hábiles", exact=False)).to_be_visible()
    tab.get_by_role("link", name=live["other"]).focus()
    tab.keyboard.press("Enter")
    expect(tab.get_by_role("heading", level=1)).to_contain_text(live["other"])


def test_text_colours_meet_wcag_aa_contrast(logged_in) -> None:  # type: ignore[no-untyped-def]
    tab, live = logged_in
    tab.goto(live["base"] + "/casos/?estado=todos")
    failures = []
    for selector in CHECKED:
        for fg, bg in tab.evaluate(COLOURS_JS, selector):
            ratio = contrast(fg, bg)
            if ratio < 4.5:
                failures.append(f"{selector}: {fg} on {bg} = {ratio:.2f}")
    tab.screenshot(path=str(Path(ARTIFACTS) / "contraste-bandeja.png"), full_page=True)
    assert not failures, failures
