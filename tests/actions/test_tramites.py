"""Municipal procedures outside the OIRS: where to go and a link, from a configurable list."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.tramites import (
    DEFAULT_PATH,
    PATH_VARIABLE,
    ActionTramite,
    TramitesConfigError,
    load_catalog,
)
from tests.actions.conftest import AdminWire, Conversation


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("donde pago el permiso de circulación?", "permiso_circulacion"),
        ("PERMISO DE CIRCULACION DONDE SE SACA", "permiso_circulacion"),
        ("se me vencio la licencia, que hago", "licencia_conducir"),
        ("como pido hora pal examen teorico", "licencia_conducir"),
        ("como saco patente pa vender completos", "patentes"),
        ("quiero poner un almacen, que necesito", "patentes"),
        ("como me inscribo en el registro social de hogares", "registro_social_hogares"),
        ("donde saco la cartola hogar", "registro_social_hogares"),
        ("necesito un certificado de residencia pal colegio", "certificado_residencia"),
        ("como postulo al subsidio del agua", "subsidios"),
        ("quiero postular al subsidio habitacional", "vivienda"),
        ("cuando abren las becas municipales", "becas"),
        ("soy adulta mayor, me rebajan los derechos de aseo?", "derechos_aseo"),
        ("como regularizo una ampliacion", "obras"),
        ("donde le pongo el chip a mi perrita", "mascotas"),
        ("me llego un parte, donde lo pago", "juzgado_policia_local"),
        ("como me inscribo en la omil", "empleo"),
        ("queremos hacer un bingo, hay que pedir permiso?", "eventos_espacio_publico"),
    ],
)
def test_the_procedure_asked_about_is_found_in_the_shipped_list(text: str, key: str) -> None:
    tramite = load_catalog(DEFAULT_PATH).match(text)
    assert tramite is not None and tramite.key == key, text


def test_the_most_specific_keyword_wins() -> None:
    procedures = load_catalog(DEFAULT_PATH)
    # "subsidio" (subsidios) and "subsidio habitacional" (vivienda) both appear
    assert procedures.match("info del subsidio habitacional").key == "vivienda"
    # "aseo" alone is not a procedure: a reclamo about garbage never matches one
    assert procedures.match("no pasa el camion del aseo") is None


def test_every_shipped_procedure_has_where_to_go_and_a_link() -> None:
    procedures = load_catalog(DEFAULT_PATH)
    assert procedures.website.startswith("https://")
    assert len(procedures.tramites) >= 10
    for tramite in procedures.tramites:
        assert tramite.link.startswith("https://") and "{" not in tramite.link, tramite.key
        assert tramite.where and tramite.name and tramite.keywords


def test_the_answer_names_the_office_and_the_link_and_files_nothing(
    conversation: Conversation, api: AdminWire
) -> None:
    conversation.user("donde pago el permiso de circulacion?", intent="tramite_municipal")
    result = conversation.run(ActionTramite())
    assert "Permiso de circulación" in result.text and "Dirección de Tránsito" in result.text
    assert "https://www.municipalidad.example.cl" in result.text
    assert "/reclamo" in result.payloads  # offered only if the resident has a complaint
    assert result.events == [] and len(api.calls) == 0


def test_an_unknown_procedure_gets_the_municipal_website(
    conversation: Conversation, api: AdminWire
) -> None:
    conversation.set(oirs_telefono="+56 2 2345 6789")
    conversation.user("como hago el tramite ese de la muni", intent="tramite_municipal")
    result = conversation.run(ActionTramite())
    assert "https://www.municipalidad.example.cl" in result.text
    assert "+56 2 2345 6789" in result.text and "{" not in result.text
    assert result.events == [] and len(api.calls) == 0


def test_on_the_phone_the_answer_is_worded_for_the_line(conversation: Conversation) -> None:
    conversation.channel = "twilio_voice"
    conversation.user("donde saco la licencia de conducir", intent="tramite_municipal")
    text = conversation.run(ActionTramite()).text
    assert "por esta línea" in text and "canal" not in text


def test_a_commune_lists_its_own_procedures_through_the_environment(
    conversation: Conversation, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = tmp_path / "tramites.yml"
    own.write_text(
        "sitio_web: https://www.muni-ejemplo.cl\n"
        "tramites:\n"
        "- key: leña\n"
        "  name: Permiso de venta de leña\n"
        "  keywords: [leña, leña seca]\n"
        "  where: la Oficina de Medio Ambiente\n"
        "  link: '{sitio_web}/lena'\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(PATH_VARIABLE, str(own))
    conversation.user("donde saco el permiso pa vender LEÑA", intent="tramite_municipal")
    text = conversation.run(ActionTramite()).text
    assert "Permiso de venta de leña" in text and "https://www.muni-ejemplo.cl/lena" in text


def test_a_broken_procedures_file_fails_loudly(tmp_path: Path) -> None:
    broken = tmp_path / "tramites.yml"
    broken.write_text("sitio_web: https://x.cl\ntramites:\n- key: a\n  name: A\n", encoding="utf-8")
    with pytest.raises(TramitesConfigError, match="lacks keywords, where, link"):
        load_catalog(broken)
    with pytest.raises(TramitesConfigError, match="cannot read"):
        load_catalog(tmp_path / "missing.yml")
