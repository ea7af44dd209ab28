"""The grader-only evidence API."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sandbox_eoffice.models import IncomingDocument, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.tasks import TASKS

PREFIX = "/services/eoffice/"
TASK = "register-incoming-from-so-tai-chinh"


def _get(client: FlaskClient, username: str, token: str | None):
    headers = {"Authorization": f"token {token}"} if token else {}
    return client.get(f"{PREFIX}api/evidence/{username}", headers=headers)


def test_learner_token_is_refused_even_for_own_evidence(client: FlaskClient) -> None:
    response = _get(client, "alice", "token-alice")
    assert response.status_code == 403
    assert response.is_json and response.json["status"] == 403


def test_learner_browser_session_is_refused(alice: FlaskClient) -> None:
    assert alice.get(f"{PREFIX}api/evidence/alice").status_code == 403


def test_no_credentials_is_401_not_a_redirect(client: FlaskClient) -> None:
    response = _get(client, "alice", None)
    assert response.status_code == 401
    assert response.is_json


@pytest.mark.both_databases
def test_grading_service_reads_evidence(
    app: Flask, alice: FlaskClient, client: FlaskClient, csrf_token_from
) -> None:
    alice.get(PREFIX)
    before = _get(app.test_client(), "alice", "token-grading")
    assert before.status_code == 200
    assert before.json["tasks"][TASK]["done"] is False

    with app.app_context():
        finance_id = (
            db()
            .scalars(
                select(IncomingDocument.id)
                .join(Tenant, Tenant.id == IncomingDocument.tenant_id)
                .where(
                    Tenant.username == "alice", IncomingDocument.issuing_agency.startswith("Sở Tài")
                )
            )
            .one()
        )
    page = alice.get(f"{PREFIX}documents/incoming/{finance_id}").get_data(as_text=True)
    alice.post(
        f"{PREFIX}documents/incoming/{finance_id}/register",
        data={"csrf_token": csrf_token_from(page)},
    )

    after = _get(app.test_client(), "alice", "token-grading")
    body = after.json
    assert body["username"] == "alice"
    assert body["tasks"][TASK]["done"] is True
    assert body["tasks"][TASK]["completed_at"].endswith("+00:00")
    actions = [entry["action"] for entry in body["activity"]]
    assert actions[0] == "session.logged_in"  # oldest first, the learner's own only
    assert {e["actor"] for e in body["activity"]} == {"alice"}
    assert "document.registered" in actions
    registered = next(e for e in body["activity"] if e["action"] == "document.registered")
    assert registered["object_id"] == finance_id and registered["actor"] == "alice"


def test_trainer_with_the_scope_reads_evidence(client: FlaskClient) -> None:
    response = _get(client, "alice", "token-trainer")
    assert response.status_code == 200


def test_unknown_user_gives_tasks_not_done(client: FlaskClient) -> None:
    response = _get(client, "nobody", "token-grading")
    assert response.status_code == 200
    assert response.json["username"] == "nobody"
    assert response.json["activity"] == []
    assert set(response.json["tasks"]) == set(TASKS)
    for result in response.json["tasks"].values():
        assert (result["done"], result["completed_at"]) == (False, None)
        assert "not opened the e-office" in result["detail"]


def test_reading_evidence_creates_no_tenant(app: Flask, client: FlaskClient) -> None:
    _get(client, "ghost", "token-grading")
    with app.app_context():
        assert db().scalars(select(Tenant).where(Tenant.username == "ghost")).first() is None


def test_trainer_browser_is_sent_to_login_then_reads_evidence(
    app: Flask, client: FlaskClient, login
) -> None:
    browser_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    response = client.get(f"{PREFIX}api/evidence/alice", headers=browser_accept)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/hub/api/oauth2/authorize")
    login(client, "trainer")
    response = client.get(f"{PREFIX}api/evidence/alice", headers=browser_accept)
    assert response.status_code == 200
    assert response.json["username"] == "alice"
