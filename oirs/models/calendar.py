"""Calendar data staff edit: extra non-business days and deadline rules per type and category."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oirs.models.base import Base, UtcDateTime, utcnow


class ExtraHoliday(Base):
    """A day an admin declares non-business (a late decree, an election day)."""

    __tablename__ = "extra_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DeadlineRule(Base):
    """Business days to answer a case type, optionally for one category."""

    __tablename__ = "deadline_rule"
    __table_args__ = (UniqueConstraint("case_type", "category_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(String(20))
    category_code: Mapped[str | None] = mapped_column(String(40))
    business_days: Mapped[int] = mapped_column(Integer)
