"""The theme classifier at the edges: POST /api/v1/classify for the bot, the new-case form's
suggestion for staff, the Clasificar action as training data, the retraining job and CLI."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.jobs import make_huey, register, run_theme_training
from oirs.calendar.business_days import BusinessCalendar
from oirs.models import Case, ThemeModelRun, ThemeTrainingExample
from oirs.settings import Settings
from tests.admin.staff import csrf, login, make_user, new_case, post

CAL = BusinessCalendar()
OPENAPI = Path(__file__).parents[2] / "admin" / "api" / "openapi.json"


def classify(client: FlaskClient, auth: dict[str, str], body: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/classify", json=body, headers=auth)


def test_classify_needs_a_token(client: FlaskClient) -> None:
    response = client.post("/api/v1/classify", json={"text": "hoyo en la calle"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_classify_reads_the_meaning_and_returns_the_contract(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    text = "el vecino del lado se construyó un segundo piso sin permiso y nos dejó sin luz"
    response = classify(client, auth, {"text": text})
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"category", "confidence", "threshold", "top"}
    assert body["category"] == "construccion"
    assert body["confidence"] >= body["threshold"]
    assert len(body["top"]) == 3
    assert body["top"][0] == {
        "code": "construccion",
        "name": "Construcciones y obras",
        "probability": body["confidence"],
    }


def test_below_the_threshold_the_category_is_null_and_three_are_offered(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    body = classify(client, auth, {"text": "hola, quiero poner un reclamo"}).json
    assert body["category"] is None
    assert body["confidence"] < body["threshold"]
    assert [t["probability"] for t in body["top"]] == sorted(
        (t["probability"] for t in body["top"]), reverse=True
    )
    assert len({t["code"] for t in body["top"]}) == 3


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Escriba el texto que quiere clasificar."),
        ({"text": "   "}, "Escriba el texto que quiere clasificar."),
        ({"text": 12}, "El texto debe ser una cadena de caracteres."),
        ({"text": "a" * 10_001}, "El texto es demasiado largo (máximo 10.000 caracteres)."),
        (["texto"], "El cuerpo debe ser un objeto JSON."),
    ],
)
def test_bad_text_gets_a_spanish_422(
    client: FlaskClient, auth: dict[str, str], body: object, message: str
) -> None:
    response = classify(client, auth, body)
    assert response.status_code == 422
    assert message in response.json["error"]["message"]


def test_every_api_route_is_in_the_openapi_document(app: Flask) -> None:
    paths = json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing
    schema = paths["/api/v1/classify"]["post"]["responses"]["200"]["content"]
    assert schema["application/json"]["schema"] == {"$ref": "#/components/schemas/ThemeSuggestion"}


# --- staff --------------------------------------------------------------------------------


def test_the_clasificar_action_teaches_the_classifier(
    client: FlaskClient, db_session: Session
) -> None:
    user = make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    case = new_case(
        db_session, CAL, category="alumbrado", description="el paradero no tiene techo ni luz"
    )
    data = {"clasificar-category": "transito", "clasificar-note": ""}
    response = post(
        client, f"/casos/{case.folio}/acciones/clasificar", data, token_page=f"/casos/{case.folio}"
    )
    assert response.status_code == 303
    db_session.rollback()
    [example] = db_session.scalars(select(ThemeTrainingExample)).all()
    assert (example.category.code, example.case_id) == ("transito", case.id)
    assert example.created_by_user_id == user.id
    db_session.rollback()


def new_case_form(client: FlaskClient, description: str, category: str = "") -> str:
    page = client.get("/casos/nuevo").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page)
    assert token
    data = {
        "csrf_token": csrf(client, "/casos/nuevo"),
        "token": token.group(1),
        "type": "reclamo",
        "channel": "presencial",
        "description": description,
        "category": category,
        "sugerir": "1",
    }
    response = client.post("/casos/nuevo", data=data)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_new_case_form_preselects_a_confident_theme_without_filing(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "agent")
    login(client, "agent@prueba.cl")
    page = new_case_form(client, "una jauría de perros vagos ataca a los niños en la plaza")
    assert re.search(r'<option selected value="animales">|<option value="animales" selected', page)
    assert "Categoría sugerida según la descripción: Animales y tenencia responsable" in page
    db_session.rollback()
    assert db_session.scalars(select(Case)).all() == []
    db_session.rollback()


def test_new_case_form_lists_three_themes_when_unsure_and_keeps_staffs_choice(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    page = new_case_form(client, "buenas tardes, vengo a dejar un reclamo")
    assert "Las más probables:" in page
    assert len(re.findall(r"<li>[^<]+ \(\d+ %\)</li>", page)) == 3
    chosen = new_case_form(client, "perros vagos en la plaza", category="seguridad")
    assert re.search(
        r'<option selected value="seguridad">|<option value="seguridad" selected', chosen
    )


def test_the_forms_script_gets_the_suggestion_as_json(
    client: FlaskClient, db_session: Session
) -> None:
    make_user(db_session, "oirs")
    login(client, "oirs@prueba.cl")
    token = csrf(client, "/casos/nuevo")
    response = client.post(
        "/casos/nuevo/tema", data={"csrf_token": token, "description": "ollo gigante en la calle"}
    )
    assert response.status_code == 200
    assert response.json["category"] == "pavimento"
    empty = client.post("/casos/nuevo/tema", data={"csrf_token": token, "description": " "})
    assert empty.status_code == 422
    assert empty.json["error"]["message"] == "Escriba la descripción para sugerir una categoría."


# --- retraining -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_job_retrains_only_when_staff_taught_something(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    from oirs.cases.filing import Actor
    from oirs.cases.triage import classify as reclassify

    case = new_case(db_session, CAL, category="otro", description="el refugio de la micro se cayó")
    with app.app_context():
        first = run_theme_training()
        assert first is not None and first.staff_examples == 0
        assert run_theme_training() is None
        with db_session.begin():
            db_session.add(case)
            reclassify(db_session, case, Actor("Paula Rojas", None, "oirs"), "transito")
        second = run_theme_training()
    assert second is not None and second.staff_examples == 1
    assert second.last_example_id > first.last_example_id
    assert second.folds == 5 and 0 < second.top1 <= second.top3 <= 1


def test_the_theme_task_runs_at_a_quarter_past_and_to_the_hour(app: Flask, tmp_path: Path) -> None:
    huey = make_huey(Settings(data_dir=tmp_path))
    register(huey, app)
    names = lambda moment: {t.name for t in huey.read_periodic(moment)}  # noqa: E731
    assert "oirs.themes.classifier" in names(datetime(2026, 3, 2, 11, 15))
    assert "oirs.themes.classifier" in names(datetime(2026, 3, 2, 11, 45))
    assert "oirs.themes.classifier" not in names(datetime(2026, 3, 2, 11, 0))


@pytest.mark.slow
def test_train_themes_prints_accuracy_threshold_and_examples_as_json(
    app_settings: Settings, db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from admin.cli import main

    monkeypatch.setenv("DATABASE_URL", app_settings.database_url)
    monkeypatch.setenv("OIRS_DATA_DIR", str(app_settings.data_dir))
    result = CliRunner().invoke(main, ["train-themes", "--threshold", "0.55", "--folds", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["threshold"] == 0.55 and report["threshold_fixed"] is True
    assert report["top1"] <= report["top3"] and report["folds"] == 2
    assert report["examples_per_category"]["otro"] >= 40
    auto = CliRunner().invoke(main, ["train-themes", "--threshold", "auto", "--folds", "2"])
    assert json.loads(auto.output)["threshold_fixed"] is False
    wrong = CliRunner().invoke(main, ["train-themes", "--threshold", "2"])
    assert wrong.exit_code != 0 and "entre 0 y 1" in wrong.output
    db_session.rollback()
    assert len(db_session.scalars(select(ThemeModelRun)).all()) == 2
    db_session.rollback()
