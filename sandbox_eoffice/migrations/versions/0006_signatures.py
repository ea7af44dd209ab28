"""Digital signatures: the sandbox PKI"s certificates and tokens, signed outgoing documents,
the verification exercises in the inbox, the scenario clock.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signature_sample",
        sa.Column("case", sa.String(length=40), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("case", name=op.f("pk_signature_sample")),
    )
    op.create_table(
        "signing_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "personal", "organisation", name="certificatekind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "active",
                "revoked",
                name="certificatestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("serial_number", sa.String(length=40), nullable=True),
        sa.Column("certificate_der", sa.LargeBinary(), nullable=True),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=True),
        sa.Column("pin_hash", sa.String(length=200), nullable=True),
        sa.Column("failed_pin_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(), nullable=True),
        sa.Column("requested_by", sa.String(length=150), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.String(length=150), nullable=True),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.Column("not_before", sa.DateTime(), nullable=True),
        sa.Column("not_after", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column(
            "revocation_reason",
            sa.Enum(
                "keyCompromise",
                "superseded",
                "affiliationChanged",
                "cessationOfOperation",
                "unspecified",
                name="revocationreason",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["signing_certificate.id"],
            name=op.f("fk_signing_certificate_replaces_id_signing_certificate"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_signing_certificate_tenant_id_tenant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_certificate")),
        sa.UniqueConstraint("serial_number", name=op.f("uq_signing_certificate_serial_number")),
    )
    with op.batch_alter_table("signing_certificate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signing_certificate_tenant_kind", ["tenant_id", "kind"], unique=False
        )
        batch_op.create_index(
            "uq_signing_certificate_one_request", ["tenant_id", "kind"], unique=True,
            sqlite_where=sa.text("status = 'requested'"),
            postgresql_where=sa.text("status = 'requested'"),
        )

    with op.batch_alter_table("incoming_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature_case", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_incoming_document_tenant_id_signature_case"),
            ["tenant_id", "signature_case"],
        )

    with op.batch_alter_table("outgoing_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_pdf", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("personal_signer", sa.String(length=200), nullable=True))

    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("clock_offset_days", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_column("clock_offset_days")

    with op.batch_alter_table("outgoing_document", schema=None) as batch_op:
        batch_op.drop_column("personal_signer")
        batch_op.drop_column("signed_pdf")

    with op.batch_alter_table("incoming_document", schema=None) as batch_op:
        batch_op.drop_column("signature_case")

    with op.batch_alter_table("signing_certificate", schema=None) as batch_op:
        batch_op.drop_index("uq_signing_certificate_one_request")
        batch_op.drop_index("ix_signing_certificate_tenant_kind")

    op.drop_table("signing_certificate")
    op.drop_table("signature_sample")
