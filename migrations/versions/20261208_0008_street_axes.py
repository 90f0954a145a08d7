"""Street axes for geocoding, and where each case's coordinates come from

Cases that already have coordinates got them from the resident (a shared location on WhatsApp,
Telegram or the widget, or an Open311 client): they are marked so.

Revision ID: 0008_street_axes
Revises: 0007_token_scopes_publication
Create Date: 2026-12-08 19:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_street_axes"
down_revision: str | None = "0007_token_scopes_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "street_axis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.String(length=60), nullable=True),
        sa.Column("from_number", sa.Integer(), nullable=True),
        sa.Column("to_number", sa.Integer(), nullable=True),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_axis")),
    )
    with op.batch_alter_table("street_axis", schema=None) as batch_op:
        batch_op.create_index("ix_street_axis_name_key", ["name_key"], unique=False)
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("location_precision", sa.String(length=20), nullable=True))
        batch_op.create_index(
            "ix_case_file_received_on_lat_lon",
            ["received_on", "latitude", "longitude"],
            unique=False,
        )
    case_file = sa.table(
        "case_file",
        sa.column("latitude", sa.Float),
        sa.column("location_source", sa.String),
        sa.column("location_precision", sa.String),
    )
    op.get_bind().execute(
        case_file.update()
        .where(case_file.c.latitude.is_not(None))
        .values(location_source="vecino", location_precision="exacta")
    )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_received_on_lat_lon")
        batch_op.drop_column("location_precision")
        batch_op.drop_column("location_source")
    with op.batch_alter_table("street_axis", schema=None) as batch_op:
        batch_op.drop_index("ix_street_axis_name_key")
    op.drop_table("street_axis")
