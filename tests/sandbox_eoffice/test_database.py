"""Migrations: the schema comes from Alembic, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from sandbox_eoffice.database import current_revision, downgrade, head_revision, upgrade
from sandbox_eoffice.models import Base


def test_upgrade_reaches_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision() == "0005"
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
            "INSERT INTO colleague (tenant_id, full_name, job_title, unit, email) VALUES "
            "(1, 'Lê Văn Thư', 'Văn thư', 'Văn phòng Sở', 'a@x'), "
            "(1, 'Trần Trưởng', 'Trưởng phòng', 'Phòng Chuyển đổi số', 'b@x'), "
            "(1, 'Ngô Chuyên', 'Chuyên viên', 'Phòng Chuyển đổi số', 'c@x')"))
        connection.execute(text(
            "INSERT INTO incoming_document (tenant_id, number_symbol, summary, issuing_agency, "
            "document_type, urgency, issued_date, received_date, status) VALUES (1, "
            "'12/STC-NS', 'V/v dự toán ngân sách', 'Sở Tài chính', 'Công văn', 'normal', "
            "'2026-01-02', '2026-01-03', 'received')"))
    upgrade(database_url)
    with engine.connect() as connection:
        units = dict(connection.execute(text("SELECT name, id FROM unit")).all())
        assert set(units) == {"Văn phòng Sở", "Phòng Chuyển đổi số"}
        rows = connection.execute(text(
            "SELECT full_name, position, unit_id FROM colleague ORDER BY full_name")).all()
        assert [tuple(row) for row in rows] == [
            ("Lê Văn Thư", "clerk", units["Văn phòng Sở"]),
            ("Ngô Chuyên", "specialist", units["Phòng Chuyển đổi số"]),
            ("Trần Trưởng", "unit_head", units["Phòng Chuyển đổi số"]),
        ]
        assert connection.execute(text(
            "SELECT search_text, confidentiality FROM incoming_document")).one() == (
            "12/stc-ns v/v du toan ngan sach", "normal")
