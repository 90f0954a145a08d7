"""conversation outcomes (containment) and the log of monthly reports sent

Revision ID: 0009_conversation_outcomes
Revises: 0008_street_axes
Create Date: 2026-12-08 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oirs.models.base

revision: str = "0009_conversation_outcomes"
down_revision: str | None = "0008_street_axes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("started_at", oirs.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_at", oirs.models.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_outcome")),
    )
    with op.batch_alter_table("conversation_outcome", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_outcome_conversation_started",
            ["conversation", "started_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_conversation_outcome_started_channel",
            ["started_at", "channel", "outcome"],
            unique=False,
        )
    op.create_table(
        "report_dispatch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("sent_by_user_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_label", sa.String(length=200), nullable=False),
        sa.Column("sent_at", oirs.models.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sent_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_report_dispatch_sent_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_dispatch")),
    )


def downgrade() -> None:
    op.drop_table("report_dispatch")
    with op.batch_alter_table("conversation_outcome", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_outcome_started_channel")
        batch_op.drop_index("ix_conversation_outcome_conversation_started")
    op.drop_table("conversation_outcome")
