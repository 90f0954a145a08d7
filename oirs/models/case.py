"""The case aggregate: a resident's reclamo, sugerencia, felicitación, consulta or SAI request."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oirs.models.base import Base, UtcDateTime, utcnow
from oirs.models.organisation import Category, Unit


class CaseType(StrEnum):
    RECLAMO = "reclamo"
    SUGERENCIA = "sugerencia"
    FELICITACION = "felicitacion"
    CONSULTA = "consulta"
    SAI = "sai"


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    WEB = "web"
    VOICE = "voice"
    PRESENCIAL = "presencial"
    EMAIL = "email"
    OPEN311 = "open311"


class Case(Base):
    __tablename__ = "case_file"
    __table_args__ = (
        Index("ix_case_file_status_due", "status", "due_date"),
        Index("ix_case_file_channel_user", "channel", "channel_user_id"),
        # The inbox pages by due date or by arrival: an index in that order lets a
        # LIMIT 25 stop early instead of sorting every case (bench/inbox.py).
        Index("ix_case_file_due_date_id", "due_date", "id"),
        Index("ix_case_file_created_at_id", "created_at", "id"),
        # the map reads the cases of a period that have coordinates (admin/stats/map.py)
        Index("ix_case_file_received_on_lat_lon", "received_on", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    folio: Mapped[str] = mapped_column(String(20), unique=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # where the coordinates come from (oirs.reporting.geocoding.SOURCES: a shared location,
    # the commune's street axes, an external geocoder) and how close they are
    # (oirs.reporting.geocoding.PRECISIONS); "no_encontrada" when the address could not be placed
    location_source: Mapped[str | None] = mapped_column(String(20))
    location_precision: Mapped[str | None] = mapped_column(String(20))

    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)
    term_business_days: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_rut: Mapped[str | None] = mapped_column(String(12), index=True)
    contact_email: Mapped[str | None] = mapped_column(String(254), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    contact_postal_address: Mapped[str | None] = mapped_column(String(300))
    preferred_channel: Mapped[str | None] = mapped_column(String(20))

    channel_user_id: Mapped[str | None] = mapped_column(String(100))
    conversation_id: Mapped[str | None] = mapped_column(String(100))
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # Staff published the (masked) description on the public Open311 listing; who and when
    # are the case's events.
    public_description: Mapped[bool] = mapped_column(default=False)

    category: Mapped[Category | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="save-update, merge"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id", cascade="save-update, merge"
    )


class CaseEvent(Base):
    """Append-only log of everything that happened to a case: who, when, from, to, note."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")


class Attachment(Base):
    """A photo, audio or document a resident or staff member attached, stored by content hash."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20), default="resident")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class Adhesion(Base):
    """A resident who joined an open reclamo instead of filing a duplicate."""

    __tablename__ = "adhesion"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))


class FolioCounter(Base):
    """Last folio number issued per case type and year; bumped in the filing transaction."""

    __tablename__ = "folio_counter"

    case_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
