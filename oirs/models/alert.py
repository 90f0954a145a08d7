"""Deadline alerts already sent, so each threshold of each term is sent once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from oirs.models.base import Base, UtcDateTime, utcnow


class SentAlert(Base):
    """One alert of one case for one due date (a prórroga starts a new series)."""

    __tablename__ = "sent_alert"
    __table_args__ = (UniqueConstraint("case_id", "kind", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    due_date: Mapped[date] = mapped_column(Date)
    notified: Mapped[bool] = mapped_column(Boolean, default=True)
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
