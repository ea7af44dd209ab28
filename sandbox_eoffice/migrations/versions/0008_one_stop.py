"""One-stop desk: citizens' dossiers and their documents, the simulated national population
database and its purpose-logged lookups.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                   name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("receipt_number", sa.String(length=40), nullable=False),
        sa.Column("procedure_code", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.Enum("online", "counter", name="channel", native_enum=False,
                                     length=20), nullable=False),
        sa.Column("status", sa.Enum("received", "additional_requested", "in_review",
                                    "approved", "returned", "rejected", name="dossierstatus",
                                    native_enum=False, length=30), nullable=False),
        sa.Column("applicant_name", sa.String(length=200), nullable=False),
        sa.Column("citizen_id", sa.String(length=12), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("address", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_by", sa.String(length=200), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("completeness_checked_at", sa.DateTime(), nullable=True),
        sa.Column("additional_request", sa.Text(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("transferred_at", sa.DateTime(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("result_returned_at", sa.DateTime(), nullable=True),
        sa.Column("rejected_at", sa.DateTime(), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("fee", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("paid_online", sa.Boolean(), nullable=False),
        sa.Column("payment_reference", sa.String(length=40), nullable=True),
        sa.Column("result_digitised", sa.Boolean(), nullable=False),
        sa.Column("result_filename", sa.String(length=255), nullable=True),
        sa.Column("result_pdf", sa.LargeBinary(), nullable=True),
        sa.Column("satisfaction_rating", sa.Integer(), nullable=True),
        _tenant_fk("dossier"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_dossier_unit_id_unit"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier")),
        sa.UniqueConstraint("tenant_id", "receipt_number",
                            name=op.f("uq_dossier_tenant_id_receipt_number")),
    )
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.create_index("ix_dossier_tenant_status", ["tenant_id", "status"], unique=False)

    op.create_table(
        "dossier_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("provided", sa.Boolean(), nullable=False),
        _tenant_fk("dossier_document"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"],
                                name=op.f("fk_dossier_document_dossier_id_dossier"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_document")),
    )
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dossier_document_dossier_id"), ["dossier_id"],
                              unique=False)

    op.create_table(
        "population_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.String(length=12), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("sex", sa.Enum("male", "female", name="sex", native_enum=False, length=10),
                  nullable=False),
        sa.Column("hometown", sa.String(length=255), nullable=False),
        sa.Column("permanent_address", sa.String(length=255), nullable=False),
        _tenant_fk("population_record"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population_record")),
        sa.UniqueConstraint("tenant_id", "citizen_id",
                            name=op.f("uq_population_record_tenant_id_citizen_id")),
    )

    op.create_table(
        "population_lookup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=150), nullable=False),
        sa.Column("looked_up_at", sa.DateTime(), nullable=False),
        sa.Column("citizen_id", sa.String(length=12), nullable=False),
        sa.Column("purpose", sa.Enum("verify_applicant", "verify_residence",
                                     "verify_related_person", name="lookuppurpose",
                                     native_enum=False, length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=True),
        sa.Column("found", sa.Boolean(), nullable=False),
        _tenant_fk("population_lookup"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"],
                                name=op.f("fk_population_lookup_dossier_id_dossier"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_population_lookup")),
    )
    with op.batch_alter_table("population_lookup", schema=None) as batch_op:
        batch_op.create_index("ix_population_lookup_tenant_at", ["tenant_id", "looked_up_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("population_lookup", schema=None) as batch_op:
        batch_op.drop_index("ix_population_lookup_tenant_at")
    op.drop_table("population_lookup")
    op.drop_table("population_record")
    with op.batch_alter_table("dossier_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dossier_document_dossier_id"))
    op.drop_table("dossier_document")
    with op.batch_alter_table("dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_dossier_tenant_status")
    op.drop_table("dossier")
