"""Fixtures for the end-to-end tests: a real `academy up` and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess

import pytest

from tests.e2e.platform_process import FULL_CATALOGUE, new_data_dir, start_platform

SHARED_MODE_USER = "academy-e2e"  # an ordinary account for the shared-mode journey


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _ordinary_user() -> str | None:
    """The account the shared-mode journey runs as: ourselves, unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SHARED_MODE_USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin",
                        "--comment", "academy e2e tests (shared mode)", SHARED_MODE_USER],
                       check=True)
    return SHARED_MODE_USER


@pytest.fixture(scope="session")
def isolated_platform():
    if os.geteuid() != 0:
        pytest.fail("isolated mode is tested as root (CI runs as root)")
    data_dir = new_data_dir()
    # every course: a module of each is opened in the browser (test_course_pages.py)
    platform = start_platform(data_dir, courses_dir=FULL_CATALOGUE)
    remember_ports(platform)
    yield platform
    _stop_and_check(platform)


@pytest.fixture(scope="session")
def shared_platform():
    run_as = _ordinary_user()
    data_dir = new_data_dir(run_as)
    platform = start_platform(data_dir, run_as=run_as)
    remember_ports(platform)
    yield platform
    _stop_and_check(platform)


def _stop_and_check(platform) -> None:
    """Ctrl-C the platform as a user would: exit 0, and none of its ports still open."""
    code = platform.stop()
    assert code == 0, platform.output_path.read_text()[-3000:]
    for port in platform_ports_closed(platform):
        raise AssertionError(f"port {port} still open after Ctrl-C")
    if not os.environ.get("ACADEMY_E2E_KEEP"):
        shutil.rmtree(platform.data_dir, ignore_errors=True)


_ports_seen: dict[str, list[int]] = {}


def platform_ports_closed(platform, timeout: float = 30):
    """Ports of the platform that are still open after it was stopped (should be none).

    `academy up` may return while a process it killed on its way out is still exiting: a
    port found open is looked at again once the processes listening on it have ended
    (waited for by process, not for a time), or after `timeout` seconds if they do not end.
    """
    import psutil

    from tests.e2e.platform_process import port_open

    still_open = [p for p in _ports_seen.get(str(platform.data_dir), []) if port_open(p)]
    if not still_open:
        return []
    listeners = {}
    for conn in psutil.net_connections(kind="inet"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port in still_open and conn.pid:
            with contextlib.suppress(psutil.Error):
                listeners[conn.pid] = psutil.Process(conn.pid)
    _, alive = psutil.wait_procs(list(listeners.values()), timeout=timeout)
    owners = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            owners.append(f"pid {proc.pid}: {' '.join(proc.cmdline()[:3])}")
    return [f"{port} (listening: {'; '.join(owners) or 'unknown'})"
            for port in still_open if port_open(port)]


def remember_ports(platform) -> None:
    _ports_seen[str(platform.data_dir)] = platform.ports()
