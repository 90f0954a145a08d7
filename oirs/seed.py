"""Reference data every commune starts with (units, categories) and demo staff for development."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.accounts import create_user
from oirs.models import Category, Unit, User

UNITS = [
    ("OIRS", "Oficina de Informaciones, Reclamos y Sugerencias"),
    ("SECMU", "Secretaría Municipal"),
    ("TRANSP", "Oficina de Transparencia"),
    ("DIMAO", "Dirección de Medio Ambiente, Aseo y Ornato"),
    ("ALUMB", "Alumbrado Público (Dirección de Obras)"),
    ("DOM", "Dirección de Obras Municipales"),
    ("OPER", "Dirección de Operaciones"),
    ("INSP", "Inspección Municipal"),
    ("MAMB", "Medio Ambiente: Tenencia Responsable de Mascotas"),
    ("TRANSITO", "Dirección de Tránsito"),
    ("SEGPUB", "Dirección de Seguridad Pública"),
    ("ADMIN", "Administración Municipal"),
]

# category -> (name, unit, copy unit, Open311 service code)
CATEGORIES = [
    ("aseo", "Aseo y recolección de residuos", "DIMAO", None),
    ("areas_verdes", "Áreas verdes, plazas y arbolado", "DIMAO", None),
    ("alumbrado", "Alumbrado público", "ALUMB", None),
    ("pavimento", "Pavimentos, veredas y baches", "OPER", None),
    ("ruido", "Ruidos molestos", "INSP", None),
    ("construccion", "Construcciones y obras", "INSP", None),
    ("animales", "Animales y tenencia responsable", "MAMB", None),
    ("transito", "Tránsito, semáforos y señalética", "TRANSITO", None),
    ("seguridad", "Seguridad pública", "SEGPUB", None),
    ("atencion", "Atención de funcionarios", "ADMIN", "SECMU"),
    ("otro", "Otros temas", "OIRS", None),
]

DEMO_STAFF = [
    ("admin@demo.oirs.cl", "Administradora del Sistema", "admin", None),
    ("oirs@demo.oirs.cl", "Paula Rojas (OIRS)", "oirs", "OIRS"),
    ("transparencia@demo.oirs.cl", "Jorge Muñoz (Transparencia)", "transparency", "TRANSP"),
    ("dimao@demo.oirs.cl", "Carla Soto (DIMAO)", "unit", "DIMAO"),
    ("callcenter@demo.oirs.cl", "Andrés Pérez (Call Center)", "agent", None),
    ("secretaria@demo.oirs.cl", "Marcela Díaz (Secretaría Municipal)", "supervisor", "SECMU"),
]


def seed_reference_data(session: Session) -> bool:
    """Units and the category -> unit map; False when they were already there."""
    if session.scalar(select(Unit).limit(1)) is not None:
        return False
    units = {code: Unit(code=code, name=name) for code, name in UNITS}
    session.add_all(units.values())
    for code, name, unit, copy in CATEGORIES:
        session.add(
            Category(
                code=code,
                name=name,
                unit=units[unit],
                copy_unit=units[copy] if copy else None,
                open311_code=code,
            )
        )
    session.flush()
    return True


def seed_demo_staff(session: Session) -> list[tuple[str, str, str]]:
    """Demo users with fresh random passwords, returned once to be shown; none if any exists."""
    if session.scalar(select(User).limit(1)) is not None:
        return []
    created = []
    for email, name, role, unit in DEMO_STAFF:
        password = secrets.token_urlsafe(12)
        create_user(session, email, name, role, password, unit)
        created.append((email, role, password))
    return created
