"""Fixtures for the grading package: real nbgrader, real SQLite and PostgreSQL gradebooks.

nbgrader's Gradebook shells out to `alembic` when it creates
a gradebook, so the venv's bin directory is put first on PATH for the whole session.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_postgres_or_skip

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"


@pytest.fixture(scope="session", autouse=True)
def venv_tools_on_path() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


@contextlib.contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its SQLAlchemy URL."""
    psycopg = pytest.importorskip("psycopg")
    name = f"academy_grading_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_DSN, autocommit=True)
    except psycopg.OperationalError as exc:
        require_postgres_or_skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session, dropped afterwards."""
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
def postgres_database_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for one test."""
    with throwaway_postgres_database() as url:
        yield url
