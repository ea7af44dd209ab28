"""Units, positions, confidentiality, signer, handling (giao xử lý), comments, forwards, search.

Existing tenants keep their data: each colleague's unit name becomes a row of `unit`, each
job title a position, and every document gets its search text.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.Enum(
    "head",
    "deputy_head",
    "chief_of_office",
    "deputy_chief_of_office",
    "unit_head",
    "deputy_unit_head",
    "specialist",
    "clerk",
    name="position",
    native_enum=False,
    length=30,
)
CONFIDENTIALITY = sa.Enum(
    "normal", "confidential", "secret", "top_secret",
    name="confidentiality", native_enum=False, length=20,
)

# job titles of 0001's tenants → position
POSITION_OF_TITLE = {
    "Chánh Văn phòng": "chief_of_office",
    "Phó Chánh Văn phòng": "deputy_chief_of_office",
    "Văn thư": "clerk",
    "Trưởng phòng": "unit_head",
    "Chánh Thanh tra": "unit_head",
    "Phó Trưởng phòng": "deputy_unit_head",
}


def _fold(text: str) -> str:
    # the same folding as common.text.ascii_fold, frozen here as migrations must be
    text = text.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="CASCADE"
    )


def _document_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["document_id"],
        ["incoming_document.id"],
        name=op.f(f"fk_{table}_document_id_incoming_document"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("symbol", sa.String(length=20), nullable=False),
        _tenant_fk("unit"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_unit_tenant_id_name")),
    )
    op.create_index(op.f("ix_unit_tenant_id"), "unit", ["tenant_id"])
    bind = op.get_bind()
    old_units = bind.execute(sa.text("SELECT DISTINCT tenant_id, unit FROM colleague")).all()
    for tenant_id, name in old_units:
        symbol = "".join(word[0] for word in _fold(name).split() if word[0].isalpha()).upper()
        bind.execute(
            sa.text("INSERT INTO unit (tenant_id, name, symbol) VALUES (:t, :n, :s)"),
            {"t": tenant_id, "n": name, "s": symbol[:20] or "VP"},
        )

    with op.batch_alter_table("colleague") as batch:
        batch.add_column(sa.Column("position", POSITION, nullable=True))
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_colleague_unit_id_unit"), "unit", ["unit_id"], ["id"], ondelete="SET NULL"
        )
    bind.execute(
        sa.text(
            "UPDATE colleague SET unit_id = (SELECT unit.id FROM unit WHERE "
            "unit.tenant_id = colleague.tenant_id AND unit.name = colleague.unit)"
        )
    )
    for title, position in POSITION_OF_TITLE.items():
        bind.execute(
            sa.text("UPDATE colleague SET position = :p WHERE job_title = :t"),
            {"p": position, "t": title},
        )
    bind.execute(sa.text("UPDATE colleague SET position = 'specialist' WHERE position IS NULL"))
    # 0001's agencies had no leaders; outgoing documents need one to approve and sign
    agencies = bind.execute(sa.text("SELECT tenant_id, name FROM agency")).all()
    for tenant_id, agency in agencies:
        head, deputy = ("Chủ tịch", "Phó Chủ tịch") if agency.startswith("UBND") else (
            "Giám đốc", "Phó Giám đốc")
        for position, title, name in (("head", head, "Nguyễn Văn Thành"),
                                      ("deputy_head", deputy, "Lê Thị Hương")):
            bind.execute(
                sa.text("INSERT INTO colleague (tenant_id, full_name, job_title, unit, email, "
                        "position) VALUES (:t, :n, :j, '', :e, :p)"),
                {"t": tenant_id, "n": name, "j": title, "p": position,
                 "e": f"{position.replace('_', '')}{tenant_id}@sandbox.gov.vn"},
            )
    with op.batch_alter_table("colleague") as batch:
        batch.alter_column("position", existing_type=POSITION, nullable=False)
        batch.drop_column("unit")

    with op.batch_alter_table("incoming_document") as batch:
        batch.add_column(
            sa.Column("confidentiality", CONFIDENTIALITY, nullable=False, server_default="normal")
        )
        batch.add_column(sa.Column("signer_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("signer_title", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("lead_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("instruction", sa.Text(), nullable=True))
        batch.add_column(sa.Column("assigned_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("completed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("result_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch.create_foreign_key(
            op.f("fk_incoming_document_lead_unit_id_unit"),
            "unit",
            ["lead_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
    documents = bind.execute(
        sa.text("SELECT id, number_symbol, summary FROM incoming_document")
    ).all()
    for document_id, number_symbol, summary in documents:
        bind.execute(
            sa.text("UPDATE incoming_document SET search_text = :s WHERE id = :i"),
            {"s": _fold(f"{number_symbol} {summary}"), "i": document_id},
        )
    with op.batch_alter_table("incoming_document") as batch:
        batch.alter_column("confidentiality", existing_type=CONFIDENTIALITY, server_default=None)
        batch.alter_column("search_text", existing_type=sa.Text(), server_default=None)

    op.create_table(
        "incoming_document_coordinating_unit",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        _document_fk("incoming_document_coordinating_unit"),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_incoming_document_coordinating_unit_unit_id_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "document_id", "unit_id", name=op.f("pk_incoming_document_coordinating_unit")
        ),
    )
    op.create_table(
        "document_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _tenant_fk("document_comment"),
        _document_fk("document_comment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_comment")),
    )
    op.create_index(
        op.f("ix_document_comment_document_id"), "document_comment", ["document_id"]
    )
    op.create_table(
        "document_forward",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("colleague_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("forwarded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _tenant_fk("document_forward"),
        _document_fk("document_forward"),
        sa.ForeignKeyConstraint(
            ["colleague_id"],
            ["colleague.id"],
            name=op.f("fk_document_forward_colleague_id_colleague"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_forward")),
    )
    op.create_index(
        op.f("ix_document_forward_document_id"), "document_forward", ["document_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_document_forward_document_id"), table_name="document_forward")
    op.drop_table("document_forward")
    op.drop_index(op.f("ix_document_comment_document_id"), table_name="document_comment")
    op.drop_table("document_comment")
    op.drop_table("incoming_document_coordinating_unit")
    with op.batch_alter_table("incoming_document") as batch:
        batch.drop_constraint(op.f("fk_incoming_document_lead_unit_id_unit"), type_="foreignkey")
        for column in ("search_text", "result_note", "completed_at", "assigned_at",
                       "instruction", "lead_unit_id", "signer_title", "signer_name",
                       "confidentiality"):
            batch.drop_column(column)
    with op.batch_alter_table("colleague") as batch:
        batch.add_column(sa.Column("unit", sa.String(length=200), nullable=True))
    op.get_bind().execute(
        sa.text(
            "UPDATE colleague SET unit = COALESCE((SELECT unit.name FROM unit "
            "WHERE unit.id = colleague.unit_id), 'Lãnh đạo')"
        )
    )
    with op.batch_alter_table("colleague") as batch:
        batch.alter_column("unit", existing_type=sa.String(length=200), nullable=False)
        batch.drop_constraint(op.f("fk_colleague_unit_id_unit"), type_="foreignkey")
        batch.drop_column("unit_id")
        batch.drop_column("position")
    op.drop_index(op.f("ix_unit_tenant_id"), table_name="unit")
    op.drop_table("unit")
