"""The application factory, configuration, URL prefix and route protection."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from sandbox_eoffice import create_app
from sandbox_eoffice.database import head_revision
from sandbox_eoffice.request_db import ENGINE_KEY
from service_auth.prefix import PrefixMiddleware

PREFIX = "/services/eoffice/"
# the language switch only sets the shared language cookie and goes back to a local page;
# the API's OpenAPI document describes operations, never data
PUBLIC_ENDPOINTS = {"static", "auth.oauth_callback", "health.health", "language.switch",
                    "api-docs.openapi_json",
                    # the sandbox CA publishes its certificates, CRLs, OCSP and timestamps
                    # to any relying party, as a CA does (tests/.../test_signatures_blueprint)
                    "pki.ca_certificate", "pki.crl", "pki.ocsp_post", "pki.ocsp_get",
                    "pki.timestamp"}


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("EOFFICE_", "JUPYTERHUB_")):
            monkeypatch.delenv(name)


def test_config_from_environment_and_defaults(
    bare_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hub_auth
) -> None:
    monkeypatch.setenv("EOFFICE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/services/eoffice/")
    monkeypatch.setenv("EOFFICE_DEFAULT_SEED", "17")
    app = create_app({"HUB_AUTH": hub_auth})
    try:
        assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'eoffice.sqlite'}"
        assert app.config["URL_PREFIX"] == PREFIX
        assert app.config["DEFAULT_SEED"] == 17
        assert app.config["SESSION_COOKIE_PATH"] == PREFIX
        key_file = tmp_path / "secret_key"
        assert app.config["SECRET_KEY"] == key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    finally:
        app.extensions[ENGINE_KEY].dispose()
    again = create_app({"HUB_AUTH": hub_auth})
    try:
        assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]  # shared by workers
    finally:
        again.extensions[ENGINE_KEY].dispose()


def test_secret_from_environment_and_file(
    bare_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, hub_auth
) -> None:
    monkeypatch.setenv("EOFFICE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EOFFICE_SECRET_KEY", "from-env")
    app = create_app({"HUB_AUTH": hub_auth})
    app.extensions[ENGINE_KEY].dispose()
    assert app.config["SECRET_KEY"] == "from-env"
    monkeypatch.delenv("EOFFICE_SECRET_KEY")
    key_file = tmp_path / "elsewhere" / "key"
    key_file.parent.mkdir()
    key_file.write_text("from-file\n")
    monkeypatch.setenv("EOFFICE_SECRET_KEY_FILE", str(key_file))
    app = create_app({"HUB_AUTH": hub_auth})
    app.extensions[ENGINE_KEY].dispose()
    assert app.config["SECRET_KEY"] == "from-file"


def test_hub_variables_are_required_without_a_test_hub_auth(
    bare_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EOFFICE_DATA_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="JUPYTERHUB_API_TOKEN"):
        create_app()


def test_hub_auth_built_from_hub_environment(
    bare_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EOFFICE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t0ken")
    monkeypatch.setenv("JUPYTERHUB_CLIENT_ID", "service-eoffice")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", PREFIX)
    monkeypatch.setenv("JUPYTERHUB_OAUTH_ACCESS_SCOPES", '["access:services!service=eoffice"]')
    app = create_app()
    app.extensions[ENGINE_KEY].dispose()
    hub_auth = app.extensions["hub_auth"]
    assert hub_auth.base_url == PREFIX
    assert hub_auth.oauth_client_id == "service-eoffice"
    assert hub_auth.access_scopes == {"access:services!service=eoffice"}
    assert hub_auth.oauth_redirect_uri == PREFIX + "oauth_callback"


def test_prefix_moves_into_script_name() -> None:
    seen: dict[str, str] = {}

    def inner(environ, start_response):
        seen.update(script=environ["SCRIPT_NAME"], path=environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b""]

    environ = {"PATH_INFO": PREFIX + "documents/incoming/3", "SCRIPT_NAME": ""}
    list(PrefixMiddleware(inner, PREFIX)(environ, lambda *args: None))
    assert seen == {"script": "/services/eoffice", "path": "/documents/incoming/3"}


def test_url_for_builds_prefixed_urls(app: Flask) -> None:
    with app.test_request_context("/documents/incoming", base_url="http://hub" + PREFIX):
        assert url_for("documents.incoming_detail", document_id=3) == (
            PREFIX + "documents/incoming/3"
        )
        assert url_for("auth.oauth_callback") == PREFIX + "oauth_callback"
        assert url_for("static", filename="eoffice.css") == PREFIX + "static/eoffice.css"


def test_paths_outside_the_prefix_are_404(client: FlaskClient) -> None:
    response = client.get("/documents/incoming")
    assert response.status_code == 404
    assert b"/services/eoffice/" in response.data


def test_prefix_without_trailing_slash_reaches_the_app(client: FlaskClient) -> None:
    assert client.get("/services/eoffice").status_code in {302, 308}


def test_health(client: FlaskClient) -> None:
    response = client.get(PREFIX + "health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "schema": head_revision()}


def test_every_route_requires_a_login(app: Flask, client: FlaskClient) -> None:
    """Role check on every route: nothing but login, static files and health is public."""
    app.config["WTF_CSRF_ENABLED"] = False  # reach the login check behind the CSRF check
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "alice")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(PREFIX.rstrip("/") + path, method=method)
            assert response.status_code in {302, 401}, (rule, method)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/hub/api/oauth2/authorize")
            checked += 1
    assert checked >= 6


def test_without_its_provided_pki_the_e_office_refuses_to_start(tmp_path: Path,
                                                               hub_auth) -> None:
    """Where the PKI is provided (Kubernetes: a Secret), a missing one stops the start, so
    that no replica makes a PKI of its own."""
    with pytest.raises(RuntimeError, match="sandbox PKI is missing"):
        create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x", "HUB_AUTH": hub_auth,
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'e.sqlite'}",
                    "PKI_CREATE": "false", "PKI_DIR": str(tmp_path / "absent")})
