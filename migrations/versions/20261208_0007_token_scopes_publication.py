"""API token scopes, and the staff-published description on the public Open311 listing

Existing tokens keep working for what they have been used for: a token whose name an Open311
client filed requests under gets `open311`; every other token gets `bot`, the scope of the
token scripts/bot-token.sh caches across restarts (without it the running bot would be refused
on its next call). Nothing existing gets `read`.

Revision ID: 0007_token_scopes_publication
Revises: 0006_theme_classifier
Create Date: 2026-12-08 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_token_scopes_publication"
down_revision: str | None = "0006_theme_classifier"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _open311_clients(bind: sa.Connection) -> set[str]:
    """Token names recorded on the requests Open311 clients filed."""
    case_file = sa.table(
        "case_file", sa.column("channel", sa.String), sa.column("details", sa.JSON)
    )
    query = sa.select(case_file.c.details).where(case_file.c.channel == "open311")
    clients = set()
    for details in bind.execute(query).scalars():
        client = ((details or {}).get("open311") or {}).get("client")
        if isinstance(client, str) and client:
            clients.add(client)
    return clients


def upgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=100), nullable=False, server_default="")
        )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_description", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    bind = op.get_bind()
    api_token = sa.table("api_token", sa.column("name", sa.String), sa.column("scopes", sa.String))
    bind.execute(api_token.update().values(scopes="bot"))
    clients = _open311_clients(bind)
    if clients:
        bind.execute(
            api_token.update().where(api_token.c.name.in_(sorted(clients))).values(scopes="open311")
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("public_description")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("scopes")
