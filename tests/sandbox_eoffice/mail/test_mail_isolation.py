"""Tenant isolation of the mail feature, enumerated from the app: every route of the `mail`
pages and of the `mail_api` API, for reads and writes, refuses learner bob on learner alice's
messages, attachments, tracked links and campaigns (403/404), lists none of them to him, and
changes nothing of alice's."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from sandbox_eoffice.mail.models import (
    CampaignRecipient,
    MailAttachment,
    MailFolder,
    MailMessage,
    PhishingCampaign,
)
from sandbox_eoffice.models import ActivityLog, Tenant, utc_now
from sandbox_eoffice.request_db import db
from tests.sandbox_eoffice.mail.mail_helpers import PREFIX, any_csrf, app_campaign, phish_of

BOB = {"Authorization": "Bearer token-bob"}


def _alices_objects(app: Flask) -> dict[str, list[Any]]:
    delivered = app_campaign(app, ["alice"], lure="invoice_attachment")
    scheduled = app_campaign(app, ["alice"], lure="axis_notice",
                             when=utc_now() + timedelta(hours=5))
    phish_id, token = phish_of(app, "alice", delivered)
    later_id, later_token = phish_of(app, "alice", scheduled)
    with app.app_context():
        alice = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        ordinary = db().scalars(select(MailMessage).where(
            MailMessage.tenant_id == alice.id, MailMessage.folder == MailFolder.INBOX,
            MailMessage.campaign_recipient_id.is_(None))).first()
        sent = db().scalars(select(MailMessage).where(
            MailMessage.tenant_id == alice.id, MailMessage.folder == MailFolder.SENT)).first()
        attachments = [(a.message_id, a.id) for a in db().scalars(select(MailAttachment).where(
            MailAttachment.tenant_id == alice.id))]
    assert ordinary is not None and sent is not None
    return {"message": [ordinary.id, sent.id, phish_id, later_id],
            "attachment": attachments, "token": [token, later_token],
            "campaign": [delivered, scheduled]}


def _snapshot(app: Flask) -> tuple[Any, ...]:
    with app.app_context():
        session = db()
        alice = session.scalars(select(Tenant).where(Tenant.username == "alice")).one()
        messages = session.execute(select(
            MailMessage.id, MailMessage.folder, MailMessage.is_read, MailMessage.reported_at,
            MailMessage.subject).where(MailMessage.tenant_id == alice.id)
            .order_by(MailMessage.id)).all()
        recipients = session.execute(select(
            CampaignRecipient.id, CampaignRecipient.opened_at, CampaignRecipient.clicked_at,
            CampaignRecipient.submitted_at, CampaignRecipient.attachment_opened_at,
            CampaignRecipient.reported_at).where(CampaignRecipient.tenant_id == alice.id)
            .order_by(CampaignRecipient.id)).all()
        campaigns = session.execute(select(PhishingCampaign.id, PhishingCampaign.cancelled_at)
                                    .order_by(PhishingCampaign.id)).all()
        counts = [session.scalar(select(func.count()).select_from(model).where(
            model.tenant_id == alice.id)) for model in (MailAttachment, ActivityLog)]
        return tuple(messages), tuple(recipients), tuple(campaigns), tuple(counts)


def _paths(rule: str, objects: dict[str, list[Any]]) -> list[str]:
    """The rule with alice's objects filled in (one path per object)."""
    path = PREFIX + rule
    if "<int:attachment_id>" in rule:
        return [path.replace("<int:message_id>", str(m)).replace("<int:attachment_id>", str(a))
                for m, a in objects["attachment"]]
    for name, key in (("<int:message_id>", "message"), ("<token>", "token"),
                      ("<int:campaign_id>", "campaign")):
        if name in rule:
            return [path.replace(name, str(value)) for value in objects[key]]
    return [path.replace("<folder>", "inbox")]


def _form() -> dict[str, Any]:
    return {"username": "bob", "password": "x", "pin": "1", "move-folder": "trash",
            "name": "x", "lure": "axis_notice", "all_learners": "y", "sender_profile": "",
            "landing": "", "subject": "x", "body": "x"}


@pytest.mark.both_databases
def test_learner_b_cannot_reach_learner_as_mail(app: Flask, client: FlaskClient, login) -> None:
    login(client, "alice")
    client.get(f"{PREFIX}/mail/")
    objects = _alices_objects(app)
    bob = app.test_client()
    login(bob, "bob")
    csrf = any_csrf(bob.get(f"{PREFIX}/mail/compose").get_data(as_text=True))
    before = _snapshot(app)

    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint.startswith(("mail.", "mail_api."))]
    assert len(rules) >= 20
    checked = 0
    for rule in rules:
        has_object = bool(set(rule.arguments) - {"folder"})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for path in _paths(rule.rule, objects):
                if rule.endpoint.startswith("mail_api."):
                    body = {"folder": "trash"} if method == "POST" else None
                    response = bob.open(path, method=method, headers=BOB, json=body)
                else:
                    response = bob.open(path, method=method,
                                        data={"csrf_token": csrf, **_form()})
                if has_object:
                    assert response.status_code in (403, 404), (method, path,
                                                                response.status_code)
                else:  # a list, a form or a trainer page: bob's own, or refused
                    assert response.status_code in (200, 302, 400, 403), (method, path)
                    text = response.get_data(as_text=True)
                    for message_id in objects["message"]:
                        assert not re.search(rf'/mail/m/{message_id}["/?]', text), path
                        assert not re.search(rf'"id":\s*{message_id}\b', text), path
                checked += 1
    assert checked >= 40
    assert _snapshot(app) == before
