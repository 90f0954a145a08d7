"""Ley 21.719: everything held about a resident, and anonymisation after the retention term
or on the holder's request.

Anonymising a case reaches every place the resident's values were kept for it: the case's
fields, events and transcript (the bot's read-backs too), attachments, outbox messages, handoffs,
staff notes, SAI third parties, theme examples and adhesions, in the caller's transaction; then
the files on disk and the conversation in Rasa's tracker store (`complete_anonymisation`), which
may fail and stay pending until retried. Values are replaced wherever they appear: the exact
values on file in any way they can be written, and anything else the shared finders of
`oirs_rules.contact` recognise as a phone, e-mail or RUT.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from oirs_rules.contact import find_emails, find_phones, find_ruts
from sqlalchemy import JSON, String, Text, and_, or_, select
from sqlalchemy.orm import Session

from oirs.cases import workflow
from oirs.cases.filing import SYSTEM, add_event
from oirs.errors import InvalidField
from oirs.files.filestore import storage_path
from oirs.handoffs.rasa_tracker import RasaTrackerStore, TrackerStoreUnavailable
from oirs.models import (
    Adhesion,
    Amparo,
    AmparoStep,
    Attachment,
    Case,
    Handoff,
    InternalNote,
    OutboxMessage,
    ThemeTrainingExample,
    ThirdParty,
)
from oirs.outbox.delivery import FAILED as FAILED_MESSAGE
from oirs.outbox.delivery import PENDING as PENDING_MESSAGE
from oirs.privacy.contact import normalise_email, normalise_phone, normalise_rut
from oirs.privacy.masking import mask_text
from oirs.reporting.publication import coarse_address

# Years a closed case keeps the resident's data before it is anonymised, per case type.
DEFAULT_RETENTION_YEARS = {
    "reclamo": 5,
    "sugerencia": 5,
    "felicitacion": 2,
    "consulta": 2,
    "sai": 5,
    "datos_personales": 5,
}
ANONYMISED = "[anonimizado]"
# details key of what is still to be erased outside the database (storage keys, sender ids)
PENDING = "anonymisation_pending"
PLACEHOLDERS = {
    "email": "[correo]",
    "rut": "[RUT]",
    "phone": "[teléfono]",
    "identity": "[identificador]",
    "name": "[nombre]",
    "place": "[dirección]",
}
PART_NAMES = {"files": "los archivos adjuntos", "tracker": "la conversación guardada por el bot"}
MESSAGES = {
    "completed": "Anonimización completa: base de datos, archivos y conversación del bot.",
    "incomplete": "Anonimización incompleta: no se pudo borrar {parts}. "
    "Use «Reintentar anonimización» (o «oirs anonymise --folio …»).",
    "outbox_cancelled": "No enviado: el caso fue anonimizado.",
}
# case columns anonymise_case sets itself, or keeps for statistics and references
CASE_COLUMNS_HANDLED = frozenset(
    {
        "folio", "type", "channel", "status", "preferred_channel", "idempotency_key",
        "contact_name", "contact_email", "contact_phone", "contact_rut", "contact_postal_address",
        "channel_user_id", "conversation_id", "description", "address", "transcript", "details",
    }
)  # fmt: skip
# words of a name that identify nobody on their own ("de la Fuente", "San Martín")
_NAME_LINKS = frozenset(
    {"de", "del", "la", "las", "los", "y", "e", "da", "das", "do", "dos", "san", "santa", "van"}
)
_SEP = r"[\s.\-()]*"
_CHECK_SEP = r"\s*(?:-|‐|–|guion|guión)?\s*"
_MIGHT_HOLD_CONTACT = re.compile(
    r"\d|@|arroba|\b(?:cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve)\b", re.IGNORECASE
)


def _fold(text: str) -> str:
    """Lower case without accents, one character for one: spans found here fit the original."""
    folded = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0].lower()
        folded.append(base if len(base) == 1 else char)
    return "".join(folded)


def _digits(digits: str) -> str:
    return _SEP.join(re.escape(digit) for digit in digits)


def _phone_pattern(e164: str) -> str:
    if e164.startswith("+56"):
        return rf"(?<!\d)(?:\+?{_SEP}56{_SEP})?(?:0{_SEP})?{_digits(e164[3:])}(?!\d)"
    return rf"(?<!\d)\+?{_SEP}{_digits(e164.lstrip('+'))}(?!\d)"


def _rut_pattern(rut: str) -> str:
    body, _, check = rut.partition("-")
    return rf"(?<![\d.]){_digits(body)}(?:{_CHECK_SEP}{re.escape(check)})?(?![\dkK])"


def _phrase(text: str) -> str:
    """A folded phrase with any spacing or punctuation between its words."""
    words = re.findall(r"\w+", _fold(text))
    return r"\b" + r"\W+".join(re.escape(word) for word in words) + r"\b" if words else ""


@dataclass(frozen=True)
class Scrubber:
    """Replaces one resident's values in free text, in any way they may have been written."""

    emails: tuple[str, ...] = ()
    ruts: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    places: tuple[str, ...] = ()

    @classmethod
    def for_case(cls, session: Session, case: Case) -> Scrubber:
        """The values on file for the case: its contact, channel identity, address, and the
        SAI third parties named in it."""
        parties = session.scalars(select(ThirdParty).where(ThirdParty.case_id == case.id)).all()
        names = [case.contact_name, *(party.name for party in parties)]
        places = [case.address, case.contact_postal_address, *(party.address for party in parties)]
        texts = [case.contact_email or "", case.contact_phone or "", case.contact_rut or ""]
        texts += [case.channel_user_id or "", *(party.address for party in parties)]
        found = " \n ".join(texts)
        return cls(
            emails=tuple(_unique([*find_emails(found), *filter(None, [case.contact_email])])),
            ruts=tuple(_unique([*filter(None, [normalise_rut(case.contact_rut or "")])])),
            phones=tuple(_unique([*find_phones(found), *filter(None, [case.contact_phone])])),
            identities=tuple(
                _unique(
                    v for v in (case.channel_user_id, case.conversation_id) if v and len(v) >= 6
                )
            ),
            names=tuple(_unique(n for n in names if n and n != ANONYMISED)),
            places=tuple(_unique(p for p in places if p and p != ANONYMISED)),
        )

    def scrub(self, text: str) -> str:
        """The text without the resident's values; a value the finders still see in some form
        no pattern could locate (dictated, spelt out) takes the whole text with it."""
        if not text or text == ANONYMISED:
            return text
        might = bool(_MIGHT_HOLD_CONTACT.search(text))
        emails = [*self.emails, *(find_emails(text) if might else [])]
        ruts = [*self.ruts, *(find_ruts(text) if might else [])]
        phones = [*self.phones, *(find_phones(text) if might else [])]
        out = text
        for email in _unique(emails):
            out = re.sub(re.escape(email), PLACEHOLDERS["email"], out, flags=re.IGNORECASE)
        for identity in self.identities:
            out = out.replace(identity, PLACEHOLDERS["identity"])
        for rut in _unique(ruts):
            out = re.sub(_rut_pattern(rut), PLACEHOLDERS["rut"], out, flags=re.IGNORECASE)
        for phone in _unique(phones):
            out = re.sub(_phone_pattern(phone), PLACEHOLDERS["phone"], out)
        out = self._replace_words(out)
        if might and (find_emails(out) or find_ruts(out) or find_phones(out)):
            return ANONYMISED
        return mask_text(out)

    def _replace_words(self, text: str) -> str:
        """Names (whole, then each word that identifies) and places, accents and case aside."""
        patterns = [(_phrase(place), PLACEHOLDERS["place"]) for place in self.places]
        patterns += [(_phrase(name), PLACEHOLDERS["name"]) for name in self.names]
        for name in self.names:
            for word in re.findall(r"\w+", _fold(name)):
                if len(word) >= 3 and word not in _NAME_LINKS:
                    patterns.append((rf"\b{re.escape(word)}\b", PLACEHOLDERS["name"]))
        for pattern, placeholder in patterns:
            if pattern:
                text = _sub_folded(text, pattern, placeholder)
        return text

    def value(self, value: Any) -> Any:
        """Every string inside a JSON value scrubbed; keys and other types kept."""
        return _walk(value, self.scrub)

    def transcript(self, turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Resident turns lose their text; every other turn keeps its text without the values."""
        scrubbed = []
        for turn in turns or []:
            clean = self.value(turn)
            if turn.get("sender") == "resident":
                clean = {**clean, "text": ANONYMISED}
            scrubbed.append(clean)
        return scrubbed


def _sub_folded(text: str, pattern: str, placeholder: str) -> str:
    folded = _fold(text)
    pieces, last = [], 0
    for match in re.finditer(pattern, folded):
        pieces += [text[last : match.start()], placeholder]
        last = match.end()
    return "".join(pieces) + text[last:] if pieces else text


def _walk(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _walk(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, scrub) for item in value]
    return value


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass(frozen=True)
class Holder:
    """How a data holder is identified: any of e-mail, phone or RUT on file."""

    email: str | None = None
    phone: str | None = None
    rut: str | None = None

    @classmethod
    def parse(cls, email: str = "", phone: str = "", rut: str = "") -> Holder:
        holder = cls(
            email=normalise_email(email) if email else None,
            phone=normalise_phone(phone) if phone else None,
            rut=normalise_rut(rut) if rut else None,
        )
        if not (holder.email or holder.phone or holder.rut):
            raise InvalidField({"holder": "Indique un correo, teléfono o RUT válido del titular."})
        return holder


def holder_cases(session: Session, holder: Holder) -> list[Case]:
    """Every case whose contact data matches the holder."""
    conditions = []
    if holder.email:
        conditions.append(Case.contact_email == holder.email)
    if holder.phone:
        conditions.append(Case.contact_phone == holder.phone)
    if holder.rut:
        conditions.append(Case.contact_rut == holder.rut)
    return list(session.scalars(select(Case).where(or_(*conditions)).order_by(Case.id)))


def export_holder_data(session: Session, holder: Holder) -> dict[str, Any]:
    """The right of access: all personal data held about the holder, in a portable form."""
    cases = holder_cases(session, holder)
    adhesion_filters = []
    if holder.email:
        adhesion_filters.append(Adhesion.contact_email == holder.email)
    if holder.phone:
        adhesion_filters.append(Adhesion.contact_phone == holder.phone)
    adhesions = (
        session.scalars(select(Adhesion).where(or_(*adhesion_filters))).all()
        if adhesion_filters
        else []
    )
    return {
        "cases": [
            {
                "folio": c.folio,
                "type": c.type,
                "channel": c.channel,
                "created_at": c.created_at.isoformat(),
                "status": c.status,
                "description": c.description,
                "address": c.address,
                "contact": {
                    "name": c.contact_name,
                    "email": c.contact_email,
                    "phone": c.contact_phone,
                    "rut": c.contact_rut,
                    "postal_address": c.contact_postal_address,
                },
                "transcript": c.transcript,
                "attachments": [
                    {"filename": a.filename, "content_type": a.content_type, "sha256": a.sha256}
                    for a in c.attachments
                ],
            }
            for c in cases
        ],
        "adhesions": [
            {"case_id": a.case_id, "channel": a.channel, "created_at": a.created_at.isoformat()}
            for a in adhesions
        ],
    }


def anonymise_case(session: Session, case: Case, reason: str) -> None:
    """Drop the resident's identity from a case and from everything kept around it; the case,
    its history and what statistics need stay. Files and Rasa's tracker store are outside the
    transaction: they are listed as pending for `complete_anonymisation`."""
    scrubber = Scrubber.for_case(session, case)
    handoffs = _handoffs(session, case)
    conversations = {c for c in [case.conversation_id, *(h.conversation_id for h in handoffs)] if c}
    files = [attachment.storage_key for attachment in case.attachments]

    case.contact_name = ANONYMISED
    case.contact_email = case.contact_phone = case.contact_rut = None
    case.contact_postal_address = None
    case.channel_user_id = None
    case.conversation_id = None
    case.description = scrubber.scrub(case.description)
    # the street as the public Open311 listing shows it: no house, no part naming a person
    street = coarse_address(case.address, scrubber.names)
    case.address = replace(scrubber, places=()).scrub(street) if street else None
    if case.latitude is not None and case.longitude is not None:
        case.latitude, case.longitude = round(case.latitude, 3), round(case.longitude, 3)
    case.transcript = scrubber.transcript(case.transcript)
    for event in case.events:
        event.note = scrubber.scrub(event.note) if event.note else event.note
        event.data = scrubber.value(event.data)
        if event.actor_user_id is None:  # staff keep their names; a resident's label goes
            event.actor_label = scrubber.scrub(event.actor_label)
    for attachment in list(case.attachments):
        session.delete(attachment)
    for handoff in handoffs:
        handoff.channel_user_id = None
        handoff.conversation_id = f"anonimizado-{handoff.id}"
        handoff.transcript = scrubber.transcript(handoff.transcript)
        handoff.slots = scrubber.value(handoff.slots)
        handoff.bot_error = scrubber.scrub(handoff.bot_error) if handoff.bot_error else None
    _anonymise_related(session, case, scrubber)
    _scrub_other_columns(case, scrubber)

    pending = dict((case.details or {}).get(PENDING) or {})
    pending = {
        "files": sorted({*pending.get("files", []), *files}),
        "conversations": sorted({*pending.get("conversations", []), *conversations}),
    }
    details = scrubber.value({k: v for k, v in (case.details or {}).items() if k != PENDING})
    case.details = {**details, "anonymised": True, PENDING: pending}
    add_event(
        case,
        SYSTEM,
        "anonymised",
        note=reason,
        data={"attachments": len(files), "handoffs": len(handoffs)},
    )
    session.flush()
    session.expire(case, ["attachments"])


def _scrub_other_columns(case: Case, scrubber: Scrubber) -> None:
    """Text columns of the case not handled above (added later, such as a published
    description) lose the resident's values too."""
    for column in Case.__table__.columns:
        if column.key in CASE_COLUMNS_HANDLED or not isinstance(column.type, String | Text | JSON):
            continue
        value = getattr(case, column.key)
        if value is not None:
            setattr(case, column.key, scrubber.value(value))


def _handoffs(session: Session, case: Case) -> list[Handoff]:
    """The case's handoffs, and those of its conversation that never got a case."""
    condition = Handoff.case_id == case.id
    if case.conversation_id:
        condition = or_(
            condition,
            and_(Handoff.case_id.is_(None), Handoff.conversation_id == case.conversation_id),
        )
    return list(session.scalars(select(Handoff).where(condition).order_by(Handoff.id)))


def _anonymise_related(session: Session, case: Case, scrubber: Scrubber) -> None:
    """Outbox, notes, SAI third parties and amparo steps, theme examples, adhesions."""
    for message in session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)):
        message.recipient = ANONYMISED
        message.body = scrubber.scrub(message.body)
        message.payload = scrubber.value(message.payload)
        if message.last_error:
            message.last_error = scrubber.scrub(message.last_error)
        if message.status == PENDING_MESSAGE:  # its recipient is gone: it can never go out
            message.status = FAILED_MESSAGE
            message.last_error = MESSAGES["outbox_cancelled"]
    for note in session.scalars(select(InternalNote).where(InternalNote.case_id == case.id)):
        note.body = scrubber.scrub(note.body)
    for party in session.scalars(select(ThirdParty).where(ThirdParty.case_id == case.id)):
        party.name = party.address = ANONYMISED
        party.note = scrubber.scrub(party.note) if party.note else party.note
    amparo_ids = select(Amparo.id).where(Amparo.case_id == case.id)
    for step in session.scalars(select(AmparoStep).where(AmparoStep.amparo_id.in_(amparo_ids))):
        step.note = scrubber.scrub(step.note) if step.note else step.note
    examples = select(ThemeTrainingExample).where(ThemeTrainingExample.case_id == case.id)
    for example in session.scalars(examples):
        example.text = scrubber.scrub(example.text)
    for adhesion in session.scalars(select(Adhesion).where(Adhesion.case_id == case.id)):
        adhesion.contact_name = ANONYMISED if adhesion.contact_name else None
        adhesion.contact_email = adhesion.contact_phone = adhesion.channel_user_id = None


@dataclass(frozen=True)
class Reach:
    """What `complete_anonymisation` reached outside the database, and what failed."""

    reached: tuple[str, ...]
    failed: tuple[str, ...]


def complete_anonymisation(
    session: Session, case: Case, data_dir: Path, tracker: RasaTrackerStore
) -> Reach:
    """Delete the case's files and its conversation in Rasa's tracker store; an event says
    what was reached and what failed (never the values), and what failed stays pending."""
    pending = dict((case.details or {}).get(PENDING) or {})
    reached: list[str] = []
    failed: dict[str, str] = {}
    if pending.get("files"):
        try:
            _discard_files(session, data_dir, pending["files"])
            reached.append("files")
            pending.pop("files")
        except OSError as exc:
            failed["files"] = type(exc).__name__
    if pending.get("conversations"):
        try:
            tracker.erase(pending["conversations"])
            reached.append("tracker")
            pending.pop("conversations")
        except TrackerStoreUnavailable as exc:
            failed["tracker"] = exc.message
    left = {part: value for part, value in pending.items() if value}
    details = {k: v for k, v in (case.details or {}).items() if k != PENDING}
    case.details = {**details, PENDING: left} if left else details
    if failed:
        parts = ", ".join(PART_NAMES[part] for part in failed)
        add_event(
            case,
            SYSTEM,
            "anonymisation_incomplete",
            MESSAGES["incomplete"].format(parts=parts),
            data={"reached": reached, "failed": list(failed), "errors": failed},
        )
    else:
        add_event(
            case,
            SYSTEM,
            "anonymisation_completed",
            MESSAGES["completed"],
            data={"reached": reached, "failed": []},
        )
    session.flush()
    return Reach(tuple(reached), tuple(failed))


def _discard_files(session: Session, data_dir: Path, storage_keys: list[str]) -> None:
    """Remove each file no other case still holds (files are shared by content), and the
    record of any upload of the same content still waiting for a case."""
    root = (data_dir / "attachments").resolve()
    for key in storage_keys:
        if session.scalar(select(Attachment.id).where(Attachment.storage_key == key).limit(1)):
            continue
        path = storage_path(data_dir, key).resolve()
        if path.is_relative_to(root):
            path.unlink(missing_ok=True)
    digests = {key.rpartition("/")[2] for key in storage_keys}
    for record in (root / "pending").glob("upl_*.json"):
        try:
            sha = json.loads(record.read_text()).get("sha256")
        except ValueError:
            continue
        if sha in digests:
            record.unlink(missing_ok=True)


def pending_anonymisations(session: Session) -> list[Case]:
    """Anonymised cases whose files or tracker conversation are still to be erased."""
    rows = session.execute(
        select(Case.id, Case.details).where(Case.contact_name == ANONYMISED).order_by(Case.id)
    )
    ids = [case_id for case_id, details in rows if (details or {}).get(PENDING)]
    return list(session.scalars(select(Case).where(Case.id.in_(ids)).order_by(Case.id)))


def anonymise_expired(
    session: Session, today: date, retention_years: dict[str, int] | None = None
) -> list[str]:
    """Anonymise closed cases past their type's retention term; returns their folios."""
    years = {**DEFAULT_RETENTION_YEARS, **(retention_years or {})}
    done = []
    for case_type, keep in years.items():
        limit = today - timedelta(days=365 * keep)
        candidates = session.scalars(
            select(Case).where(
                Case.type == case_type,
                Case.status.in_(workflow.ANSWERED_STATUSES),
                Case.received_on < limit,
                Case.contact_name.is_distinct_from(ANONYMISED),
            )
        ).all()
        for case in candidates:
            anonymise_case(session, case, f"Plazo de conservación de {keep} años cumplido")
            done.append(case.folio)
    session.flush()
    return done
