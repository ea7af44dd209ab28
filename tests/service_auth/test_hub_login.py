"""service_auth.hub_login: the hub login helpers shared by Flask services."""

from __future__ import annotations

import pytest
from flask import Flask
from tornado.web import HTTPError

from service_auth.hub_login import (
    has_scopes,
    hub_oauth_from_env,
    init_hub_auth,
    require_scopes,
    safe_next_url,
)


@pytest.fixture
def tiny_app(hub_auth) -> Flask:
    app = Flask(__name__)
    app.secret_key = "test-only"
    init_hub_auth(app, hub_auth)

    @app.get("/grade")
    @require_scopes("custom:eoffice:read:evidence", api=True)
    def grade() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/grade-and-admin")
    @require_scopes("custom:eoffice:read:evidence", "admin:users", api=True)
    def grade_and_admin() -> dict[str, bool]:
        return {"ok": True}

    return app


def test_hub_oauth_from_env_needs_the_hub_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    monkeypatch.delenv("JUPYTERHUB_CLIENT_ID", raising=False)
    with pytest.raises(RuntimeError, match="JUPYTERHUB_API_TOKEN"):
        hub_oauth_from_env()
    auth = hub_oauth_from_env(api_token="t", oauth_client_id="service-x", base_url="/services/x")
    assert auth.base_url == "/services/x/"
    assert auth.cache_max_age == 60


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/services/eoffice/documents/incoming?x=1", "/services/eoffice/documents/incoming?x=1"),
        ("//evil.example/phish", "/services/eoffice/"),
        ("https://evil.example/", "/services/eoffice/"),
        ("/\\\\evil.example", "/services/eoffice/"),
        ("", "/services/eoffice/"),
    ],
)
def test_safe_next_url_stays_on_site(tiny_app: Flask, next_url: str, expected: str) -> None:
    with tiny_app.test_request_context("/"):
        assert safe_next_url(next_url) == expected


def _status(app: Flask, url: str, token: str | None) -> int:
    headers = {"Authorization": f"token {token}"} if token else {}
    return app.test_client().get(url, headers=headers).status_code


def test_require_scopes(tiny_app: Flask) -> None:
    assert _status(tiny_app, "/grade", "token-trainer") == 200
    assert _status(tiny_app, "/grade", "token-grading") == 200
    assert _status(tiny_app, "/grade", "token-alice") == 403
    assert _status(tiny_app, "/grade", "token-admin") == 403  # admin lacks the custom scope
    assert _status(tiny_app, "/grade", None) == 401
    assert _status(tiny_app, "/grade", "expired") == 401


def test_require_scopes_needs_every_scope(tiny_app: Flask) -> None:
    assert _status(tiny_app, "/grade-and-admin", "token-trainer") == 403
    assert _status(tiny_app, "/grade-and-admin", "token-admin") == 403


def test_has_scopes_resolves_filters(tiny_app: Flask) -> None:
    user = {"name": "x", "scopes": ["access:services"]}
    with tiny_app.test_request_context("/"):
        assert has_scopes(user, "access:services!service=eoffice")
        assert not has_scopes(user, "access:services!service=eoffice", "admin:users")


def test_require_scopes_needs_a_scope() -> None:
    with pytest.raises(ValueError):
        require_scopes()


def test_hub_outage_is_a_502(fake_hub_oauth_class: type) -> None:
    class UnreachableHubOAuth(fake_hub_oauth_class):
        """The hub API is down: token lookups fail the way HubAuth reports it."""

        def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
            raise HTTPError(502, "Failed to check authorization (upstream problem)")

    app = Flask(__name__)
    app.secret_key = "test-only"
    init_hub_auth(app, UnreachableHubOAuth(api_token="t", oauth_client_id="service-eoffice"))

    @app.get("/grade")
    @require_scopes("custom:eoffice:read:evidence", api=True)
    def grade() -> dict[str, bool]:
        return {"ok": True}

    assert _status(app, "/grade", "token-trainer") == 502
