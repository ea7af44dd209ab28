"""Class exchange scenarios: members, deliveries to a classmate's agency and their origin.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "class_exchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("opened_by", sa.String(length=150), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_exchange")),
        sa.UniqueConstraint("name", name=op.f("uq_class_exchange_name")),
    )
    op.create_table(
        "class_exchange_member",
        sa.Column("exchange_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exchange_id"], ["class_exchange.id"],
            name=op.f("fk_class_exchange_member_exchange_id_class_exchange"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"],
            name=op.f("fk_class_exchange_member_tenant_id_tenant"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exchange_id", "tenant_id", name=op.f("pk_class_exchange_member")),
    )
    with op.batch_alter_table("outgoing_delivery") as batch:
        batch.add_column(sa.Column("recipient_tenant_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outgoing_delivery_recipient_tenant_id_tenant"), "tenant",
            ["recipient_tenant_id"], ["id"], ondelete="SET NULL",
        )
    with op.batch_alter_table("incoming_document") as batch:
        batch.add_column(sa.Column("origin_delivery_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_incoming_document_origin_delivery_id_outgoing_delivery"),
            "outgoing_delivery", ["origin_delivery_id"], ["id"], ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("incoming_document") as batch:
        batch.drop_constraint(
            op.f("fk_incoming_document_origin_delivery_id_outgoing_delivery"), type_="foreignkey"
        )
        batch.drop_column("origin_delivery_id")
    with op.batch_alter_table("outgoing_delivery") as batch:
        batch.drop_constraint(
            op.f("fk_outgoing_delivery_recipient_tenant_id_tenant"), type_="foreignkey"
        )
        batch.drop_column("recipient_tenant_id")
    op.drop_table("class_exchange_member")
    op.drop_table("class_exchange")
