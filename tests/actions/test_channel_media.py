"""Media and locations a channel received reach the case the resident files."""

from __future__ import annotations

import json

import httpx

from actions.channel_media import shared_media
from actions.filing import ActionFileCase
from actions.reclamo import ActionAdherirCaso
from tests.actions.conftest import API, AdminWire, Conversation
from tests.actions.test_reclamo import FILED, confirmed


def _with_media(conversation: Conversation, upload_id: str, **location: float) -> None:
    conversation.user("(foto)", intent="enviar_adjunto")
    metadata = {"attachments": [{"upload_id": upload_id, "content_type": "image/jpeg"}]}
    if location:
        metadata["location"] = location
    conversation.events[-1]["metadata"] = metadata


def test_media_since_the_last_filed_case_only() -> None:
    events = [
        {"event": "user", "metadata": {"attachments": [{"upload_id": "upl_old"}]}},
        {"event": "slot", "name": "ultimo_folio", "value": "RC-2026-000001"},
        {"event": "user", "metadata": {"attachments": [{"upload_id": "upl_a"}]}},
        {
            "event": "user",
            "metadata": {
                "attachments": [{"upload_id": "upl_a"}, {"upload_id": "upl_b"}],
                "location": {"lat": "-36.6", "lon": -72.1},
            },
        },
        {"event": "user", "metadata": {"location": {"lat": "no", "lon": 1}}},
    ]
    media = shared_media(events)
    assert media.upload_ids == ["upl_a", "upl_b"]
    assert media.coordinates == {"lat": -36.6, "lon": -72.1}


def test_filed_reclamo_takes_the_photos_and_the_shared_location(
    conversation: Conversation, api: AdminWire
) -> None:
    _with_media(conversation, "upl_1", lat=-36.6066, lon=-72.1034)
    confirmed(conversation).user("sí", intent="afirmar")
    api.post(f"{API}/api/v1/cases", json=FILED, status=201)
    api.post(f"{API}/api/v1/cases/{FILED['folio']}/attachments", json={"attached": 1}, status=201)
    result = conversation.run(ActionFileCase())
    assert FILED["folio"] in result.text
    filed = json.loads(api.calls[0].request.body)
    assert filed["coordinates"] == {"lat": -36.6066, "lon": -72.1034}
    assert json.loads(api.calls[1].request.body) == {
        "upload_ids": ["upl_1"],
        "channel_user_id": conversation.sender,
    }


def test_a_failed_link_does_not_undo_the_filed_case(
    conversation: Conversation, api: AdminWire
) -> None:
    _with_media(conversation, "upl_2")
    confirmed(conversation).user("sí", intent="afirmar")
    api.post(f"{API}/api/v1/cases", json=FILED, status=201)
    api.post(
        f"{API}/api/v1/cases/{FILED['folio']}/attachments",
        body=httpx.ConnectError("refused"),
    )
    result = conversation.run(ActionFileCase())
    assert FILED["folio"] in result.text
    assert result.slots["ultimo_folio"] == FILED["folio"]


def test_joining_an_open_reclamo_takes_the_photos_to_that_case(
    conversation: Conversation, api: AdminWire
) -> None:
    _with_media(conversation, "upl_3")
    confirmed(conversation).set(caso_similar="RC-2026-000007", oferta_adhesion=True)
    conversation.user("sí", intent="afirmar")
    api.post(
        f"{API}/api/v1/cases/RC-2026-000007/adhesions",
        json={"folio": "RC-2026-000007", "adhesions": 2},
        status=201,
    )
    api.post(f"{API}/api/v1/cases/RC-2026-000007/attachments", json={"attached": 1}, status=201)
    result = conversation.run(ActionAdherirCaso())
    assert "RC-2026-000007" in result.text
    assert json.loads(api.calls[1].request.body) == {
        "upload_ids": ["upl_3"],
        "channel_user_id": conversation.sender,
    }
    assert result.slots["ultimo_folio"] == "RC-2026-000007"
