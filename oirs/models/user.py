"""Staff accounts, their roles, and API tokens for the bot, channels and Open311 clients."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oirs.models.base import Base, UtcDateTime, utcnow
from oirs.models.organisation import Unit


class Role(StrEnum):
    AGENT = "agent"
    OIRS = "oirs"
    TRANSPARENCY = "transparency"
    UNIT = "unit"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    unit: Mapped[Unit | None] = relationship()


# What a token may do: bot (the bot and the channels), open311 (an Open311 client), read
# (reports and read-only case data, masked). Each API route declares the scopes it accepts.
API_SCOPES = ("bot", "open311", "read")


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # What the token may do, space-separated (bot, open311, read): checked on every API route.
    scopes: Mapped[str] = mapped_column(String(100), default="")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
