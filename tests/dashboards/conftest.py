"""Fixtures for the dashboards' tests: an installation (tests.dashboards.site_for_dashboards.py),
the app on it with the fake hub, and a client logged in as anyone of the roster."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dashboards import create_app
from tests.dashboards.site_for_dashboards import PREFIX, build_installation
from tests.service_auth.fake_hub import make_fake_hub_auth
from tests.service_auth.live_server import LiveServers


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the installation (module-scoped: tests must not change it;
    a test that writes uses ``fresh_installation``)."""
    root = tmp_path_factory.mktemp("academy")
    build_installation(root)
    return root


@pytest.fixture
def fresh_installation(tmp_path: Path) -> Path:
    build_installation(tmp_path / "academy")
    return tmp_path / "academy"


def make_app(data_dir: Path, **config: object) -> Flask:
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "URL_PREFIX": PREFIX,
                       "SECRET_KEY": "test-only",
                       "HUB_AUTH": make_fake_hub_auth("dashboards"), **config})


@pytest.fixture
def app(installation: Path) -> Flask:
    return make_app(installation)


def log_in(app: Flask, username: str, page: str = "/certificates/") -> FlaskClient:
    """A client after the real OAuth dance against the fake hub (tests/service_auth/
    fake_hub.py: "code-<name>" gives the token of <name>)."""
    client = app.test_client()
    response = client.get(f"{PREFIX}{page}")
    assert response.status_code == 302 and "/hub/api/oauth2/authorize" in response.location
    state = parse_qs(urlsplit(response.location).query)["state"][0]
    callback = client.get(f"{PREFIX}/oauth_callback?code=code-{username}&state={state}")
    assert callback.status_code == 302, callback.get_data(as_text=True)
    return client


@pytest.fixture
def login(app: Flask) -> Callable[[str], FlaskClient]:
    return lambda username: log_in(app, username)


@pytest.fixture
def live_dashboards(app: Flask) -> Iterator[Callable[[str], str]]:
    """``live_dashboards(username)``: the app over real HTTP on 127.0.0.1, where a browser
    is logged in as `username` (a roster person of site_for_dashboards) by the fake hub; the
    dashboards' URL (…/services/dashboards, no trailing slash). Stopped after the test."""
    servers = LiveServers(app, PREFIX)
    try:
        yield servers.serve
    finally:
        servers.stop_all()
