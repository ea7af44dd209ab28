"""Shared fixtures: running `academy` commands, the PostgreSQL server, free ports."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("ACADEMY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def academy_bin() -> Path:
    return VENV_BIN / "academy"


def require_postgres_or_skip(reason: str) -> None:
    """Without the PostgreSQL server: fail in CI and under `make test`, skip elsewhere."""
    if os.environ.get("CI") or os.environ.get("ACADEMY_REQUIRE_POSTGRES"):
        pytest.fail(f"{reason} (required in CI: the data layer must be tested on PostgreSQL)")
    pytest.skip(reason)


@contextlib.contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its SQLAlchemy URL."""
    psycopg = pytest.importorskip("psycopg")
    name = f"academy_test_{secrets.token_hex(6)}"
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


@pytest.fixture(scope="module")
def initialised_data_dir() -> Iterator[Path]:
    """A data directory after `academy init` (isolated mode as root), for reading configs."""
    from tests.e2e.platform_process import new_data_dir, run_academy

    path = new_data_dir()
    run_academy(path, "init", check=True)
    yield path
    shutil.rmtree(path, ignore_errors=True)


# --- a fake hub for Flask services (service_auth and the sandbox e-office) ----------------


@pytest.fixture
def fake_hub_oauth_class() -> type:
    from tests.service_auth.fake_hub import FakeHubOAuth

    return FakeHubOAuth


@pytest.fixture
def hub_auth():  # type: ignore[no-untyped-def]
    from tests.service_auth.fake_hub import make_fake_hub_auth

    return make_fake_hub_auth()


# --- the grading sandbox's account (as `academy init` creates it) --------------------------


@pytest.fixture(scope="session", autouse=True)
def grading_sandbox_account() -> None:
    """As root, grading kernels run as `academy-sandbox`: create it like `academy init`."""
    if os.geteuid() == 0:
        from academy.unix_accounts import ensure_account
        from grading.kernel_sandbox import SANDBOX_ACCOUNT

        ensure_account(SANDBOX_ACCOUNT, "grading sandbox", home=False)


# --- one headless Debian Chromium per test process (Playwright's sync API runs one event
# loop per thread: a second sync_playwright() while the first lives is refused) ----------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- two workers (pytest-xdist) ---------------------------------------------------------

# `make test` runs `--dist loadscope`: each test module stays whole, in order, on one worker
# (module fixtures are shared by its tests, and some tests build on the one before). Modules
# run side by side on the two workers, the machine-wide ones included (each platform or
# installation has its own data directory and free ports). `--dist loadgroup` with
# xdist_group marks would serialise those, but xdist 3.8 writes the group into
# `item._nodeid`, which pytest 9 no longer reads: the marks had no effect.
