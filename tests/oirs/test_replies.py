"""Answers to residents: template variables, the reply route, and state + outbox together."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData
from oirs.errors import InvalidField, InvalidTransition
from oirs.models import Case, OutboxMessage
from oirs.outbox.replies import NoReplyRoute, render_reply, reply_route, respond, unknown_variables
from tests.admin.staff import new_case

OIRS = Actor("Paula", None, "oirs")
WIDGET = "web-" + "3f" * 16  # a widget session id


def bare_case(**fields: object) -> Case:
    values: dict[str, object] = {
        "folio": "RC-2026-000042",
        "type": "reclamo",
        "channel": "whatsapp",
        "status": "validado",
        "description": "x",
        "received_on": date(2026, 11, 2),
        "term_business_days": 15,
        "due_date": date(2026, 11, 23),
        "contact_name": "María",
        "transcript": [],
    }
    values.update(fields)
    return Case(**values)


def test_variables_are_filled_and_other_braces_left_alone() -> None:
    case = bare_case()
    text = render_reply(
        "Hola {nombre}: {folio} vence el {fecha_vencimiento}. {no es variable", case, "Muni"
    )
    assert text == "Hola María: RC-2026-000042 vence el 23-11-2026. {no es variable"


def test_unknown_variables_are_named_in_the_error() -> None:
    assert unknown_variables("{nombre} {apodo} {saldo}") == ["apodo", "saldo"]
    with pytest.raises(InvalidField) as error:
        render_reply("Hola {apodo}", bare_case(), "Muni")
    assert "{apodo}" in error.value.fields["body"]


@pytest.mark.parametrize(
    ("fields", "route"),
    [
        ({"contact_phone": "+56987654321"}, ("whatsapp", "+56987654321")),
        ({"channel": "telegram", "channel_user_id": "777"}, ("telegram", "777")),
        ({"channel": "web", "contact_email": "a@b.cl"}, ("email", "a@b.cl")),
        (
            {
                "channel": "voice",
                "preferred_channel": "email",
                "contact_email": "a@b.cl",
                "contact_phone": "+56987654321",
            },
            ("email", "a@b.cl"),
        ),
        ({"channel": "whatsapp", "contact_email": "a@b.cl"}, ("email", "a@b.cl")),
        # back to the WhatsApp number that wrote, not to another phone typed in the form
        (
            {
                "channel": "whatsapp",
                "channel_user_id": "whatsapp:+56955501234",
                "contact_phone": "+56987654321",
            },
            ("whatsapp", "whatsapp:+56955501234"),
        ),
        ({"channel": "web", "channel_user_id": WIDGET}, ("web", WIDGET)),
        (
            {"channel": "web", "channel_user_id": "e2e-1a2b3c4d", "contact_email": "a@b.cl"},
            ("email", "a@b.cl"),
        ),
        ({"channel": "web", "channel_user_id": WIDGET, "preferred_channel": "email"}, None),
    ],
)
def test_reply_goes_through_the_preferred_channel_else_email(
    fields: dict[str, str], route: tuple[str, str] | None
) -> None:
    if route is None:  # e-mail preferred but unknown: the widget conversation it came from
        assert reply_route(bare_case(**fields)) == ("web", fields["channel_user_id"])
        return
    assert reply_route(bare_case(**fields)) == route


def test_no_reachable_channel_is_a_domain_error() -> None:
    with pytest.raises(NoReplyRoute):
        reply_route(bare_case(channel="presencial"))


def test_respond_moves_the_case_and_queues_one_message_in_the_same_transaction(
    db_session: Session,
) -> None:
    case = new_case(db_session, BusinessCalendar(), type_="sugerencia", category="areas_verdes")
    with db_session.begin():
        db_session.add(case)
        message = respond(db_session, case, OIRS, "Gracias por su sugerencia.")
    assert case.status == "respondido"
    assert message.idempotency_key.startswith(f"respuesta:{case.folio}:")
    with pytest.raises(InvalidTransition), db_session.begin():
        respond(db_session, case, OIRS, "Otra vez")
    count = db_session.scalar(select(func.count()).select_from(OutboxMessage))
    db_session.rollback()
    assert count == 1, "a refused second answer leaves no message behind"


def test_failed_transition_leaves_no_message(db_session: Session) -> None:
    case = new_case(
        db_session,
        BusinessCalendar(),
        category="aseo",
        contact=ContactData(name="Ana", email="ana@example.cl"),
    )
    with pytest.raises(InvalidTransition), db_session.begin():
        db_session.add(case)
        respond(db_session, case, OIRS, "Respuesta antes de tiempo")
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    db_session.rollback()


def test_answer_to_a_widget_case_waits_in_the_widget_and_goes_by_email_too(
    db_session: Session,
) -> None:
    """The widget shows it only when the resident opens the page again: a known e-mail gets
    a copy, so the answer reaches them either way."""
    case = new_case(
        db_session,
        BusinessCalendar(),
        type_="sugerencia",
        category="areas_verdes",
        channel="web",
        channel_user_id=WIDGET,
    )
    with db_session.begin():
        db_session.add(case)
        message = respond(db_session, case, OIRS, "Gracias por su sugerencia.")
    rows = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.channel, r.recipient) for r in rows] == [
        ("web", WIDGET),
        ("email", "maria.gonzalez@example.cl"),
    ]
    assert rows[0].id == message.id and rows[0].body == rows[1].body
    assert rows[1].idempotency_key == message.idempotency_key + ":email"
    db_session.rollback()
