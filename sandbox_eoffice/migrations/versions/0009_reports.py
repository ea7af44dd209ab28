"""reports: the periodic reports and their indicators' figures.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "periodic_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("month", "quarter", name="reportkind", native_enum=False,
                                  length=20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.Enum("draft", "submitted", name="reportstatus",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("filled_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_periodic_report_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periodic_report")),
        sa.UniqueConstraint("tenant_id", "kind", "period_start",
                            name=op.f("uq_periodic_report_tenant_id_kind_period_start")),
    )
    with op.batch_alter_table("periodic_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_periodic_report_tenant_id"), ["tenant_id"],
                              unique=False)

    op.create_table(
        "report_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Enum("one_stop", "eoffice", "manual", name="indicatorsource",
                                    native_enum=False, length=20), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("system_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("out_of_range", sa.Boolean(), nullable=False),
        sa.Column("differs", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["periodic_report.id"],
                                name=op.f("fk_report_value_report_id_periodic_report"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_report_value_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_value")),
        sa.UniqueConstraint("report_id", "indicator",
                            name=op.f("uq_report_value_report_id_indicator")),
    )
    with op.batch_alter_table("report_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_value_report_id"), ["report_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_value_report_id"))
    op.drop_table("report_value")
    with op.batch_alter_table("periodic_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_periodic_report_tenant_id"))
    op.drop_table("periodic_report")
