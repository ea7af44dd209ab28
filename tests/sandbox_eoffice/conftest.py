"""Fixtures for the sandbox e-office: databases (SQLite and PostgreSQL), app, hub logins."""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sandbox_eoffice import create_app
from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
from sandbox_eoffice.models import Base
from sandbox_eoffice.request_db import ENGINE_KEY
from tests.conftest import require_postgres_or_skip
from tests.service_auth.fake_hub import PREFIX, FakeHubOAuth
from tests.service_auth.live_server import LiveServers

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# --- databases -----------------------------------------------------------------------


def _postgres_available() -> bool:
    engine = create_engine(POSTGRES_ADMIN_URL)
    try:
        with engine.connect():
            return True
    except Exception:  # noqa: BLE001
        return False
    finally:
        engine.dispose()


def create_postgres_database() -> str:
    """A fresh empty database eoffice_test_<random>; returns its URL."""
    name = f"eoffice_test_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_server() -> bool:
    return _postgres_available()


@pytest.fixture(scope="session")
def postgres_session_database(postgres_server: bool) -> Iterator[str]:
    """One migrated PostgreSQL database for the whole test session, dropped at the end."""
    if not postgres_server:
        require_postgres_or_skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    url = create_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


def _empty_all_tables(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "eoffice.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


def _database_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        path = tmp_path / "eoffice.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_session_database")
    yield url
    _empty_all_tables(url)


BOTH_DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BOTH_DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a new SQLite file, or the session's PostgreSQL database.

    Data-layer tests run on both.
    """
    yield from _database_url(request.param, request, tmp_path)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_databases: run this web test on SQLite and on PostgreSQL"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        metafunc.definition.get_closest_marker("both_databases")
        and "app_database_url" in metafunc.fixturenames
    ):
        metafunc.parametrize("app_database_url", BOTH_DATABASES, indirect=True)


@pytest.fixture
def app_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The web app's database: SQLite; both SQLite and PostgreSQL for tests marked
    ``@pytest.mark.both_databases``."""
    yield from _database_url(getattr(request, "param", "sqlite"), request, tmp_path)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


# --- the web app ---------------------------------------------------------------------


@pytest.fixture
def app(app_database_url: str, hub_auth: FakeHubOAuth, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": app_database_url,
            "SECRET_KEY": "test-only-" + secrets.token_hex(8),
            "URL_PREFIX": PREFIX,
            "HUB_AUTH": hub_auth,
        }
    )
    yield app
    app.extensions[ENGINE_KEY].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


LoginFn = Callable[[FlaskClient, str], None]


def _login(client: FlaskClient, username: str) -> None:
    """Walk the real OAuth dance against the fake hub: page -> hub -> callback."""
    response = client.get(PREFIX)
    assert response.status_code == 302, response.data
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    state = query["state"][0]
    callback = client.get(f"{PREFIX}oauth_callback?code=code-{username}&state={state}")
    assert callback.status_code == 302, callback.data


@pytest.fixture
def login() -> LoginFn:
    return _login


@pytest.fixture
def alice(client: FlaskClient) -> FlaskClient:
    """A browser logged in as learner alice."""
    _login(client, "alice")
    return client


CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf_token_from() -> Callable[[str], str]:
    """Extract the CSRF token of the first form in a page."""
    return _csrf_token_from


# --- the app over real HTTP, for the browser tests -------------------------------------


LiveEoffice = Callable[[str], str]


@pytest.fixture
def live_eoffice(app: Flask) -> Iterator[LiveEoffice]:
    """``live_eoffice(username)``: the app served over HTTP on 127.0.0.1 (a free port of its
    own) where the fake hub logs the browser in as `username` (a FakeHubOAuth user: alice,
    bob, trainer); the e-office's URL. Every server is stopped after the test."""
    servers = LiveServers(app, PREFIX)
    try:
        yield servers.serve
    finally:
        servers.stop_all()
