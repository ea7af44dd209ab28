"""The hub's configuration files load, as JupyterHub loads them: the academy's own, and
with each single sign-on example (OIDC, LDAP) as the site's file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from jupyterhub.app import JupyterHub
from traitlets.config import Config

from hub_config import CONFIG_DIR
from installation.layout import DATA_DIR_ENV, DataLayout
from installation.settings import RunPorts

SSO_DIR = CONFIG_DIR / "sso"


def load_hub_config(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                    site_file: Path | None = None) -> Config:
    layout = DataLayout.at(data_dir)
    layout.site_hub_config_file.unlink(missing_ok=True)
    if site_file is not None:
        shutil.copy(site_file, layout.site_hub_config_file)
    from course_kit.catalog import load_catalog

    courses = {cid: 18010 + i for i, cid in enumerate(sorted(load_catalog(layout.catalog_dir)))}
    ports = RunPorts(public=18000, hub=18001, proxy_api=18002, eoffice=18003,
                     dashboards=18005, courses=courses)
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    monkeypatch.setenv(RunPorts.ENV, ports.to_env())
    app = JupyterHub()
    try:
        app.load_config_file(str(CONFIG_DIR / "jupyterhub_config.py"))
        return app.config
    finally:
        layout.site_hub_config_file.unlink(missing_ok=True)
        JupyterHub.clear_instance()


def test_the_academys_own_config_logs_in_with_activation_codes(
    initialised_data_dir, monkeypatch
):
    config = load_hub_config(initialised_data_dir, monkeypatch)
    assert config.JupyterHub.authenticator_class == "hub_config.authenticator.AcademyAuthenticator"
    assert config.AcademyAuthenticator.db_url.endswith("jupyterhub.sqlite")
    assert "learner1" in config.Authenticator.allowed_users
    # the idle culler runs as a hub service with just the scopes it needs
    services = {svc["name"]: svc for svc in config.JupyterHub.services}
    culler = services["idle-culler"]
    assert culler["command"][1:4] == ["-m", "jupyterhub_idle_culler", "--timeout=3600"]
    role = next(r for r in config.JupyterHub.load_roles if r["name"] == "idle-culler")
    assert role["services"] == ["idle-culler"] and "admin:users" not in role["scopes"]
    # the academy's own pages: a hub-managed service under /services/dashboards/
    dashboards = services["dashboards"]
    assert dashboards["command"][-1] == "dashboards:create_app()"
    assert dashboards["url"] == "http://127.0.0.1:18005"
    assert dashboards["environment"]["DASHBOARDS_DATA_DIR"] == str(initialised_data_dir)


def test_oidc_example_maps_the_portals_claims_to_roster_usernames_and_groups(
    initialised_data_dir, monkeypatch
):
    from oauthenticator.generic import GenericOAuthenticator

    layout = DataLayout.at(initialised_data_dir)
    (layout.secret_file("oidc_client_secret")).write_text("bi-mat\n")
    monkeypatch.setenv("ACADEMY_OIDC_ISSUER", "https://sso.tinh.example/realms/can-bo")
    monkeypatch.setenv("ACADEMY_PUBLIC_URL", "https://hoc.tinh.example")
    config = load_hub_config(initialised_data_dir, monkeypatch, SSO_DIR / "oidc_example.py")
    assert config.JupyterHub.authenticator_class == "generic-oauth"
    # the academy's settings stay; only the login changed
    assert "learner1" in config.Authenticator.allowed_users
    auth = GenericOAuthenticator(config=config)
    assert auth.client_secret == "bi-mat"
    assert auth.oauth_callback_url == "https://hoc.tinh.example/hub/oauth_callback"
    assert auth.token_url == "https://sso.tinh.example/realms/can-bo/protocol/openid-connect/token"
    assert auth.manage_groups and auth.admin_groups == {"academy-admins"}

    roster = json.loads(layout.roster_file.read_text(encoding="utf-8"))["people"]
    learner = next(p for p in roster if p["role"] == "learner")
    # the portal knows the person by employee id; the hub by the roster's username
    userinfo = {"employee_id": learner["employee_id"], "name": learner["full_name"],
                "groups": ["academy-admins", "phong-ke-toan"]}
    username = auth.username_claim(userinfo)
    assert username == learner["username"]
    groups = auth.auth_state_groups_key({"oauth_user": userinfo})
    # the learner's role and courses (the demo roster enrols learners in every course)
    courses = [f"nbgrader-{cid}" for cid in learner["courses"]]
    assert "nbgrader-digital-signatures" in courses
    assert groups == sorted(["learner", *courses]) + ["academy-admins"]
    # someone not on the roster gets no academy group; no employee id is refused
    stranger = auth.auth_state_groups_key({"oauth_user": {"employee_id": "X-1"}})
    assert stranger == []
    with pytest.raises(Exception, match="employee id"):
        auth.username_claim({"name": "Không có mã"})


def test_ldap_example_loads_as_the_alternative(initialised_data_dir, monkeypatch):
    from ldapauthenticator import LDAPAuthenticator

    monkeypatch.setenv("ACADEMY_LDAP_SERVER", "ldap.tinh.example")
    config = load_hub_config(initialised_data_dir, monkeypatch, SSO_DIR / "ldap_example.py")
    assert config.JupyterHub.authenticator_class == "ldap"
    auth = LDAPAuthenticator(config=config)
    assert (auth.server_address, auth.server_port, auth.use_ssl) == ("ldap.tinh.example", 636,
                                                                     True)
    assert auth.lookup_dn and auth.escape_userdn
    assert "learner1" in config.Authenticator.allowed_users
