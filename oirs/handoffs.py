"""Warm transfer from the bot to a person: the queue, taking a conversation, agent turns that
go out through the resident's channel and into the case transcript, and handing back.

Out of the call center's hours a handoff becomes a consulta so someone calls the resident back."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from oirs import workflow
from oirs.calendar import BusinessCalendar
from oirs.cases import Actor, ContactData, NewCase, file_case
from oirs.contact import normalise_email, normalise_phone, normalise_rut
from oirs.errors import InvalidField, InvalidTransition, OirsError
from oirs.folios import parse_folio
from oirs.models import Case, Channel, Handoff, HandoffStatus, OutboxMessage, utcnow
from oirs.models.handoff import OPEN_HANDOFF
from oirs.replies import check_reply_text

SANTIAGO = ZoneInfo("America/Santiago")
DEFAULT_HOURS = "mon-fri 08:30-17:30"
MAX_TRANSCRIPT = 500
HANDOFF_CHANNELS = frozenset({"whatsapp", "telegram", "web", "voice"})
TYPE_BY_INTENT = {
    "reclamo": "reclamo",
    "sugerencia": "sugerencia",
    "felicitacion": "felicitacion",
    "solicitud_informacion": "sai",
}

# The only user-facing text of this module (the resident reads it through the bot).
MESSAGES = {
    "queued_first": (
        "Le comunicaremos con una persona del equipo municipal. Usted es el primero en la "
        "fila; por favor espere aquí, le responderemos en esta misma conversación."
    ),
    "queued": (
        "Le comunicaremos con una persona del equipo municipal. Hay {ahead} persona(s) antes "
        "que usted; por favor espere aquí, le responderemos en esta misma conversación."
    ),
    "after_hours": (
        "En este momento no hay personas atendiendo (horario: {hours}). Registramos su "
        "solicitud como consulta con el folio {folio}; le contactaremos {when}."
    ),
    "callback_when": "a partir del {day} {date} a las {time} horas",
    "callback_soon": "apenas se reanude la atención",
    "callback_description": (
        "El vecino o vecina pidió hablar con una persona fuera del horario de atención "
        "({reason}). Devolver el contacto. Último mensaje: «{last}»"
    ),
    "hours_unknown": "sin horario de atención configurado",
    "not_found": "No existe esa conversación derivada.",
    "already_taken": "Otra persona ya tomó esta conversación.",
    "not_yours": "Esta conversación está a cargo de otra persona.",
    "not_open": "Esta conversación ya no está en atención.",
    "no_route": "La conversación no tiene a quién enviar el mensaje.",
    "voice": "La conversación es telefónica: responda en la llamada, no por escrito.",
}
REASON_LABELS = {
    "solicitado": "lo solicitó",
    "no_entendido": "el asistente no entendió",
    "solicitud_del_vecino": "lo solicitó por teléfono",
}
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_SPANISH = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
HOURS_RE = re.compile(
    r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


class HandoffNotFound(OirsError):
    code = "handoff_not_found"


class HandoffConflict(InvalidTransition):
    code = "handoff_conflict"


# --- opening hours -------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """A run of weekdays and a time window in America/Santiago."""

    days: tuple[int, ...]
    start: time
    end: time


def parse_hours(spec: str) -> tuple[Opening, ...]:
    """Parse OIRS_CALL_CENTER_HOURS, e.g. "mon-fri 08:30-17:30; sat 09:00-13:00"."""
    openings = []
    for part in filter(None, (p.strip().lower() for p in re.split(r"[;,]", spec))):
        match = HOURS_RE.match(part)
        names = {match["first"], match["last"] or "mon"} if match else {""}
        if not match or not names <= set(DAY_NAMES):
            raise ValueError(f"invalid call-center hours: {part!r}")
        first = DAY_NAMES.index(match["first"])
        last = DAY_NAMES.index(match["last"]) if match["last"] else first
        start, end = (_clock(match["start"]), _clock(match["end"]))
        if last < first or end <= start:
            raise ValueError(f"invalid call-center hours: {part!r}")
        openings.append(Opening(tuple(range(first, last + 1)), start, end))
    return tuple(openings)


def _clock(value: str) -> time:
    return time.max if value == "24:00" else time.fromisoformat(f"{value:0>5}")


@dataclass(frozen=True)
class CallCenterHours:
    """When agents answer; national and communal holidays close the call center."""

    openings: tuple[Opening, ...]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CallCenterHours:
        env = os.environ if environ is None else environ
        return cls(parse_hours(env.get("OIRS_CALL_CENTER_HOURS") or DEFAULT_HOURS))

    def is_open(self, moment: datetime, calendar: BusinessCalendar) -> bool:
        local = moment.astimezone(SANTIAGO)
        if _is_holiday(local, calendar):
            return False
        now = local.time()
        return any(local.weekday() in o.days and o.start <= now < o.end for o in self.openings)

    def next_opening(self, moment: datetime, calendar: BusinessCalendar) -> datetime | None:
        """The first local moment after `moment` when agents answer (within three weeks)."""
        local = moment.astimezone(SANTIAGO)
        for offset in range(22):
            day = local.date() + timedelta(days=offset)
            candidates = [
                datetime.combine(day, o.start, SANTIAGO)
                for o in self.openings
                if day.weekday() in o.days
            ]
            for start in sorted(candidates):
                if start > local and not _is_holiday(start, calendar):
                    return start
        return None

    def describe(self) -> str:
        """The schedule as a resident reads it: "de lunes a viernes, de 8:30 a 17:30 horas"."""
        if not self.openings:
            return MESSAGES["hours_unknown"]
        parts = []
        for o in self.openings:
            days = DAY_SPANISH[o.days[0]]
            if len(o.days) > 1:
                days = f"de {DAY_SPANISH[o.days[0]]} a {DAY_SPANISH[o.days[-1]]}"
            parts.append(f"{days}, de {_hhmm(o.start)} a {_hhmm(o.end)} horas")
        return "; ".join(parts)


def _is_holiday(local: datetime, calendar: BusinessCalendar) -> bool:
    """A weekday that is not a business day (weekends follow the configured openings)."""
    return local.weekday() < 5 and not calendar.is_business_day(local.date())


def _hhmm(value: time) -> str:
    return "24:00" if value == time.max else f"{value.hour}:{value.minute:02d}"


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
    return MESSAGES["queued_first"] if ahead <= 0 else MESSAGES["queued"].format(ahead=ahead)


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
    opening = hours.next_opening(now, calendar)
    when = MESSAGES["callback_soon"]
    if opening is not None:
        when = MESSAGES["callback_when"].format(
            day=DAY_SPANISH[opening.weekday()],
            date=opening.strftime("%d-%m-%Y"),
            time=_hhmm(opening.time()),
        )
    message = MESSAGES["after_hours"].format(hours=hours.describe(), folio=case.folio, when=when)
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


# --- residents and their cases -------------------------------------------------------------


def resident_phone(handoff: Handoff) -> str | None:
    """The phone behind a WhatsApp or phone-call identity ("whatsapp:+569…")."""
    if handoff.channel not in ("whatsapp", "voice") or not handoff.channel_user_id:
        return None
    return normalise_phone(handoff.channel_user_id.removeprefix("whatsapp:"))


def open_cases_of(session: Session, handoff: Handoff) -> list[Case]:
    """The resident's open cases: filed from this channel identity or with this phone."""
    conditions: list[ColumnElement[bool]] = []
    if handoff.channel_user_id:
        conditions.append(
            and_(Case.channel == handoff.channel, Case.channel_user_id == handoff.channel_user_id)
        )
    phone = resident_phone(handoff) or normalise_phone(str(handoff.slots.get("telefono") or ""))
    if phone:
        conditions.append(Case.contact_phone == phone)
    if not conditions:
        return []
    query = (
        select(Case)
        .where(or_(*conditions), Case.status.not_in(workflow.FINAL_STATUSES))
        .order_by(Case.id.desc())
        .limit(20)
    )
    return list(session.scalars(query))


def search_residents(session: Session, text: str) -> list[Case]:
    """Cases by folio, phone or RUT, newest first."""
    text = (text or "").strip()
    if not text:
        return []
    folio = parse_folio(text)
    if folio is not None:
        return list(session.scalars(select(Case).where(Case.folio == str(folio))))
    conditions: list[ColumnElement[bool]] = []
    if rut := normalise_rut(text):
        conditions.append(Case.contact_rut == rut)
    if phone := normalise_phone(text):
        conditions.append(Case.contact_phone == phone)
    if email := normalise_email(text):
        conditions.append(Case.contact_email == email)
    if not conditions:
        return []
    return list(session.scalars(select(Case).where(or_(*conditions)).order_by(Case.id.desc())))


def _slot(handoff: Handoff, *names: str) -> str | None:
    for name in names:
        value = (handoff.slots or {}).get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def prefill_contact(handoff: Handoff) -> ContactData:
    """Contact data the conversation already gave, valid or not (the form validates it)."""
    return ContactData(
        name=_slot(handoff, "nombre", "name"),
        email=_slot(handoff, "correo", "email"),
        phone=_slot(handoff, "telefono", "phone") or resident_phone(handoff),
        rut=_slot(handoff, "rut"),
        preferred_channel=handoff.channel,
    )


def prefill_case(handoff: Handoff) -> dict[str, str | None]:
    """The case form as far as the conversation filled it."""
    contact = prefill_contact(handoff)
    case_type = _slot(handoff, "tipo", "type") or TYPE_BY_INTENT.get(handoff.intent or "")
    return {
        "type": case_type or "consulta",
        "category": _slot(handoff, "categoria", "category"),
        "description": _slot(handoff, "descripcion", "description", "informacion_solicitada"),
        "address": _slot(handoff, "direccion", "address"),
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "rut": contact.rut,
    }


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
