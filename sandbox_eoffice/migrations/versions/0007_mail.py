"""mail: the learners' mailboxes and the trainers' phishing campaigns.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "phishing_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lure", sa.String(length=40), nullable=False),
        sa.Column("sender_profile", sa.String(length=40), nullable=False),
        sa.Column(
            "landing",
            sa.Enum("login", "certificate_renewal", "teaching_only", name="landingkind",
                    native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("scheduled_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=150), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_phishing_campaign_tenant_id_tenant"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phishing_campaign")),
    )
    with op.batch_alter_table("phishing_campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phishing_campaign_tenant_id"), ["tenant_id"],
                              unique=False)

    op.create_table(
        "campaign_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("clicked_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("attachment_opened_at", sa.DateTime(), nullable=True),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["phishing_campaign.id"],
                                name=op.f("fk_campaign_recipient_campaign_id_phishing_campaign"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_campaign_recipient_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipient")),
        sa.UniqueConstraint("campaign_id", "tenant_id",
                            name=op.f("uq_campaign_recipient_campaign_id_tenant_id")),
        sa.UniqueConstraint("token", name=op.f("uq_campaign_recipient_token")),
    )
    with op.batch_alter_table("campaign_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_recipient_tenant_id"), ["tenant_id"],
                              unique=False)

    op.create_table(
        "mail_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column(
            "folder",
            sa.Enum("inbox", "sent", "archive", "trash", "reported", name="mailfolder",
                    native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("sender_address", sa.String(length=255), nullable=False),
        sa.Column("reply_to", sa.String(length=255), nullable=True),
        sa.Column("recipients", sa.String(length=1000), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link_text", sa.String(length=500), nullable=True),
        sa.Column("link_target", sa.String(length=500), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=True),
        sa.Column("campaign_recipient_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_recipient_id"], ["campaign_recipient.id"],
            name=op.f("fk_mail_message_campaign_recipient_id_campaign_recipient"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_mail_message_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_message")),
    )
    with op.batch_alter_table("mail_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_message_campaign_recipient_id"),
                              ["campaign_recipient_id"], unique=False)
        batch_op.create_index("ix_mail_message_tenant_folder",
                              ["tenant_id", "folder", "received_at"], unique=False)

    op.create_table(
        "mail_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("declared_type", sa.String(length=100), nullable=False),
        sa.Column(
            "detected_kind",
            sa.Enum("pdf", "office", "executable", "image", "text", "unknown", name="filekind",
                    native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("layout", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["mail_message.id"],
                                name=op.f("fk_mail_attachment_message_id_mail_message"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenant.id"],
                                name=op.f("fk_mail_attachment_tenant_id_tenant"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachment")),
    )
    with op.batch_alter_table("mail_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_attachment_message_id"), ["message_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("mail_attachment")
    op.drop_table("mail_message")
    op.drop_table("campaign_recipient")
    op.drop_table("phishing_campaign")
