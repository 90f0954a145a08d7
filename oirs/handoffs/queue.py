"""Warm transfer from the bot to a person: the queue, taking a conversation, agent turns that
go out through the resident's channel and into the case transcript, and handing back.

Out of the call center's hours a handoff becomes a consulta so someone calls the resident back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oirs_rules.dates import SANTIAGO
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, NewCase, add_event, file_case
from oirs.cases.resident_lookup import prefill_contact
from oirs.cases.workflow import FINAL_STATUSES
from oirs.errors import InvalidField, InvalidTransition, OirsError
from oirs.handoffs.call_center import CallCenterHours, callback_phrase, describe_hours
from oirs.models import Case, Channel, Handoff, HandoffStatus, OutboxMessage, utcnow
from oirs.models.handoff import OPEN_HANDOFF
from oirs.outbox.replies import check_reply_text

MAX_TRANSCRIPT = 500
HANDOFF_CHANNELS = frozenset({"whatsapp", "telegram", "web", "voice"})

# The only user-facing text of this module (the resident reads it through the bot).
MESSAGES = {
    "queued_first": (
        "Le comunicaremos con una persona del equipo municipal. Su conversación es la "
        "siguiente en la fila; por favor espere aquí, le responderemos en esta misma conversación."
    ),
    "queued_one": (
        "Le comunicaremos con una persona del equipo municipal. Hay 1 persona antes que "
        "usted; por favor espere aquí, le responderemos en esta misma conversación."
    ),
    "queued": (
        "Le comunicaremos con una persona del equipo municipal. Hay {ahead} personas antes "
        "que usted; por favor espere aquí, le responderemos en esta misma conversación."
    ),
    "in_attention": "Una persona del equipo municipal ya le está atendiendo en esta conversación.",
    "after_hours": (
        "En este momento no hay personas atendiendo (horario: {hours}). Registramos su "
        "solicitud como consulta con el folio {folio}; le contactaremos {when}."
    ),
    "callback_description": (
        "El vecino o vecina pidió hablar con una persona fuera del horario de atención "
        "({reason}). Devolver el contacto. Último mensaje: «{last}»"
    ),
    "not_found": "No existe esa conversación derivada.",
    "already_taken": "Otra persona ya tomó esta conversación.",
    "not_yours": "Esta conversación está a cargo de otra persona.",
    "not_open": "Esta conversación ya no está en atención.",
    "no_route": "La conversación no tiene a quién enviar el mensaje.",
    "voice": "La conversación es telefónica: responda en la llamada, no por escrito.",
    "not_a_callback": "Esta solicitud no es una llamada pendiente de devolver.",
}
REASON_LABELS = {
    "solicitado": "lo solicitó",
    "no_entendido": "el asistente no entendió",
    "solicitud_del_vecino": "lo solicitó por teléfono",
}


class HandoffNotFound(OirsError):
    code = "handoff_not_found"


class HandoffConflict(InvalidTransition):
    code = "handoff_conflict"


# --- opening a handoff ---------------------------------------------------------------------


@dataclass
class NewHandoff:
    channel: str
    conversation_id: str
    channel_user_id: str | None = None
    transcript: list[dict[str, Any]] = field(default_factory=list)
    intent: str | None = None
    reason: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HandoffOutcome:
    handoff: Handoff
    created: bool
    message: str
    folio: str | None = None


def validate_new_handoff(data: NewHandoff) -> NewHandoff:
    """Refuse an unknown channel, a missing conversation, or a transcript that is not a list."""
    errors: dict[str, str] = {}
    if data.channel not in HANDOFF_CHANNELS:
        errors["channel"] = "El canal no admite derivación a una persona."
    if not (data.conversation_id or "").strip() or len(data.conversation_id) > 100:
        errors["conversation_id"] = "Falta el identificador de la conversación."
    if data.channel_user_id is not None and len(data.channel_user_id) > 100:
        errors["channel_user_id"] = "Es demasiado largo."
    for key in ("intent", "reason"):
        value = getattr(data, key)
        if value is not None and len(value) > 100:
            errors[key] = "Es demasiado largo."
    if not all(isinstance(t, dict) for t in data.transcript):
        errors["transcript"] = "La transcripción debe ser una lista de mensajes."
    if errors:
        raise InvalidField(errors)
    data.conversation_id = data.conversation_id.strip()
    data.transcript = [_entry(t) for t in data.transcript][-MAX_TRANSCRIPT:]
    return data


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "at": str(item.get("at", "")),
        "sender": str(item.get("sender", "")),
        "text": str(item.get("text", ""))[:4000],
    }


def open_handoff(
    session: Session,
    data: NewHandoff,
    hours: CallCenterHours,
    calendar: BusinessCalendar,
    now: datetime | None = None,
) -> HandoffOutcome:
    """Queue the conversation for an agent; out of hours, register a consulta to call back."""
    data = validate_new_handoff(data)
    now = now or utcnow()
    existing = session.scalar(
        select(Handoff).where(
            Handoff.channel == data.channel,
            Handoff.conversation_id == data.conversation_id,
            Handoff.status.in_(OPEN_HANDOFF),
        )
    )
    if existing is not None:
        if len(data.transcript) > len(existing.transcript or []):
            existing.transcript = data.transcript
            existing.updated_at = now
        return HandoffOutcome(existing, False, _queued_message(session, existing))
    handoff = Handoff(
        channel=data.channel,
        channel_user_id=data.channel_user_id,
        conversation_id=data.conversation_id,
        status=HandoffStatus.QUEUED,
        intent=data.intent,
        reason=data.reason,
        transcript=data.transcript,
        slots=dict(data.slots),
        created_at=now,
        updated_at=now,
        synced_until=now.timestamp(),
    )
    session.add(handoff)
    session.flush()
    if hours.is_open(now, calendar):
        return HandoffOutcome(handoff, True, _queued_message(session, handoff))
    return _after_hours(session, handoff, hours, calendar, now)


def _queued_message(session: Session, handoff: Handoff) -> str:
    ahead = queue_position(session, handoff) - 1
    if handoff.status == HandoffStatus.TAKEN:
        return MESSAGES["in_attention"]
    if ahead <= 0:
        return MESSAGES["queued_first"]
    return MESSAGES["queued_one"] if ahead == 1 else MESSAGES["queued"].format(ahead=ahead)


def _after_hours(
    session: Session,
    handoff: Handoff,
    hours: CallCenterHours,
    calendar: BusinessCalendar,
    now: datetime,
) -> HandoffOutcome:
    last = next((t["text"] for t in reversed(handoff.transcript) if t["sender"] == "resident"), "")
    reason = REASON_LABELS.get(handoff.reason or "", handoff.reason or "")
    contact = prefill_contact(handoff)
    case, _ = file_case(
        session,
        NewCase(
            type="consulta",
            channel=handoff.channel,
            description=MESSAGES["callback_description"].format(reason=reason, last=last[:500]),
            contact=contact,
            channel_user_id=handoff.channel_user_id,
            conversation_id=handoff.conversation_id,
            transcript=list(handoff.transcript),
            details={"handoff_id": handoff.id, "devolver_contacto": True},
            idempotency_key=f"handoff:{handoff.id}",
        ),
        calendar,
        now=now,
    )
    handoff.case = case
    handoff.status = HandoffStatus.AFTER_HOURS
    handoff.ended_at = now
    when = callback_phrase(hours.next_opening(now, calendar))
    message = MESSAGES["after_hours"].format(
        hours=describe_hours(hours), folio=case.folio, when=when
    )
    session.flush()
    return HandoffOutcome(handoff, True, message, case.folio)


# --- the queue and the agent's work --------------------------------------------------------


def get_handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffNotFound(MESSAGES["not_found"])
    return handoff


def latest_handoff(session: Session, channel: str, conversation_id: str) -> Handoff | None:
    query = (
        select(Handoff)
        .where(Handoff.channel == channel, Handoff.conversation_id == conversation_id)
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def queue(session: Session) -> list[Handoff]:
    """Waiting conversations, first come first served."""
    query = (
        select(Handoff)
        .where(Handoff.status == HandoffStatus.QUEUED)
        .order_by(Handoff.created_at, Handoff.id)
    )
    return list(session.scalars(query))


def taken_by(session: Session, user_id: int) -> list[Handoff]:
    query = (
        select(Handoff)
        .where(Handoff.status == HandoffStatus.TAKEN, Handoff.agent_user_id == user_id)
        .order_by(Handoff.taken_at, Handoff.id)
    )
    return list(session.scalars(query))


def pending_callbacks(session: Session) -> list[Handoff]:
    """Out-of-hours requests for a person nobody has called back yet, oldest first.

    A request whose consulta staff already closed counts as handled."""
    query = (
        select(Handoff)
        .outerjoin(Case, Handoff.case_id == Case.id)
        .where(
            Handoff.status == HandoffStatus.AFTER_HOURS,
            or_(Case.id.is_(None), Case.status.not_in(FINAL_STATUSES)),
        )
        .order_by(Handoff.created_at, Handoff.id)
    )
    return list(session.scalars(query))


def mark_called_back(
    session: Session, handoff: Handoff, actor: Actor, now: datetime | None = None
) -> None:
    """The agent contacted the resident: off the pending list, and an event on the consulta."""
    if handoff.status != HandoffStatus.AFTER_HOURS:
        raise HandoffConflict(MESSAGES["not_a_callback"])
    now = now or utcnow()
    handoff.status = HandoffStatus.CALLED_BACK
    handoff.updated_at = now
    if handoff.case is not None:
        add_event(handoff.case, actor, "llamada_devuelta", data={"handoff_id": handoff.id}, now=now)
    session.flush()


def queue_position(session: Session, handoff: Handoff) -> int:
    """1 for the next conversation an agent will take."""
    ids = [h.id for h in queue(session)]
    return ids.index(handoff.id) + 1 if handoff.id in ids else 0


def take(session: Session, handoff: Handoff, actor: Actor, now: datetime | None = None) -> None:
    """The agent takes the conversation; a single UPDATE so two agents cannot both take it."""
    now = now or utcnow()
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.status == HandoffStatus.QUEUED)
        .values(
            status=HandoffStatus.TAKEN,
            agent_user_id=actor.user_id,
            agent_label=actor.label,
            taken_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        session.refresh(handoff)
        raise HandoffConflict(MESSAGES["already_taken"])
    session.refresh(handoff)


def _check_agent(handoff: Handoff, actor: Actor) -> None:
    if handoff.status != HandoffStatus.TAKEN:
        raise HandoffConflict(MESSAGES["not_open"])
    if handoff.agent_user_id != actor.user_id and actor.role not in ("oirs", "admin"):
        raise HandoffConflict(MESSAGES["not_yours"])


def _append(handoff: Handoff, entry: dict[str, Any], now: datetime) -> None:
    """Add to the handoff's transcript and, when a case exists, to the case's."""
    handoff.transcript = [*(handoff.transcript or []), entry]
    handoff.updated_at = now
    if handoff.case is not None:
        handoff.case.transcript = [*(handoff.case.transcript or []), entry]


def reply_recipient(handoff: Handoff) -> str:
    """Who the channel delivers to: the sender id on the channel (the session for the widget)."""
    if handoff.channel == "voice":
        raise InvalidField({"body": MESSAGES["voice"]})
    recipient = handoff.conversation_id if handoff.channel == "web" else handoff.channel_user_id
    if not recipient:
        raise InvalidField({"body": MESSAGES["no_route"]})
    return recipient


def agent_reply(
    session: Session,
    handoff: Handoff,
    actor: Actor,
    text: str,
    client_key: str,
    now: datetime | None = None,
) -> OutboxMessage:
    """The agent's message: into the transcripts and the outbox, once per client key."""
    key = f"handoff:{handoff.id}:{client_key}"[:100]
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    _check_agent(handoff, actor)
    text = check_reply_text(text)
    now = now or utcnow()
    message = OutboxMessage(
        case_id=handoff.case_id,
        channel=handoff.channel,
        recipient=reply_recipient(handoff),
        body=text,
        payload={
            "kind": "handoff_reply",
            "handoff_id": handoff.id,
            "conversation_id": handoff.conversation_id,
            "agent": actor.label,
            "last_inbound_at": _local_iso(last_inbound(handoff)),
        },
        idempotency_key=key,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    entry = {"at": _local_iso(now), "sender": "agent", "text": text, "agent": actor.label}
    _append(handoff, {**entry, "outbox_id": message.id}, now)
    session.flush()
    return message


def last_inbound(handoff: Handoff) -> datetime:
    """When the resident last wrote (WhatsApp allows free text for 24 hours after it)."""
    moments = [handoff.created_at]
    for entry in handoff.transcript or []:
        if entry.get("sender") != "resident":
            continue
        try:
            moment = datetime.fromisoformat(str(entry.get("at")))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            moments.append(moment)
    return max(moments)


def add_conversation_events(
    session: Session, handoff: Handoff, entries: list[dict[str, Any]], until: float | None
) -> int:
    """Messages the resident (or the bot) wrote since the last sync, copied in once."""
    now = utcnow()
    for entry in entries:
        _append(handoff, _entry(entry), now)
    if until is not None and (handoff.synced_until or 0) < until:
        handoff.synced_until = until
    session.flush()
    return len(entries)


def hand_back(
    session: Session, handoff: Handoff, actor: Actor, now: datetime | None = None
) -> None:
    """The bot answers again; the handoff stays as the record of what the agent did."""
    _check_agent(handoff, actor)
    now = now or utcnow()
    handoff.status = HandoffStatus.RETURNED
    handoff.ended_at = now
    handoff.updated_at = now
    session.flush()


def record_bot_state(handoff: Handoff, paused: bool, error: str | None) -> None:
    """Whether Rasa confirmed the pause (or resume), and why not."""
    if error is None:
        handoff.bot_paused = paused
    handoff.bot_error = error
    handoff.updated_at = utcnow()


def file_case_for_resident(
    session: Session,
    handoff: Handoff,
    data: NewCase,
    calendar: BusinessCalendar,
    actor: Actor,
    now: datetime | None = None,
) -> Case:
    """The agent files on the caller's behalf; the conversation so far becomes its transcript."""
    _check_agent(handoff, actor)
    data.channel = handoff.channel if handoff.channel in {c.value for c in Channel} else "web"
    data.channel_user_id = handoff.channel_user_id
    data.conversation_id = handoff.conversation_id
    data.transcript = list(handoff.transcript or [])
    data.details = {**data.details, "handoff_id": handoff.id, "filed_by_agent": actor.label}
    case, _ = file_case(session, data, calendar, now=now, actor=actor)
    if handoff.case_id is None:
        handoff.case = case
        handoff.updated_at = now or utcnow()
    session.flush()
    return case


def _local_iso(moment: datetime) -> str:
    return moment.astimezone(SANTIAGO).isoformat(timespec="seconds")
