"""SAI records beyond the case row: third parties notified (art. 20) and amparos before the CPLT."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oirs.models.base import Base, UtcDateTime, utcnow


class ThirdParty(Base):
    """Someone whose rights the requested information may affect (Ley 20.285 art. 20)."""

    __tablename__ = "sai_third_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    notice_due: Mapped[date] = mapped_column(Date)
    notified_on: Mapped[date] = mapped_column(Date)
    opposition_due: Mapped[date] = mapped_column(Date)
    opposed: Mapped[bool | None] = mapped_column(Boolean)
    answered_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Amparo(Base):
    """An amparo the requester filed before the Consejo para la Transparencia (art. 24)."""

    __tablename__ = "sai_amparo"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    rol: Mapped[str] = mapped_column(String(40))
    filed_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    steps: Mapped[list[AmparoStep]] = relationship(
        order_by="AmparoStep.id", cascade="save-update, merge"
    )


class AmparoStep(Base):
    """One dated step of an amparo: filing, admissibility, traslado, descargos, decision..."""

    __tablename__ = "sai_amparo_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    amparo_id: Mapped[int] = mapped_column(ForeignKey("sai_amparo.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    happened_on: Mapped[date] = mapped_column(Date)
    due: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    actor_label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
