"""Answers to residents: templates with {variables}, and the "responder" step that queues
the message in the outbox in the same transaction as the state change."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs import labels
from oirs.cases.filing import Actor, due_date_display, transition
from oirs.errors import InvalidField, OirsError
from oirs.models import Case, OutboxMessage, ReplyTemplate

MAX_REPLY = 4000
VARIABLE = re.compile(r"\{([a-zA-Z_]+)\}")

# The only user-facing text of this module: what each variable means, and the closing question.
VARIABLES = {
    "nombre": "Nombre del vecino o vecina",
    "folio": "Folio del caso",
    "tipo": "Tipo de caso (reclamo, sugerencia…)",
    "categoria": "Categoría del caso",
    "unidad": "Unidad municipal a cargo",
    "fecha_ingreso": "Fecha de ingreso (DD-MM-AAAA)",
    "fecha_vencimiento": "Fecha de vencimiento del plazo (DD-MM-AAAA)",
    "respuesta_unidad": "Última respuesta registrada por la unidad",
    "municipalidad": "Nombre de la municipalidad",
}
MESSAGES = {
    "empty": "Escriba la respuesta antes de enviarla.",
    "too_long": f"La respuesta es demasiado larga (máximo {MAX_REPLY} caracteres).",
    "unknown": "Variables desconocidas: {names}. Use solo: {known}.",
    "no_route": (
        "El caso no tiene un canal por el cual responder: registre un correo electrónico "
        "o un teléfono del vecino antes de responder."
    ),
    "satisfaction": (
        "¿Cómo evalúa esta respuesta? Responda con un número del 1 (muy mala) al 5 (muy buena)."
    ),
    "vecino": "vecino/a",
}

DEFAULT_TEMPLATES = [
    (
        "respuesta_general",
        "Respuesta general",
        None,
        "Estimado/a {nombre}:\n\nRespecto de su {tipo} folio {folio}, la {unidad} informa lo "
        "siguiente:\n\n{respuesta_unidad}\n\nAtentamente,\nOIRS, {municipalidad}",
    ),
    (
        "felicitacion_gracias",
        "Agradecimiento por felicitación",
        "felicitacion",
        "Estimado/a {nombre}:\n\nMuchas gracias por su felicitación folio {folio}. La hicimos "
        "llegar a la {unidad}.\n\nAtentamente,\nOIRS, {municipalidad}",
    ),
    (
        "sugerencia_recibida",
        "Sugerencia considerada",
        "sugerencia",
        "Estimado/a {nombre}:\n\nAgradecemos su sugerencia folio {folio}. Fue analizada por la "
        "{unidad}:\n\n{respuesta_unidad}\n\nAtentamente,\nOIRS, {municipalidad}",
    ),
]


class NoReplyRoute(OirsError):
    code = "no_reply_route"


def unknown_variables(body: str) -> list[str]:
    """Variables a template uses that the case cannot fill."""
    return sorted({name for name in VARIABLE.findall(body) if name not in VARIABLES})


def check_template_body(body: str) -> None:
    """Refuse a template with variables we do not know, before anyone uses it."""
    unknown = unknown_variables(body)
    if unknown:
        raise InvalidField(
            {
                "body": MESSAGES["unknown"].format(
                    names=", ".join("{" + n + "}" for n in unknown),
                    known=", ".join("{" + n + "}" for n in VARIABLES),
                )
            }
        )


def last_unit_answer(case: Case) -> str:
    for event in reversed(case.events):
        if event.kind == "responder_unidad" and event.note:
            return event.note
    return ""


def variables_for(case: Case, municipality: str) -> dict[str, str]:
    """The value of every template variable for this case."""
    return {
        "nombre": case.contact_name or MESSAGES["vecino"],
        "folio": case.folio,
        "tipo": labels.TYPE_LABELS.get(case.type, case.type).lower(),
        "categoria": case.category.name if case.category else "",
        "unidad": case.unit.name
        if case.unit
        else "Oficina de Informaciones, Reclamos y Sugerencias",
        "fecha_ingreso": case.received_on.strftime("%d-%m-%Y"),
        "fecha_vencimiento": due_date_display(case.due_date),
        "respuesta_unidad": last_unit_answer(case),
        "municipalidad": municipality,
    }


def render_reply(body: str, case: Case, municipality: str) -> str:
    """Fill a template's {variables}; other braces stay as written."""
    check_template_body(body)
    values = variables_for(case, municipality)
    return VARIABLE.sub(lambda m: values[m.group(1)], body)


def templates_for(session: Session, case_type: str) -> list[ReplyTemplate]:
    """Active templates for this type of case, general ones included."""
    query = select(ReplyTemplate).where(ReplyTemplate.active.is_(True)).order_by(ReplyTemplate.name)
    return [t for t in session.scalars(query) if t.case_type in (None, case_type)]


# The session id the web widget gives a conversation (admin/widget/routes.py checks it too).
WIDGET_SESSION = re.compile(r"^web-[A-Za-z0-9_-]{16,64}$")


def _whatsapp(case: Case) -> str | None:
    """The number that wrote, when the case came by WhatsApp (the conversation and its
    24-hour window are that number's, whatever phone the resident typed); else the phone."""
    if case.channel == "whatsapp" and case.channel_user_id:
        return case.channel_user_id
    return case.contact_phone


def _telegram(case: Case) -> str | None:
    return case.channel_user_id if case.channel == "telegram" else None


def _widget(case: Case) -> str | None:
    """The widget conversation, where the answer waits until the resident comes back."""
    session_id = case.channel_user_id or ""
    return session_id if case.channel == "web" and WIDGET_SESSION.match(session_id) else None


def _email(case: Case) -> str | None:
    return case.contact_email


ROUTES: dict[str, Callable[[Case], str | None]] = {
    "whatsapp": _whatsapp,
    "telegram": _telegram,
    "web": _widget,
    "email": _email,
}


def reply_route(case: Case) -> tuple[str, str]:
    """(channel, recipient): the preferred or original channel, else e-mail, else refuse."""
    for channel in (case.preferred_channel or case.channel, case.channel, "email"):
        route = ROUTES.get(channel)
        recipient = route(case) if route else None
        if recipient:
            return channel, recipient
    raise NoReplyRoute(MESSAGES["no_route"])


def check_reply_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidField({"body": MESSAGES["empty"]})
    if len(text) > MAX_REPLY:
        raise InvalidField({"body": MESSAGES["too_long"]})
    return text


def respond(
    session: Session, case: Case, actor: Actor, text: str, now: datetime | None = None
) -> OutboxMessage:
    """Answer the resident: the case moves to respondido and the message joins the outbox,
    both in the caller's transaction, so neither happens without the other."""
    text = check_reply_text(text)
    channel, recipient = reply_route(case)
    event = transition(
        session, case, "responder", actor, note=text, data={"channel": channel}, now=now
    )
    message = _queue(
        session, case, channel, recipient, text, f"respuesta:{case.folio}:{event.id}", now
    )
    if channel == "web" and case.contact_email:
        # the widget only shows it if the resident opens the page again: e-mail it as well
        _queue(
            session,
            case,
            "email",
            case.contact_email,
            text,
            message.idempotency_key + ":email",
            now,
        )
    return message


def _queue(
    session: Session,
    case: Case,
    channel: str,
    recipient: str,
    text: str,
    key: str,
    now: datetime | None,
) -> OutboxMessage:
    message = OutboxMessage(
        case_id=case.id,
        channel=channel,
        recipient=recipient,
        body=text + "\n\n" + MESSAGES["satisfaction"],
        payload={"kind": "respuesta", "folio": case.folio, "ask_satisfaction": True},
        idempotency_key=key,
    )
    if now is not None:
        message.created_at = now
        message.next_attempt_at = now
    session.add(message)
    session.flush()
    return message


def seed_reply_templates(session: Session) -> int:
    """The starting templates; existing codes are left as admins edited them."""
    existing = set(session.scalars(select(ReplyTemplate.code)))
    added = 0
    for code, name, case_type, body in DEFAULT_TEMPLATES:
        if code not in existing:
            session.add(ReplyTemplate(code=code, name=name, case_type=case_type, body=body))
            added += 1
    session.flush()
    return added
