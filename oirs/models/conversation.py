"""How the bot's conversations ended, and the monthly reports sent to the authorities.

The bot reports each conversation's start and outcomes (FAQ answered, case filed, status
given, handed to a person) with a keyed hash of Rasa's conversation id, never the id itself:
the statistics count conversations, they do not follow residents.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from oirs.models.base import Base, UtcDateTime, utcnow


class ConversationOutcome(Base):
    """One conversation with the bot (a Rasa session) and how it ended, if it has yet.

    One row per conversation rather than per report, so a year of them is counted by one
    index-only scan; `outcome` keeps the decisive report: a hand-off over anything, else the
    first of FAQ answered, case filed or status given (oirs/handoffs/conversations.py)."""

    __tablename__ = "conversation_outcome"
    __table_args__ = (
        Index("ix_conversation_outcome_conversation_started", "conversation", "started_at"),
        Index("ix_conversation_outcome_started_channel", "started_at", "channel", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation: Mapped[str] = mapped_column(String(64))  # keyed hash, not Rasa's id
    channel: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ReportDispatch(Base):
    """A monthly compliance report e-mailed from the statistics page: who, when, to whom."""

    __tablename__ = "report_dispatch"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    recipients: Mapped[str] = mapped_column(Text)  # comma-separated, as typed
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    sent_by_label: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
