"""Every action is logged and the learner can read their own log."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sandbox_eoffice.models import ActivityLog, IncomingDocument, Tenant
from sandbox_eoffice.request_db import db

PREFIX = "/services/eoffice/"


def _actions(app: Flask, username: str) -> list[tuple[str, str]]:
    """The log entries of the learner and the system (not the seeded colleagues' steps)."""
    with app.app_context():
        rows = db().execute(
            select(ActivityLog.actor, ActivityLog.action)
            .join(Tenant, Tenant.id == ActivityLog.tenant_id)
            .where(Tenant.username == username, ActivityLog.actor.in_([username, "system"]))
            .order_by(ActivityLog.id)
        )
        return [(actor, action) for actor, action in rows]


@pytest.mark.both_databases
def test_every_action_is_logged(app: Flask, alice: FlaskClient, csrf_token_from) -> None:
    alice.get(PREFIX)
    alice.get(PREFIX + "documents/incoming")
    with app.app_context():
        document_id = (
            db()
            .scalars(
                select(IncomingDocument.id)
                .join(Tenant, Tenant.id == IncomingDocument.tenant_id)
                .where(Tenant.username == "alice", IncomingDocument.register_number.is_(None))
            )
            .first()
        )
    page = alice.get(f"{PREFIX}documents/incoming/{document_id}").get_data(as_text=True)
    alice.post(
        f"{PREFIX}documents/incoming/{document_id}/register",
        data={"csrf_token": csrf_token_from(page)},
    )
    alice.get(PREFIX + "documents/incoming/999999")
    alice.get(PREFIX + "activity")
    assert _actions(app, "alice") == [
        ("system", "tenant.provisioned"),
        ("alice", "session.logged_in"),
        ("alice", "dashboard.viewed"),
        ("alice", "document.list_viewed"),
        ("alice", "document.viewed"),
        ("alice", "document.registered"),
        ("alice", "document.not_found"),
        ("alice", "activity.viewed"),
    ]


def test_activity_page_shows_own_entries_only(app: Flask, client: FlaskClient, login) -> None:
    login(client, "bob")
    client.get(PREFIX + "documents/incoming")
    other = app.test_client()
    login(other, "alice")
    page = other.get(PREFIX + "activity").get_data(as_text=True)
    assert "<h1>Nhật ký hoạt động</h1>" in page
    assert "<td>Đăng nhập</td>" in page
    assert "Xem danh sách văn bản đến" not in page  # that was bob
    # the fictitious colleagues' seeded steps are documents' history, not the learner's log
    assert "Vào sổ văn bản đến" not in page and "Nhận qua Trục liên thông" not in page
