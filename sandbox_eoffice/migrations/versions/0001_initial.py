"""Initial schema: tenants, agency, colleagues, incoming documents, activity log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

URGENCY = sa.Enum(
    "normal", "urgent", "very_urgent", "flash", name="urgency", native_enum=False, length=20
)
DOCUMENT_STATUS = sa.Enum(
    "received",
    "registered",
    "assigned",
    "done",
    name="documentstatus",
    native_enum=False,
    length=20,
)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("username", name=op.f("uq_tenant_username")),
    )
    op.create_table(
        "activity_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object_type", sa.String(length=60), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _tenant_fk("activity_log"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_log")),
    )
    op.create_index("ix_activity_log_tenant_created", "activity_log", ["tenant_id", "created_at"])
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("symbol", sa.String(length=30), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        _tenant_fk("agency"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_agency_tenant_id")),
    )
    op.create_table(
        "colleague",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        _tenant_fk("colleague"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_colleague")),
    )
    op.create_index(op.f("ix_colleague_tenant_id"), "colleague", ["tenant_id"])
    op.create_table(
        "incoming_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("number_symbol", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("issuing_agency", sa.String(length=255), nullable=False),
        sa.Column("document_type", sa.String(length=50), nullable=False),
        sa.Column("urgency", URGENCY, nullable=False),
        sa.Column("issued_date", sa.Date(), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("status", DOCUMENT_STATUS, nullable=False),
        sa.Column("register_year", sa.Integer(), nullable=True),
        sa.Column("register_number", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=True),
        sa.Column("registered_by", sa.String(length=200), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["colleague.id"],
            name=op.f("fk_incoming_document_assignee_id_colleague"),
            ondelete="SET NULL",
        ),
        _tenant_fk("incoming_document"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incoming_document")),
        sa.UniqueConstraint(
            "tenant_id",
            "register_year",
            "register_number",
            name=op.f("uq_incoming_document_tenant_id_register_year_register_number"),
        ),
    )
    op.create_index(
        "ix_incoming_document_tenant_status", "incoming_document", ["tenant_id", "status"]
    )


def downgrade() -> None:
    op.drop_index("ix_incoming_document_tenant_status", table_name="incoming_document")
    op.drop_table("incoming_document")
    op.drop_index(op.f("ix_colleague_tenant_id"), table_name="colleague")
    op.drop_table("colleague")
    op.drop_table("agency")
    op.drop_index("ix_activity_log_tenant_created", table_name="activity_log")
    op.drop_table("activity_log")
    op.drop_table("tenant")
