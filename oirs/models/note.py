"""Notes staff leave on a case for each other; never shown to the resident."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oirs.models.base import Base, UtcDateTime, utcnow


class InternalNote(Base):
    __tablename__ = "internal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    author_label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
