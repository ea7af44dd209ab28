"""Tenant isolation, enumerated: every page route and every API operation that takes an
object id refuses learner B on learner A's objects, for reads and for writes, and changes
nothing. New routes are covered as soon as they exist (the lists come from the app)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sandbox_eoffice.models import (
    ActivityLog,
    DocumentComment,
    DocumentForward,
    IncomingDocument,
    OutgoingAttachment,
    OutgoingDelivery,
    OutgoingDocument,
    Tenant,
)
from sandbox_eoffice.request_db import db
from tests.sandbox_eoffice.test_uploads import a_pdf

PREFIX = "/services/eoffice"
API = f"{PREFIX}/api/v1"
ALICE = {"Authorization": "Bearer token-alice"}
BOB = {"Authorization": "Bearer token-bob"}


def _alices_objects(app: Flask, client: FlaskClient) -> dict[str, list[int]]:
    """One of alice's incoming documents in each state, and an outgoing one in each."""
    units = client.get(f"{API}/units", headers=ALICE).json
    leaders = [c for c in client.get(f"{API}/colleagues", headers=ALICE).json
               if c["position"] in ("head", "deputy_head")]
    draft = {"document_type": "Công văn", "summary": "V/v kiểm tra", "body": "Nội dung.",
             "drafting_unit_id": units[0]["id"], "signer_id": leaders[0]["id"]}
    outgoing = []
    for steps in ((), ("submit",), ("submit", "approve"), ("submit", "approve", "issue")):
        document_id = client.post(f"{API}/outgoing", json=draft, headers=ALICE).json["id"]
        client.post(f"{API}/outgoing/{document_id}/attachments", headers=ALICE,
                    data={"file": (io.BytesIO(a_pdf(1)), "a.pdf")},
                    content_type="multipart/form-data")
        for step in steps:
            client.post(f"{API}/outgoing/{document_id}/{step}", headers=ALICE)
        outgoing.append(document_id)
    with app.app_context():
        alice = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        incoming = [db().scalars(select(IncomingDocument.id).where(
            IncomingDocument.tenant_id == alice.id, IncomingDocument.status == status)).first()
            for status in ("received", "registered", "assigned", "done")]
    return {"incoming": incoming, "outgoing": outgoing}


def _snapshot(app: Flask) -> tuple[Any, ...]:
    """Everything of alice's that a write could change."""
    with app.app_context():
        session = db()
        alice = session.scalars(select(Tenant).where(Tenant.username == "alice")).one()
        incoming = session.execute(select(
            IncomingDocument.id, IncomingDocument.status, IncomingDocument.register_number,
            IncomingDocument.assignee_id, IncomingDocument.deadline,
            IncomingDocument.result_note).where(IncomingDocument.tenant_id == alice.id)
            .order_by(IncomingDocument.id)).all()
        outgoing = session.execute(select(
            OutgoingDocument.id, OutgoingDocument.status, OutgoingDocument.summary,
            OutgoingDocument.issue_number).where(OutgoingDocument.tenant_id == alice.id)
            .order_by(OutgoingDocument.id)).all()
        counts = [session.scalar(select(func.count()).select_from(model).where(
            model.tenant_id == alice.id)) for model in (
            DocumentComment, DocumentForward, OutgoingDelivery, OutgoingAttachment,
            ActivityLog)]
        return tuple(incoming), tuple(outgoing), tuple(counts)


def _kind(rule: str) -> str:
    return "outgoing" if "outgoing" in rule else "incoming"


@pytest.mark.both_databases
def test_learner_b_gets_404_for_every_object_of_learner_a(
    app: Flask, client: FlaskClient, login, csrf_token_from
) -> None:
    login(client, "alice")
    objects = _alices_objects(app, client)
    bob = app.test_client()
    login(bob, "bob")
    own_page = bob.get(f"{PREFIX}/documents/outgoing/new").get_data(as_text=True)
    token = csrf_token_from(own_page)
    before = _snapshot(app)

    checked = 0
    for rule in app.url_map.iter_rules():
        if "document_id" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for document_id in objects[_kind(rule.rule)]:
                path = PREFIX + rule.rule.replace("<int:document_id>", str(document_id))
                path = re.sub(r"<int:\w+>", "1", path)  # e.g. an attachment of the document
                if rule.endpoint == "api.outgoing_attach":
                    response = bob.post(path, headers=BOB, content_type="multipart/form-data",
                                        data={"file": (io.BytesIO(a_pdf(1)), "b.pdf")})
                elif rule.endpoint.startswith("api."):
                    response = bob.open(path, method=method, headers=BOB,
                                        json=_valid_body(rule.rule, method))
                else:
                    if rule.endpoint == "outgoing.outgoing_attach":
                        response = bob.post(path, content_type="multipart/form-data", data={
                            "csrf_token": token, "file": (io.BytesIO(a_pdf(1)), "b.pdf")})
                        assert response.status_code in (403, 404), (method, path)
                        checked += 1
                        continue
                    response = bob.open(path, method=method, data={
                        "csrf_token": token, "comment": "x", "body": "x", "note": "x",
                        "result_note": "x", "deadline_days": "5", "summary": "x"})
                assert response.status_code in (403, 404), (method, path, response.status_code)
                checked += 1
    assert checked >= 60
    assert _snapshot(app) == before
    # and the lists never show alice's objects to bob
    for page in (f"{PREFIX}/", f"{PREFIX}/documents/incoming", f"{PREFIX}/documents/outgoing",
                 f"{PREFIX}/activity"):
        html = bob.get(page).get_data(as_text=True)
        for kind, ids in objects.items():
            for document_id in ids:
                assert not re.search(rf'documents/{kind}/{document_id}["/]', html), page
    listing = bob.get(f"{API}/outgoing", headers=BOB).json
    assert not {d["id"] for d in listing} & set(objects["outgoing"])


def _valid_body(rule: str, method: str) -> dict[str, Any] | None:
    """A body that passes validation, so that only the tenant check can refuse."""
    if method == "GET":
        return None
    draft = {"document_type": "Công văn", "summary": "x", "body": "x",
             "drafting_unit_id": 1, "signer_id": 1}
    bodies = {"assign": {"deadline_working_days": 5, "lead_unit_id": 1},
              "forward": {"colleague_ids": [1]}, "comments": {"body": "x"},
              "complete": {"result_note": "x"}, "return": {"comment": "x"},
              "send": {"recipients": ["x"]}}
    last = rule.rstrip("/").rsplit("/", 1)[-1]
    return draft if method == "PUT" else bodies.get(last, {})
