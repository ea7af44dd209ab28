"""Outgoing documents (văn bản đi), their register counter and their deliveries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "register_counter",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "book",
            sa.Enum("outgoing", name="registerbook", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_register_counter_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "book", "year", name=op.f("pk_register_counter")),
    )
    op.create_table(
        "outgoing_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("document_type", sa.String(length=50), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column(
            "urgency",
            sa.Enum(
                "normal",
                "urgent",
                "very_urgent",
                "flash",
                name="urgency",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "confidentiality",
            sa.Enum(
                "normal",
                "confidential",
                "secret",
                "top_secret",
                name="confidentiality",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "returned",
                "approved",
                "issued",
                name="outgoingstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("drafting_unit_id", sa.Integer(), nullable=True),
        sa.Column("drafted_by", sa.String(length=200), nullable=False),
        sa.Column("signer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.Column("issue_year", sa.Integer(), nullable=True),
        sa.Column("issue_number", sa.Integer(), nullable=True),
        sa.Column("number_symbol", sa.String(length=60), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["drafting_unit_id"],
            ["unit.id"],
            name=op.f("fk_outgoing_document_drafting_unit_id_unit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signer_id"],
            ["colleague.id"],
            name=op.f("fk_outgoing_document_signer_id_colleague"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_outgoing_document_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_document")),
        sa.UniqueConstraint(
            "tenant_id",
            "issue_year",
            "issue_number",
            name=op.f("uq_outgoing_document_tenant_id_issue_year_issue_number"),
        ),
    )
    op.create_index(
        "ix_outgoing_document_tenant_status",
        "outgoing_document",
        ["tenant_id", "status"],
        unique=False,
    )
    op.create_table(
        "outgoing_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum("sent", "acknowledged", name="deliverystatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["outgoing_document.id"],
            name=op.f("fk_outgoing_delivery_document_id_outgoing_document"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_outgoing_delivery_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_delivery")),
        sa.UniqueConstraint(
            "document_id", "recipient", name=op.f("uq_outgoing_delivery_document_id_recipient")
        ),
    )
    op.create_index(
        op.f("ix_outgoing_delivery_document_id"), "outgoing_delivery", ["document_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outgoing_delivery_document_id"), table_name="outgoing_delivery")
    op.drop_table("outgoing_delivery")
    op.drop_index("ix_outgoing_document_tenant_status", table_name="outgoing_document")
    op.drop_table("outgoing_document")
    op.drop_table("register_counter")
