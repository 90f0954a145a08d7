"""A conversation handed from the bot to a person: queued, taken by an agent, handed back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from oirs.models.base import Base, UtcDateTime, utcnow
from oirs.models.case import Case


class HandoffStatus(StrEnum):
    QUEUED = "queued"
    TAKEN = "taken"
    RETURNED = "returned"
    AFTER_HOURS = "after_hours"  # a consulta was filed: someone must call the resident back
    CALLED_BACK = "called_back"  # an agent marked that call-back done


OPEN_HANDOFF = frozenset({HandoffStatus.QUEUED.value, HandoffStatus.TAKEN.value})


class Handoff(Base):
    __tablename__ = "handoff"
    __table_args__ = (
        Index("ix_handoff_status_created", "status", "created_at"),
        Index("ix_handoff_conversation", "channel", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    channel_user_id: Mapped[str | None] = mapped_column(String(100))
    conversation_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    intent: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(100))
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    agent_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agent_label: Mapped[str | None] = mapped_column(String(200))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)

    bot_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    bot_error: Mapped[str | None] = mapped_column(Text)
    # Rasa tracker timestamp of the last event copied in, so each is copied once.
    synced_until: Mapped[float | None] = mapped_column(Float)

    case: Mapped[Case | None] = relationship()
