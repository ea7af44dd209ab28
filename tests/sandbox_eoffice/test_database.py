"""Migrations: the schema comes from Alembic, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from sandbox_eoffice.database import current_revision, downgrade, head_revision, upgrade
from sandbox_eoffice.models import Base


def test_upgrade_reaches_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision() == "0001"
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
