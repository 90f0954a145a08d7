"""Demo cases in every stage of the workflow, so a fresh development inbox is not empty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cl import rut as cl_rut

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, derive_to_unit, file_case, transition
from oirs.models import Case, utcnow
from oirs.outbox.replies import respond, seed_reply_templates

OIRS = Actor("Paula Rojas (OIRS)", None, "oirs")
UNIT = Actor("Carla Soto (DIMAO)", None, "unit")
TRANSPARENCY = Actor("Jorge Muñoz (Transparencia)", None, "transparency")


@dataclass(frozen=True)
class DemoCase:
    type: str
    category: str | None
    channel: str
    days_ago: int
    description: str
    name: str
    steps: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    address: str | None = None


def _rut(number: int) -> str:
    return f"{number}-{cl_rut.calc_check_digit(str(number))}"


DEMO = [
    DemoCase(
        "reclamo",
        None,  # no theme given: waits in «Ingresado» for OIRS staff to classify it
        "whatsapp",
        1,
        "Hay un microbasural en la esquina de Los Aromos con Las Acacias.",
        "María González Rojas",
        (),
        "maria.gonzalez@example.cl",
        "+56987654301",
        "Los Aromos 1234",
    ),
    DemoCase(
        "reclamo",
        "alumbrado",
        "telegram",
        3,
        "Tres luminarias apagadas en el pasaje El Roble desde hace una semana.",
        "Pedro Soto Díaz",
        ("clasificar",),
        None,
        "+56987654302",
        "Pasaje El Roble 45",
    ),
    DemoCase(
        "reclamo",
        "areas_verdes",
        "web",
        6,
        "El árbol de la plaza Los Héroes tiene una rama a punto de caer.",
        "Ana Pérez Muñoz",
        ("clasificar", "derivar"),
        "ana.perez@example.cl",
        None,
        "Plaza Los Héroes",
    ),
    DemoCase(
        "reclamo",
        "aseo",
        "voice",
        9,
        "El camión recolector no pasó el jueves por calle Prat.",
        "Luis Fernández Vera",
        ("clasificar", "derivar", "tomar"),
        None,
        "+56987654304",
        "Prat 980",
    ),
    DemoCase(
        "reclamo",
        "aseo",
        "whatsapp",
        12,
        "Contenedor de basura roto frente al consultorio.",
        "Rosa Contreras Lagos",
        ("clasificar", "derivar", "responder_unidad"),
        "rosa.contreras@example.cl",
        "+56987654305",
        "Av. Central 300",
    ),
    DemoCase(
        "reclamo",
        "pavimento",
        "presencial",
        14,
        "Bache profundo en la calzada de Av. Libertad.",
        "Jorge Silva Pino",
        ("clasificar", "derivar", "responder_unidad", "validar"),
        "jorge.silva@example.cl",
        None,
        "Av. Libertad 1500",
    ),
    DemoCase(
        "reclamo",
        "ruido",
        "web",
        30,
        "Ruidos molestos todas las noches desde un local de la calle Maipú.",
        "Carolina Reyes Toro",
        ("clasificar", "derivar"),
        "carolina.reyes@example.cl",
        None,
        "Maipú 210",
    ),
    DemoCase(
        "reclamo",
        "transito",
        "whatsapp",
        20,
        "El semáforo de Av. Libertad con Freire está apagado.",
        "Felipe Morales Ortiz",
        ("clasificar", "derivar", "responder_unidad", "validar", "responder"),
        None,
        "+56987654308",
        "Av. Libertad con Freire",
    ),
    DemoCase(
        "sugerencia",
        "areas_verdes",
        "web",
        4,
        "Sugiero instalar bebederos en el parque municipal.",
        "Daniela Castro León",
        (),
        "daniela.castro@example.cl",
    ),
    DemoCase(
        "felicitacion",
        "atencion",
        "telegram",
        2,
        "Quiero felicitar a la funcionaria de la OIRS por su amable atención.",
        "Tomás Herrera Núñez",
        (),
        None,
        "+56987654310",
    ),
    DemoCase(
        "consulta",
        "otro",
        "email",
        5,
        "¿Qué documentos necesito para la patente de un almacén?",
        "Gloria Vargas Soto",
        ("clasificar",),
        "gloria.vargas@example.cl",
    ),
    DemoCase(
        "sai",
        None,
        "web",
        7,
        "Solicito copia de los contratos de recolección de residuos vigentes en 2026.",
        "Ignacio Rojas Fuentes",
        ("analizar",),
        "ignacio.rojas@example.cl",
    ),
    DemoCase(
        "sai",
        None,
        "email",
        2,
        "Solicito el número de funcionarios a honorarios por dirección municipal.",
        "Valentina Díaz Paredes",
        (),
        "valentina.diaz@example.cl",
    ),
]


def _contact(demo: DemoCase, index: int) -> ContactData:
    rut = None if demo.type == "sai" else _rut(12_345_670 + index * 1_111)
    return ContactData(name=demo.name, email=demo.email, phone=demo.phone, rut=rut)


def _transcript(demo: DemoCase, at: datetime) -> list[dict[str, str]]:
    stamp = at.isoformat(timespec="minutes")
    return [
        {
            "at": stamp,
            "sender": "bot",
            "text": "Hola, soy el asistente virtual de la municipalidad.",
        },
        {"at": stamp, "sender": "user", "text": demo.description},
        {"at": stamp, "sender": "bot", "text": "Gracias. Registré su caso y le enviaré el folio."},
    ]


def _walk(session: Session, case: Case, steps: tuple[str, ...], at: datetime) -> None:
    """Apply each step a few hours apart, as staff would."""
    for number, step in enumerate(steps, start=1):
        when = at + timedelta(hours=5 * number)
        if step == "clasificar" and case.status == "clasificado":
            continue  # its theme came with it: filed already classified
        if step == "derivar":
            unit = case.unit.code if case.unit else "OIRS"
            derive_to_unit(session, case, unit, OIRS, "Favor gestionar y responder.")
            case.events[-1].at = when
        elif step == "responder":
            respond(
                session,
                case,
                OIRS,
                "Estimado vecino: la Dirección de Tránsito reparó el semáforo.",
                when,
            )
        elif step == "responder_unidad":
            transition(
                session, case, step, UNIT, "Se atendió en terreno; adjuntamos el detalle.", now=when
            )
        elif case.type == "sai":
            transition(session, case, step, TRANSPARENCY, None, now=when)
        else:
            transition(session, case, step, OIRS, None, now=when)


def seed_demo_cases(
    session: Session, calendar: BusinessCalendar, now: datetime | None = None
) -> list[str]:
    """File the demo cases once (none if any case exists); returns their folios."""
    if session.scalar(select(Case.id).limit(1)) is not None:
        return []
    seed_reply_templates(session)
    now = now or utcnow()
    folios = []
    for index, demo in enumerate(DEMO):
        at = now - timedelta(days=demo.days_ago)
        data = NewCase(
            type=demo.type,
            channel=demo.channel,
            description=demo.description,
            category=demo.category,
            address=demo.address,
            contact=_contact(demo, index),
            transcript=_transcript(demo, at),
            idempotency_key=f"demo-{index}",
        )
        case, _ = file_case(session, data, calendar, now=at)
        _walk(session, case, demo.steps, at)
        folios.append(case.folio)
    session.flush()
    return folios
