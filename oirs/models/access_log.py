"""Who saw a resident's full personal data, and when (Ley 21.719: who saw what)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from oirs.models.base import Base, UtcDateTime, utcnow


class CaseView(Base):
    __tablename__ = "case_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    user_label: Mapped[str] = mapped_column(String(200))
    what: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
