"""Letters of the SAI procedure: PDF with the municipality's header, filed on the case and
queued to the resident. Every final answer states the right to an amparo (art. 24)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from oirs_rules.dates import MONTHS
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.deadlines import compute_deadline, local_date
from oirs.calendar.terms import AMPARO_DAYS
from oirs.cases.filing import Actor, add_event
from oirs.files.filestore import Upload, store
from oirs.models import Case, CaseEvent, OutboxMessage, ThirdParty, utcnow
from oirs.outbox.replies import NoReplyRoute, reply_route
from oirs.sai.catalog import ART12_ITEMS, DENIAL_CAUSES
from oirs.sai.procedure import subsanacion_due
from oirs.settings import CommuneInfo

# package data of the core (pyproject.toml), so an installed oirs renders letters on its own
TEMPLATE_DIR = Path(__file__).parent / "templates" / "letters"

# action of the workflow -> letter kind (one template each)
LETTER_FOR_ACTION = {
    "pedir_subsanacion": "subsanacion",
    "desistir": "desistida",
    "derivar_organismo": "derivada",
    "prorrogar": "prorrogada",
    "entregar": "entregada",
    "entregar_parcial": "parcial",
    "denegar": "denegada",
    "declarar_inexistente": "inexistente",
    "remitir_ta": "remitida_ta",
    "pedir_pago": "pendiente_pago",
}
TITLES = {
    "subsanacion": "Solicitud de subsanación (art. 12, Ley N° 20.285)",
    "desistida": "Solicitud desistida (art. 12, Ley N° 20.285)",
    "derivada": "Derivación a organismo competente (art. 13, Ley N° 20.285)",
    "prorrogada": "Prórroga del plazo de respuesta (art. 14, Ley N° 20.285)",
    "entregada": "Respuesta a su solicitud de acceso a la información",
    "parcial": "Respuesta parcial a su solicitud de acceso a la información",
    "denegada": "Denegación de acceso a la información (art. 21, Ley N° 20.285)",
    "inexistente": "Respuesta: información inexistente",
    "remitida_ta": "Respuesta: información disponible en Transparencia Activa (art. 15)",
    "pendiente_pago": "Costos de reproducción de la información solicitada (art. 18)",
    "tercero": "Comunicación a tercero afectado (art. 20, Ley N° 20.285)",
    "oficio_derivacion": "Remite solicitud de acceso a la información (art. 13, Ley N° 20.285)",
}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
FINAL_ANSWERS = frozenset(
    {"entregada", "parcial", "denegada", "inexistente", "remitida_ta", "pendiente_pago"}
)


@dataclass(frozen=True)
class Letter:
    kind: str
    title: str
    filename: str
    html: str

    def pdf(self) -> bytes:
        """The letter as PDF (WeasyPrint needs Debian's pango libraries)."""
        from weasyprint import HTML

        return bytes(HTML(string=self.html, base_url=str(TEMPLATE_DIR)).write_pdf())

    def text(self) -> str:
        """Plain text of the letter body, for channels that cannot show a PDF."""
        return html_to_text(self.html)


def long_date(day: date) -> str:
    """25 de noviembre de 2026."""
    return f"{day.day} de {MONTHS[day.month - 1]} de {day.year}"


def _fecha(value: date | str | None) -> str:
    """DD-MM-YYYY of a date or of an ISO date kept in event data."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d-%m-%Y")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fecha"] = _fecha
    env.filters["fecha_larga"] = long_date
    env.filters["pesos"] = lambda n: "$" + f"{int(n):,}".replace(",", ".")
    return env


def _context(case: Case, event: CaseEvent | None) -> dict[str, Any]:
    data = event.data if event is not None else {}
    return {
        "note": event.note if event is not None else None,
        "data": data,
        "cause": DENIAL_CAUSES.get(data.get("cause") or ""),
        "missing": [ART12_ITEMS[i] for i in data.get("missing", []) if i in ART12_ITEMS],
        "subsanacion_due": subsanacion_due(case),
        "files": data.get("files", []),
    }


def render_letter(
    kind: str,
    case: Case,
    commune: CommuneInfo,
    calendar: BusinessCalendar,
    event: CaseEvent | None = None,
    today: date | None = None,
    third_party: ThirdParty | None = None,
) -> Letter:
    """The letter of `kind` for this case and step, as HTML ready for PDF."""
    today = today or local_date(utcnow())
    final = kind in FINAL_ANSWERS
    html = (
        _environment()
        .get_template(f"{kind}.html")
        .render(
            case=case,
            commune=commune,
            title=TITLES[kind],
            today=today,
            final=final,
            amparo_days=AMPARO_DAYS,
            amparo_due=compute_deadline(today, AMPARO_DAYS, calendar).due if final else None,
            third_party=third_party,
            **_context(case, event),
        )
    )
    return Letter(kind, TITLES[kind], f"{case.folio}-{kind}.pdf", html)


def postal_or_route(case: Case) -> tuple[str, str] | None:
    """(channel, recipient) the resident reads; None when only a postal address is known."""
    try:
        return reply_route(case)
    except NoReplyRoute:
        return None


def issue_letter(
    session: Session,
    case: Case,
    event: CaseEvent,
    commune: CommuneInfo,
    calendar: BusinessCalendar,
    data_dir: Path,
    actor: Actor,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """File the step's letter on the case and queue it to the resident; None if no route."""
    kind = LETTER_FOR_ACTION.get(event.kind)
    if kind is None:
        return None
    now = now or utcnow()
    letter = render_letter(kind, case, commune, calendar, event, local_date(now))
    attachment = store(
        data_dir, Upload(letter.filename, "application/pdf", letter.pdf()), source="letter"
    )
    case.attachments.append(attachment)
    session.flush()
    route = postal_or_route(case)
    channel = route[0] if route else None
    message = None
    if route is not None:
        channel, recipient = route
        message = OutboxMessage(
            case_id=case.id,
            channel=channel,
            recipient=recipient,
            body=letter.text(),
            payload={
                "kind": "carta_sai",
                "letter": kind,
                "attachment_id": attachment.id,
                "subject": f"{letter.title} · folio {case.folio}",
            },
            idempotency_key=f"carta:{case.folio}:{event.id}",
        )
        session.add(message)
    add_event(
        case,
        actor,
        "carta",
        letter.title,
        data={"letter": kind, "attachment_id": attachment.id, "channel": channel},
        now=now,
    )
    if kind == "derivada":
        forward_to_body(session, case, event, commune, calendar, data_dir, actor, now)
    session.flush()
    return message


def forward_to_body(
    session: Session,
    case: Case,
    event: CaseEvent,
    commune: CommuneInfo,
    calendar: BusinessCalendar,
    data_dir: Path,
    actor: Actor,
    now: datetime,
) -> OutboxMessage | None:
    """Art. 13: send the request itself to the competent body, by e-mail when one is known."""
    letter = render_letter("oficio_derivacion", case, commune, calendar, event, local_date(now))
    upload = Upload(f"{case.folio}-oficio-derivacion.pdf", "application/pdf", letter.pdf())
    attachment = store(data_dir, upload, source="letter")
    case.attachments.append(attachment)
    session.flush()
    address = (event.data or {}).get("body_email")
    message = None
    if address and EMAIL.fullmatch(address):
        message = OutboxMessage(
            case_id=case.id,
            channel="email",
            recipient=address,
            body=letter.text(),
            payload={
                "kind": "oficio_derivacion",
                "attachment_id": attachment.id,
                "subject": f"{letter.title} · folio {case.folio}",
            },
            idempotency_key=f"derivacion:{case.folio}:{event.id}",
        )
        session.add(message)
    add_event(
        case,
        actor,
        "carta",
        letter.title,
        data={"letter": "oficio_derivacion", "attachment_id": attachment.id, "to": address},
        now=now,
    )
    return message


def issue_third_party_letters(
    session: Session,
    case: Case,
    parties: list[ThirdParty],
    commune: CommuneInfo,
    calendar: BusinessCalendar,
    data_dir: Path,
    actor: Actor,
    now: datetime | None = None,
) -> list[OutboxMessage]:
    """Art. 20 notices: a letter per third party, e-mailed when their address is an e-mail."""
    now = now or utcnow()
    messages = []
    for party in parties:
        letter = render_letter(
            "tercero", case, commune, calendar, today=local_date(now), third_party=party
        )
        upload = Upload(f"{case.folio}-tercero-{party.id}.pdf", "application/pdf", letter.pdf())
        attachment = store(data_dir, upload, source="letter")
        case.attachments.append(attachment)
        session.flush()
        if EMAIL.fullmatch(party.address):
            message = OutboxMessage(
                case_id=case.id,
                channel="email",
                recipient=party.address,
                body=letter.text(),
                payload={
                    "kind": "carta_tercero",
                    "attachment_id": attachment.id,
                    "subject": f"{letter.title} · folio {case.folio}",
                },
                idempotency_key=f"tercero:{case.folio}:{party.id}",
            )
            session.add(message)
            messages.append(message)
        add_event(
            case,
            actor,
            "carta",
            letter.title,
            data={"letter": "tercero", "party": party.name, "attachment_id": attachment.id},
            now=now,
        )
    session.flush()
    return messages


class _TextExtractor(HTMLParser):
    BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "tr", "header", "footer"})
    SKIP = frozenset({"style", "head", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Readable plain text of a letter: paragraphs kept, spaces collapsed."""
    parser = _TextExtractor()
    parser.feed(html)
    text = "".join(parser.parts)
    lines = [re.sub(r" +", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
