"""GET /api/v1/cases/similar answers the bot with what it shows the resident and nothing more:
the folio, the category, the coarse place Open311 shows (street without the house, no person)
and the number of adhesions. The bot's scope never reads another resident's exact address."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from oirs.settings import PROJECT_ROOT

FIRST = {
    "type": "reclamo",
    "channel": "whatsapp",
    "description": "La luminaria frente a mi casa está apagada; soy Rosa Díaz, fono 987654321",
    "category": "alumbrado",
    "address": "Los Aromos 1234, depto 5, frente a la casa de doña Juanita",
    "contact": {"name": "Rosa Díaz", "email": "rosa.diaz@example.cl", "phone": "+56 9 8765 4321"},
}
SECRETS = ("1234", "depto", "Juanita", "Rosa", "Díaz", "rosa.diaz", "8765", "987654321")


def _similar(client: FlaskClient, token: str) -> list[dict[str, object]]:
    answer = client.get(
        "/api/v1/cases/similar?category=alumbrado&address=Los%20Aromos%201240",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    return list(answer.json["cases"])


def test_the_bot_gets_the_coarse_place_of_a_similar_reclamo_and_no_personal_data(
    client: FlaskClient, bot_token: str
) -> None:
    auth = {"Authorization": f"Bearer {bot_token}"}
    folio = client.post("/api/v1/cases", json=FIRST, headers=auth).json["folio"]
    (similar,) = _similar(client, bot_token)
    assert similar == {
        "folio": folio,
        "category": "alumbrado",
        "address": "Los Aromos",
        "adhesions": 0,
    }
    text = str(similar)
    assert [secret for secret in SECRETS if secret in text] == [], text


def test_the_answer_holds_exactly_what_the_bot_reads_of_a_similar_reclamo(
    client: FlaskClient, bot_token: str
) -> None:
    """actions/reclamo.py reads `similar.get("…")` to word its offer: every key it reads is
    there, and nothing it does not read."""
    source = (PROJECT_ROOT / "actions" / "reclamo.py").read_text()
    read = set(re.findall(r"\bsimilar\.get\(\"(\w+)\"", source))
    assert {"folio", "address"} <= read
    client.post("/api/v1/cases", json=FIRST, headers={"Authorization": f"Bearer {bot_token}"})
    (similar,) = _similar(client, bot_token)
    assert set(similar) == read
