"""Fixtures for the grading package: real nbgrader, real SQLite and PostgreSQL gradebooks.

nbgrader's Gradebook shells out to `alembic` when it creates
a gradebook, so the venv's bin directory is put first on PATH for the whole session.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import throwaway_postgres_database

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="session", autouse=True)
def venv_tools_on_path() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        yield


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
