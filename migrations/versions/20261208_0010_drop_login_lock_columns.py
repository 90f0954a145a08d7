"""drop user_account.failed_logins and locked_until, retired by the login throttle

Nothing has read or written them since admin/auth/throttle.py counts failed sign-ins per
account and address (issue 13, point 3).

The columns are dropped in place (ALTER TABLE ... DROP COLUMN, SQLite 3.35 or later), not by
batch mode's copy of the table: SQLite runs with foreign keys on, and dropping the old
user_account under the case events, notes and views that name a staff member fails.

Revision ID: 0010_drop_login_lock_columns
Revises: 0009_conversation_outcomes
Create Date: 2026-12-08 21:00:00.000000
"""

import sqlite3
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import oirs.models.base

revision: str = "0010_drop_login_lock_columns"
down_revision: str | None = "0009_conversation_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETIRED = ("locked_until", "failed_logins")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite" and sqlite3.sqlite_version_info < (3, 35):
        raise RuntimeError(f"SQLite {sqlite3.sqlite_version} cannot drop a column; 3.35+ can")
    for column in RETIRED:
        op.drop_column("user_account", column)


def downgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "user_account",
        sa.Column("locked_until", oirs.models.base.UtcDateTime(timezone=True), nullable=True),
    )
