"""Staff accounts: argon2 password hashes and role checks."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.errors import InvalidField
from oirs.models import Role, Unit, User
from oirs.privacy.contact import normalise_email

_hasher = PasswordHasher()
MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False


def create_user(
    session: Session, email: str, name: str, role: str, password: str, unit_code: str | None = None
) -> User:
    """Add a staff member; unit responders must belong to a unit."""
    errors = {}
    normal = normalise_email(email)
    if normal is None:
        errors["email"] = "El correo electrónico no es válido."
    elif session.scalar(select(User).where(User.email == normal)):
        errors["email"] = "Ya existe un usuario con ese correo."
    if role not in {r.value for r in Role}:
        errors["role"] = "El rol no existe."
    if len(password) < MIN_PASSWORD:
        errors["password"] = f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres."
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            errors["unit"] = "La unidad no existe."
    if role == Role.UNIT and unit is None and "unit" not in errors:
        errors["unit"] = "Un usuario de unidad debe pertenecer a una unidad."
    if errors:
        raise InvalidField(errors)
    user = User(
        email=normal, name=name, role=role, password_hash=hash_password(password), unit=unit
    )
    session.add(user)
    session.flush()
    return user
