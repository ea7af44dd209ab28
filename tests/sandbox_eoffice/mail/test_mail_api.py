"""The mail API (/api/v1/mail): token-authenticated, the learner's own mailbox only."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sandbox_eoffice.mail.models import MailFolder, MailMessage
from sandbox_eoffice.request_db import db
from tests.sandbox_eoffice.mail.mail_helpers import API, app_campaign, phish_of, recipient_row

ALICE = {"Authorization": "Bearer token-alice"}


def test_folders_and_messages(client: FlaskClient) -> None:
    folders = client.get(f"{API}/folders", headers=ALICE)
    assert folders.status_code == 200
    counts = {row["folder"]: row for row in folders.json}
    assert set(counts) == {f.value for f in MailFolder}
    assert counts["sent"]["total"] == 3
    inbox = client.get(f"{API}/messages", headers=ALICE).json
    assert len(inbox) == counts["inbox"]["total"] >= 10
    assert {m["folder"] for m in inbox} == {"inbox"}
    sent = client.get(f"{API}/messages?folder=sent", headers=ALICE).json
    assert len(sent) == 3
    assert client.get(f"{API}/messages?folder=spam", headers=ALICE).status_code == 422


def test_reading_a_phish_gives_its_details_and_counts_as_opened(app: Flask,
                                                                client: FlaskClient) -> None:
    client.get(f"{API}/folders", headers=ALICE)
    campaign_id = app_campaign(app, ["alice"], lure="invoice_attachment")
    message_id, _ = phish_of(app, "alice", campaign_id)
    body = client.get(f"{API}/messages/{message_id}", headers=ALICE).json
    assert body["sender_address"] == "hoadon@vnpt-invoice.com.vn"
    assert body["link_text"] == "https://hoadon.vnpt.vn/tra-cuu"
    assert body["link_target"] == "https://vnpt-invoice.com.vn/tra-cuu/hoa-don"
    assert "[[link]]" not in body["body"] and body["link_text"] in body["body"]
    [attachment] = body["attachments"]
    assert attachment["detected_kind"] == "executable"
    assert attachment["declared_type"] == "application/pdf"
    assert set(attachment["warnings"]) == {"double_extension", "type_mismatch", "executable"}
    assert recipient_row(app, "alice", campaign_id).opened_at is not None


def test_report_a_phish_and_an_ordinary_mail(app: Flask, client: FlaskClient) -> None:
    client.get(f"{API}/folders", headers=ALICE)
    campaign_id = app_campaign(app, ["alice"], lure="axis_notice")
    message_id, _ = phish_of(app, "alice", campaign_id)
    result = client.post(f"{API}/messages/{message_id}/report", headers=ALICE)
    assert result.status_code == 200
    assert result.json["simulated_phish"] is True
    assert result.json["message"]["folder"] == "reported" and result.json["message"]["reported"]
    assert recipient_row(app, "alice", campaign_id).reported_at is not None
    ordinary = next(m for m in client.get(f"{API}/messages", headers=ALICE).json)
    answer = client.post(f"{API}/messages/{ordinary['id']}/report", headers=ALICE).json
    assert answer["simulated_phish"] is False and answer["message"]["folder"] == "inbox"


def test_move_and_its_refusals(app: Flask, client: FlaskClient) -> None:
    inbox = client.get(f"{API}/messages", headers=ALICE).json
    moved = client.post(f"{API}/messages/{inbox[0]['id']}/move", headers=ALICE,
                        json={"folder": "trash"})
    assert moved.status_code == 200 and moved.json["folder"] == "trash"
    assert client.post(f"{API}/messages/{inbox[0]['id']}/move", headers=ALICE,
                       json={"folder": "reported"}).status_code == 422
    sent = client.get(f"{API}/messages?folder=sent", headers=ALICE).json
    refused = client.post(f"{API}/messages/{sent[0]['id']}/move", headers=ALICE,
                          json={"folder": "trash"})
    assert refused.status_code == 409 and refused.json["reason"] == "sent_mail_stays"
    with app.app_context():
        assert db().scalars(select(MailMessage.folder).where(
            MailMessage.id == sent[0]["id"])).one() is MailFolder.SENT


def test_the_api_needs_a_token(client: FlaskClient, alice: FlaskClient) -> None:
    # a browser session cookie is not enough
    assert alice.get(f"{API}/folders").status_code == 401
    assert client.get(f"{API}/messages/1", headers={"Authorization": "Bearer "}).status_code \
        == 401


def test_the_openapi_document_lists_the_mail_operations(client: FlaskClient) -> None:
    spec = client.get("/services/eoffice/api/v1/openapi.json").json
    paths = {path for path in spec["paths"] if "/mail/" in path}
    assert {"/api/v1/mail/folders", "/api/v1/mail/messages",
            "/api/v1/mail/messages/{message_id}",
            "/api/v1/mail/messages/{message_id}/report",
            "/api/v1/mail/messages/{message_id}/move"} <= {p.replace("/services/eoffice", "")
                                                          for p in paths}


def test_an_own_sent_message_cannot_be_reported(client: FlaskClient) -> None:
    sent = client.get(f"{API}/messages?folder=sent", headers=ALICE).json
    refused = client.post(f"{API}/messages/{sent[0]['id']}/report", headers=ALICE)
    assert refused.status_code == 409 and refused.json["reason"] == "own_message"
    again = client.get(f"{API}/messages/{sent[0]['id']}", headers=ALICE).json
    assert again["reported"] is False and again["folder"] == "sent"
