"""Hub login through OAuth: redirect with state and PKCE, callback, logout."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient

from service_auth.hub_login import LOGIN_SESSION_KEY

PREFIX = "/services/eoffice/"


def _start(client: FlaskClient, path: str = "documents/incoming?status=received") -> dict:
    response = client.get(PREFIX + path)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/hub/api/oauth2/authorize"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def test_browser_without_login_goes_to_the_hub(client: FlaskClient) -> None:
    query = _start(client)
    assert query["client_id"] == "service-eoffice"
    assert query["redirect_uri"] == PREFIX + "oauth_callback"
    assert query["response_type"] == "code"
    assert query["state"]
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]


def test_callback_logs_in_and_returns_to_the_page(client: FlaskClient, hub_auth) -> None:
    state = _start(client)["state"]
    response = client.get(f"{PREFIX}oauth_callback?code=code-alice&state={state}")
    assert response.status_code == 302
    assert response.headers["Location"] == PREFIX + "documents/incoming?status=received"
    assert hub_auth.last_code_verifier  # PKCE verifier sent with the code
    with client.session_transaction(PREFIX) as session:
        assert session[LOGIN_SESSION_KEY] == "token-alice"
    assert client.get(PREFIX + "documents/incoming").status_code == 200


def test_session_cookie_is_scoped_to_the_service(client: FlaskClient) -> None:
    state = _start(client)["state"]
    response = client.get(f"{PREFIX}oauth_callback?code=code-alice&state={state}")
    cookie = response.headers["Set-Cookie"]
    assert "eoffice-session=" in cookie
    assert "Path=/services/eoffice/" in cookie
    assert "HttpOnly" in cookie


def test_callback_with_a_forged_state_is_refused(client: FlaskClient) -> None:
    _start(client)
    response = client.get(f"{PREFIX}oauth_callback?code=code-alice&state=forged")
    assert response.status_code == 403
    assert b"expired" in response.data
    assert client.get(PREFIX).status_code == 302  # still not logged in


def test_callback_without_code_is_refused(client: FlaskClient) -> None:
    assert client.get(f"{PREFIX}oauth_callback?state=x").status_code == 400


def test_callback_with_hub_error_is_shown(client: FlaskClient) -> None:
    response = client.get(f"{PREFIX}oauth_callback?error=access_denied")
    assert response.status_code == 400
    assert b"access_denied" in response.data


def test_logout_forgets_the_token_and_goes_to_hub_logout(
    alice: FlaskClient, csrf_token_from
) -> None:
    token = csrf_token_from(alice.get(PREFIX).get_data(as_text=True))
    response = alice.post(PREFIX + "logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/hub/logout"
    assert alice.get(PREFIX).status_code == 302


def test_user_without_access_scope_is_refused(client: FlaskClient, login) -> None:
    login(client, "outsider")
    response = client.get(PREFIX)
    assert response.status_code == 403
    assert b"not allowed" in response.data


def test_token_header_works_without_cookie(client: FlaskClient) -> None:
    response = client.get(PREFIX, headers={"Authorization": "token token-alice"})
    assert response.status_code == 200
    assert client.get(PREFIX, headers={"Authorization": "token wrong"}).status_code == 401


def test_admin_with_unfiltered_access_scope_is_allowed(client: FlaskClient) -> None:
    assert client.get(PREFIX, headers={"Authorization": "Bearer token-admin"}).status_code == 200


def test_services_cannot_use_learner_pages(client: FlaskClient) -> None:
    response = client.get(PREFIX, headers={"Authorization": "token token-grading"})
    assert response.status_code == 403
