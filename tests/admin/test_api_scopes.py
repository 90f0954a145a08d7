"""API tokens carry scopes (bot, open311, read), checked on every API and Open311 route: a bot's
token cannot read cases by folio, an Open311 client's token cannot use the bot's routes, and
case data read with a `read` token comes masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from admin.api.scopes import PUBLIC, SCOPES
from oirs.models import ApiToken
from oirs.settings import PROJECT_ROOT, Settings

TOKEN_BLUEPRINTS = ("api", "open311")
# The scopes as intended, pinned here so a change is a visible decision.
EXPECTED = {
    "api.openapi": {PUBLIC},
    "api.create_case": {"bot"},
    "api.read_case": {"read"},
    "api.status_lookup": {"bot"},
    "api.resident_cases": {"bot"},
    "api.rate_case": {"bot"},
    "api.rate_last_answer": {"bot"},
    "api.create_upload": {"bot"},
    "api.add_case_attachments": {"bot"},
    "api.similar_cases": {"bot"},
    "api.add_adhesion": {"bot"},
    "api.commune": {"bot", "read"},
    "api.classify_text": {"bot", "read"},
    "api.create_handoff": {"bot"},
    "api.conversation_handoff": {"bot"},
    "api.read_handoff": {"bot"},
    "open311.services": {PUBLIC},
    "open311.list_requests": {PUBLIC},
    "open311.read_request": {PUBLIC},
    "open311.create_request": {"open311"},
}
RECLAMO = {
    "type": "reclamo",
    "channel": "web",
    "description": "Luminaria apagada; mi teléfono es +56 9 8765 4321",
    "category": "alumbrado",
    "address": "Los Aromos 123",
    "contact": {"name": "Ana Pérez", "email": "ana@example.cl", "phone": "+56 9 8765 4321"},
    "transcript": [
        {"sender": "resident", "text": "mi correo es ana@example.cl y mi RUT 12.345.678-5"},
        {"sender": "bot", "text": "Gracias"},
    ],
}


def token_routes(app: Flask) -> list[str]:
    return sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in TOKEN_BLUEPRINTS
        }
    )


def test_every_api_and_open311_route_declares_a_known_scope(app: Flask) -> None:
    undeclared = []
    for endpoint in token_routes(app):
        scopes = getattr(app.view_functions[endpoint], "api_scopes", None)
        if not scopes or not set(scopes) <= {*SCOPES, PUBLIC}:
            undeclared.append(endpoint)
    assert not undeclared, f"routes without @requires_scope(...): {undeclared}"


def test_pinned_scopes_match_the_routes(app: Flask) -> None:
    for endpoint, scopes in EXPECTED.items():
        assert set(app.view_functions[endpoint].api_scopes) == scopes, endpoint  # type: ignore[attr-defined]


def test_the_openapi_document_states_each_route_s_scopes(app: Flask) -> None:
    import json

    document = json.loads((PROJECT_ROOT / "admin" / "api" / "openapi.json").read_text())
    adapter = app.url_map.bind("localhost")
    wrong = []
    for path, operations in document["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        for method, operation in operations.items():
            endpoint, _ = adapter.match(url, method=method.upper())
            declared = set(app.view_functions[endpoint].api_scopes)  # type: ignore[attr-defined]
            if set(operation.get("x-oirs-scopes", [])) != declared:
                wrong.append(f"{method.upper()} {path}: {operation.get('x-oirs-scopes')}")
    assert not wrong, wrong


def _bot_calls() -> set[tuple[str, str]]:
    """(method, path) of every admin API call of the bot (actions and channels): the route table
    of its one client, api_client/routes.py (tests/api_client checks nothing bypasses it)."""
    source = (PROJECT_ROOT / "api_client" / "routes.py").read_text()
    pattern = re.compile(
        r'Route\(\s*"(?P<method>GET|POST|PUT|PATCH|DELETE)",\s*"(?P<path>/api/v1/[^"]*)"'
    )
    return {
        (match["method"], re.sub(r"\{[^}]+\}", "RC-2026-000001", match["path"]))
        for match in pattern.finditer(source)
    }


def test_every_route_the_bot_and_channels_call_accepts_the_bot_scope(app: Flask) -> None:
    calls = _bot_calls()
    assert ("POST", "/api/v1/cases") in calls and ("POST", "/api/v1/uploads") in calls
    adapter = app.url_map.bind("localhost")
    refused = []
    for method, path in sorted(calls):
        endpoint, _ = adapter.match(path, method=method)
        if "bot" not in app.view_functions[endpoint].api_scopes:  # type: ignore[attr-defined]
            refused.append(f"{method} {path} ({endpoint})")
    assert not refused, refused


def test_a_bot_token_cannot_read_cases_by_folio(
    client: FlaskClient, bot_token: str, read_token: str
) -> None:
    bot = {"Authorization": f"Bearer {bot_token}"}
    folio = client.post("/api/v1/cases", json=RECLAMO, headers=bot).json["folio"]
    refused = client.get(f"/api/v1/cases/{folio}", headers=bot)
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "insufficient_scope"
    assert "alcance" in refused.json["error"]["message"]
    reader = {"Authorization": f"Bearer {read_token}"}
    assert client.get(f"/api/v1/cases/{folio}", headers=reader).status_code == 200


def test_an_open311_token_cannot_use_the_bot_routes(
    client: FlaskClient, open311_token: str
) -> None:
    headers = {"Authorization": f"Bearer {open311_token}"}
    assert client.post("/api/v1/cases", json=RECLAMO, headers=headers).status_code == 403
    assert client.get("/api/v1/cases/RC-2026-000001", headers=headers).status_code == 403
    lookup = {"folio": "RC-2026-000001", "factor": "ana@example.cl"}
    assert client.post("/api/v1/status-lookup", json=lookup, headers=headers).status_code == 403


def test_a_read_token_cannot_file_and_reads_a_masked_case(
    client: FlaskClient, bot_token: str, read_token: str
) -> None:
    reader = {"Authorization": f"Bearer {read_token}"}
    assert client.post("/api/v1/cases", json=RECLAMO, headers=reader).status_code == 403
    folio = client.post(
        "/api/v1/cases", json=RECLAMO, headers={"Authorization": f"Bearer {bot_token}"}
    ).json["folio"]
    case = client.get(f"/api/v1/cases/{folio}", headers=reader).json
    text = str(case)
    for secret in ("ana@example.cl", "8765 4321", "12.345.678"):
        assert secret not in text, secret
    assert case["transcript"][0]["text"].startswith("mi correo es a***@e***")
    assert "Luminaria apagada" in case["description"]


def test_open311_posts_need_an_open311_key(
    client: FlaskClient, bot_token: str, open311_token: str
) -> None:
    form = {"service_code": "alumbrado", "address_string": "Los Aromos", "description": "Poste"}
    refused = client.post("/open311/v2/requests.json", data={**form, "api_key": bot_token})
    assert refused.status_code == 403
    filed = client.post("/open311/v2/requests.json", data={**form, "api_key": open311_token})
    assert filed.status_code == 201


def _cli(app_settings: Settings, *args: str):  # type: ignore[no-untyped-def]
    from admin.cli import main

    env = {"DATABASE_URL": app_settings.database_url, "OIRS_DATA_DIR": str(app_settings.data_dir)}
    return CliRunner().invoke(main, list(args), env=env)


def test_create_token_refuses_without_a_scope(
    app_settings: Settings, clean_db: Engine, sessions: sessionmaker[Session]
) -> None:
    result = _cli(app_settings, "create-token", "sin alcance")
    assert result.exit_code != 0
    assert "--scope" in result.output and "alcance" in result.output
    unknown = _cli(app_settings, "create-token", "raro", "--scope", "admin")
    assert unknown.exit_code != 0
    with sessions.begin() as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_create_token_stores_the_scopes_given(
    app_settings: Settings, clean_db: Engine, sessions: sessionmaker[Session]
) -> None:
    result = _cli(app_settings, "create-token", "banco", "--scope", "bot", "--scope", "read")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("oirs_")
    with sessions.begin() as session:
        (row,) = session.scalars(select(ApiToken)).all()
        assert row.scope_set == {"bot", "read"}


@pytest.mark.parametrize(
    "caller",
    [
        "scripts/bot-token.sh",
        "tests/e2e/stack.py",
        "tests/channels/test_voice.py",
    ],
)
def test_every_caller_of_create_token_names_a_scope(caller: str) -> None:
    text = Path(PROJECT_ROOT, caller).read_text()
    calls = re.findall(r"create-token[^\n]*", text)
    assert calls, caller
    for call in calls:
        assert "--scope" in call, f"{caller}: {call}"


def test_migration_keeps_existing_tokens_working_for_what_they_were_used_for(
    tmp_path: Path,
) -> None:
    """The bot's token (cached by scripts/bot-token.sh across restarts) gets `bot`; a token an
    Open311 client already filed with gets `open311`, not the bot's routes."""
    from alembic import command
    from sqlalchemy import text

    from admin.cli import alembic_config
    from oirs.db import make_engine

    url = f"sqlite:///{tmp_path / 'antes.db'}"
    config = alembic_config(Settings(database_url=url))
    config.attributes["skip_logging"] = True
    command.upgrade(config, "0006_theme_classifier")
    engine = make_engine(url)
    with engine.begin() as conn:
        for name in ("bot (servidor)", "App Barrio"):
            conn.execute(
                text(
                    "INSERT INTO api_token (name, token_hash, prefix, created_at) "
                    "VALUES (:name, :hash, 'oirs_x', '2026-12-01 10:00:00')"
                ),
                {"name": name, "hash": name.ljust(64, "0")[:64]},
            )
        conn.execute(
            text(
                "INSERT INTO case_file (folio, type, channel, status, description, created_at,"
                " received_on, term_business_days, due_date, extended, transcript, details)"
                " VALUES ('RC-2026-000001', 'reclamo', 'open311', 'ingresado', 'Poste',"
                " '2026-12-01 10:00:00', '2026-12-01', 15, '2026-12-22', 0, '[]',"
                ' \'{"open311": {"client": "App Barrio"}}\')'
            )
        )
    command.upgrade(config, "head")
    with engine.begin() as conn:
        scopes = dict(conn.execute(text("SELECT name, scopes FROM api_token")).all())
        published = conn.execute(text("SELECT public_description FROM case_file")).scalar()
    engine.dispose()
    assert scopes == {"bot (servidor)": "bot", "App Barrio": "open311"}
    assert not published
