"""Helpers for staff-panel tests: users of every role, logging in, CSRF tokens, cases."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.calendar.business_days import BusinessCalendar
from oirs.cases.filing import Actor, ContactData, NewCase, file_case
from oirs.models import Case, Unit, User

PASSWORD = "clave-de-prueba-segura"
_HASH: list[str] = []
_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
UNIT_OF_ROLE = {"unit": "DIMAO", "oirs": "OIRS", "transparency": "TRANSP", "supervisor": "SECMU"}
ROLES = ("agent", "oirs", "transparency", "unit", "supervisor", "admin")
OIRS = Actor("Paula OIRS", None, "oirs")


def password_hash() -> str:
    if not _HASH:
        # cheap parameters: verification cost follows the hash, so logins in tests stay fast
        _HASH.append(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD))
    return _HASH[0]


def make_user(
    session: Session, role: str, email: str | None = None, unit: str | None = None
) -> User:
    """A committed staff user with the shared test password."""
    unit_code = unit or UNIT_OF_ROLE.get(role)
    with session.begin():
        unit_row = session.scalar(select(Unit).where(Unit.code == unit_code)) if unit_code else None
        user = User(
            email=email or f"{role}@prueba.cl",
            name=f"Persona {role}",
            role=role,
            password_hash=password_hash(),
            unit=unit_row,
        )
        session.add(user)
    return user


def csrf(client: FlaskClient, path: str = "/ingresar") -> str:
    html = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    token = csrf(client)
    return client.post(
        "/ingresar", data={"email": email, "password": password, "csrf_token": token}
    )


def post(
    client: FlaskClient, path: str, data: dict[str, str], token_page: str = "/cuenta/contrasena"
) -> Any:
    """POST a staff form with a valid CSRF token taken from a page of the logged-in user."""
    return client.post(path, data={**data, "csrf_token": csrf(client, token_page)})


def new_case(
    session: Session,
    calendar: BusinessCalendar,
    *,
    type_: str = "reclamo",
    category: str = "aseo",
    description: str = "Basura acumulada en la esquina",
    channel: str = "whatsapp",
    when: datetime | None = None,
    contact: ContactData | None = None,
    **extra: Any,
) -> Case:
    """File a case through the core, as the bot would."""
    with session.begin():
        case, _ = file_case(
            session,
            NewCase(
                type=type_,
                channel=channel,
                description=description,
                category=category,
                contact=contact
                or ContactData(
                    name="María González",
                    email="maria.gonzalez@example.cl",
                    phone="+56987654321",
                    rut="12.345.678-5",
                ),
                **extra,
            ),
            calendar,
            now=when or datetime.now(UTC),
        )
    session.expunge(case)  # detached: reading it later never opens a (locking) transaction
    return case


def move(session: Session, case: Case, *actions: str) -> None:
    """Walk a case through workflow actions as OIRS staff (derivar goes to its category's unit)."""
    from oirs.cases.filing import derive_to_unit, transition

    with session.begin():
        session.add(case)
        case.unit
        for action in actions:
            if action == "derivar":
                derive_to_unit(session, case, case.unit.code if case.unit else "DIMAO", OIRS)
            else:
                role = "unit" if action in ("tomar", "responder_unidad") else "oirs"
                transition(
                    session, case, action, Actor("Prueba", None, role), note=f"nota {action}"
                )
    session.expunge(case)
