"""The logged-in staff member as Flask-Login sees it, detached from any database session."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_login import UserMixin

from oirs.models import User


def session_key(user: User) -> str:
    """Changes when the password changes or the account is deactivated: old sessions end."""
    material = f"{user.password_hash}|{user.active}|{user.role}|{user.unit_id}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


@dataclass(frozen=True, eq=False)
class StaffUser(UserMixin):
    id: int
    email: str
    name: str
    role: str
    unit_id: int | None
    unit_code: str | None
    key: str

    @classmethod
    def from_model(cls, user: User) -> StaffUser:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            unit_id=user.unit_id,
            unit_code=user.unit.code if user.unit else None,
            key=session_key(user),
        )

    def get_id(self) -> str:
        return f"{self.id}:{self.key}"
