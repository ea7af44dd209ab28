"""Migrations: the schema comes from Alembic, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from sandbox_eoffice.database import current_revision, downgrade, head_revision, upgrade
from sandbox_eoffice.models import Base


def test_upgrade_reaches_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision() == "0010"
    assert {"tenant", "agency", "colleague", "incoming_document", "activity_log"} <= set(
        inspect(engine).get_table_names()
    )


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_and_upgrade_again(database_url: str, engine: Engine) -> None:
    downgrade(database_url, "base")
    assert "tenant" not in inspect(engine).get_table_names()
    upgrade(database_url)
    upgrade(database_url)  # idempotent
    engine.dispose()
    assert current_revision(engine) == head_revision()


def test_upgrade_creates_sqlite_directory(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'eoffice.sqlite'}"
    upgrade(url)
    assert (tmp_path / "new" / "dir" / "eoffice.sqlite").exists()


def test_upgrade_keeps_an_existing_tenants_data(database_url: str, engine: Engine) -> None:
    """0001 → 0002: units come from the colleagues' unit names, positions from job titles,
    and every document becomes searchable."""
    downgrade(database_url, "base")
    upgrade(database_url, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO tenant (id, username, full_name, seed, created_at) "
            "VALUES (1, 'old', 'Người cũ', 1, '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO agency (tenant_id, name, symbol, province, address) VALUES "
            "(1, 'Sở Nội vụ tỉnh Phú Thọ', 'SNV', 'Phú Thọ', 'Việt Trì')"))
        connection.execute(text(
            "INSERT INTO colleague (tenant_id, full_name, job_title, unit, email) VALUES "
            "(1, 'Lê Văn Thư', 'Văn thư', 'Văn phòng Sở', 'a@x'), "
            "(1, 'Trần Trưởng', 'Trưởng phòng', 'Phòng Chuyển đổi số', 'b@x'), "
            "(1, 'Ngô Chuyên', 'Chuyên viên', 'Phòng Chuyển đổi số', 'c@x')"))
        connection.execute(text(
            "INSERT INTO incoming_document (tenant_id, number_symbol, summary, issuing_agency, "
            "document_type, urgency, issued_date, received_date, status) VALUES (1, "
            "'12/STC-NS', 'V/v dự toán ngân sách', 'Sở Tài chính', 'Công văn', 'normal', "
            "'2026-01-02', '2026-01-03', 'received')"))
        assignee = connection.scalar(text(
            "SELECT id FROM colleague WHERE full_name = 'Ngô Chuyên'"))
        connection.execute(text(
            "INSERT INTO incoming_document (tenant_id, number_symbol, summary, issuing_agency, "
            "document_type, urgency, issued_date, received_date, status, register_year, "
            "register_number, assignee_id, deadline) VALUES (1, '13/SNV-VP', 'V/v giao', "
            "'Sở Nội vụ', 'Công văn', 'urgent', '2026-01-02', '2026-01-03', 'assigned', 2026, "
            "1, :a, '2026-01-10')"), {"a": assignee})
    upgrade(database_url)
    with engine.connect() as connection:
        units = dict(connection.execute(text("SELECT name, id FROM unit")).all())
        assert set(units) == {"Văn phòng Sở", "Phòng Chuyển đổi số"}
        rows = connection.execute(text(
            "SELECT full_name, position, unit_id FROM colleague WHERE unit_id IS NOT NULL "
            "ORDER BY full_name")).all()
        assert [tuple(row) for row in rows] == [
            ("Lê Văn Thư", "clerk", units["Văn phòng Sở"]),
            ("Ngô Chuyên", "specialist", units["Phòng Chuyển đổi số"]),
            ("Trần Trưởng", "unit_head", units["Phòng Chuyển đổi số"]),
        ]
        assert connection.execute(text(
            "SELECT search_text, confidentiality FROM incoming_document "
            "WHERE number_symbol = '12/STC-NS'")).one() == (
            "12/stc-ns v/v du toan ngan sach", "normal")
        # rebuilding tables (SQLite's batch mode) must not fire ON DELETE SET NULL
        assert connection.scalar(text(
            "SELECT assignee_id FROM incoming_document WHERE number_symbol = '13/SNV-VP'"
        )) == assignee
        # every migrated agency gets leaders, so that its people can sign outgoing documents
        leaders = connection.execute(text(
            "SELECT position FROM colleague WHERE position IN ('head', 'deputy_head') "
            "ORDER BY position")).scalars().all()
        assert leaders == ["deputy_head", "head"]


def test_upgrading_keeps_comments_forwards_and_coordination(
    database_url: str, engine: Engine, session
) -> None:
    """0004 → 0005 rebuilds incoming_document on SQLite; nothing that points at it is lost."""
    from sandbox_eoffice.incoming_documents import (
        assign_incoming_document,
        comment_on_incoming_document,
        forward_incoming_document,
        list_colleagues,
        list_incoming_documents,
        list_units,
    )
    from sandbox_eoffice.seeding import provision_tenant
    from sandbox_eoffice.vocabulary import DocumentStatus

    tenant = provision_tenant(session, "alice", "Lan", seed=3)
    document = list_incoming_documents(session, tenant, status=DocumentStatus.REGISTERED)[0]
    units, people = list_units(session, tenant), list_colleagues(session, tenant)
    assign_incoming_document(session, tenant, document, actor="alice", lead_unit_id=units[1].id,
                             assignee_id=people[-1].id, coordinating_unit_ids=[units[0].id],
                             deadline_working_days=3)
    comment_on_incoming_document(session, tenant, document, actor="alice", author="Lan",
                                 body="Giữ lại ý kiến này")
    forward_incoming_document(session, tenant, document, actor="alice", forwarded_by="Lan",
                              colleague_ids=[people[0].id])
    session.commit()
    session.close()
    counts = "SELECT (SELECT count(*) FROM document_comment), " \
             "(SELECT count(*) FROM document_forward), " \
             "(SELECT count(*) FROM incoming_document_coordinating_unit), " \
             "(SELECT count(*) FROM incoming_document WHERE assignee_id IS NOT NULL)"
    with engine.connect() as connection:
        before = tuple(connection.execute(text(counts)).one())
    downgrade(database_url, "0004")
    upgrade(database_url)
    engine.dispose()
    with engine.connect() as connection:
        assert tuple(connection.execute(text(counts)).one()) == before
    assert before[:2] == (1, 1) and before[2] >= 1 and before[3] >= 1
