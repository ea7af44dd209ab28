"""The mail feature's practical tasks, graded from the campaign records (done and not
done), and through the grader-only evidence interface."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.mail.mailbox import (
    click_link,
    list_messages,
    open_attachment,
    open_message,
    report_message,
    submit_landing,
)
from sandbox_eoffice.mail.models import CampaignRecipient, MailFolder
from sandbox_eoffice.models import utc_now
from sandbox_eoffice.tasks import TASKS, evaluate_tasks
from tests.sandbox_eoffice.mail.mail_helpers import PREFIX, app_campaign, new_campaign, tenant

REPORTED, NO_CLICK, NO_SUBMIT = "mail-reported-phish", "mail-did-not-click", "mail-did-not-submit"


def _recipient(session: Session, campaign_id: int) -> CampaignRecipient:
    return session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign_id)).one()


def test_the_tasks_are_in_the_catalogue() -> None:
    assert {REPORTED, NO_CLICK, NO_SUBMIT} <= set(TASKS)


def test_nothing_is_done_before_a_phish_arrives(session: Session) -> None:
    tenant(session, "alice")
    new_campaign(session, ["alice"], when=utc_now() + timedelta(hours=1))  # not delivered yet
    results = evaluate_tasks(session, "alice")
    for task in (REPORTED, NO_CLICK, NO_SUBMIT):
        assert not results[task].done, task
        assert "No simulated phishing message" in results[task].detail


def test_nothing_is_done_before_the_phish_is_opened(session: Session) -> None:
    new_campaign(session, ["alice"])
    results = evaluate_tasks(session, "alice")
    assert not results[REPORTED].done and not results[NO_CLICK].done
    assert "not been opened" in results[NO_CLICK].detail


def test_opened_and_reported_without_clicking_passes_all(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"])
    alice, recipient = tenant(session, "alice"), _recipient(session, campaign_id)
    assert recipient.message is not None
    open_message(session, alice, recipient.message, actor="alice", now=utc_now())
    report_message(session, alice, recipient.message, actor="alice", now=utc_now())
    session.commit()
    results = evaluate_tasks(session, "alice")
    assert all(results[task].done for task in (REPORTED, NO_CLICK, NO_SUBMIT))
    assert results[REPORTED].completed_at == recipient.reported_at
    assert results[NO_CLICK].completed_at == recipient.opened_at


def test_clicking_fails_no_click_but_not_no_submit(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"])
    alice, recipient = tenant(session, "alice"), _recipient(session, campaign_id)
    click_link(session, alice, recipient, actor="alice", now=utc_now())
    session.commit()
    results = evaluate_tasks(session, "alice")
    assert not results[NO_CLICK].done and "Clicked" in results[NO_CLICK].detail
    assert results[NO_SUBMIT].done
    assert not results[REPORTED].done


def test_submitting_data_fails_no_submit(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"])
    alice, recipient = tenant(session, "alice"), _recipient(session, campaign_id)
    submit_landing(session, alice, recipient, actor="alice", now=utc_now(),
                   filled={"username": True, "password": True})
    session.commit()
    results = evaluate_tasks(session, "alice")
    assert not results[NO_SUBMIT].done and "Typed data" in results[NO_SUBMIT].detail
    assert not results[NO_CLICK].done


def test_opening_the_attachment_fails_no_click(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"], lure="invoice_attachment")
    alice, recipient = tenant(session, "alice"), _recipient(session, campaign_id)
    assert recipient.message is not None
    open_attachment(session, alice, recipient.message.attachments[0], actor="alice",
                    now=utc_now())
    session.commit()
    assert not evaluate_tasks(session, "alice")[NO_CLICK].done


def test_reporting_an_ordinary_mail_is_not_reporting_a_phish(session: Session) -> None:
    new_campaign(session, ["alice"])
    alice = tenant(session, "alice")
    ordinary = next(m for m in list_messages(session, alice, MailFolder.INBOX, utc_now())
                    if m.campaign_recipient_id is None)
    report_message(session, alice, ordinary, actor="alice", now=utc_now())
    session.commit()
    assert not evaluate_tasks(session, "alice")[REPORTED].done


def test_the_grader_reads_them_through_the_evidence_interface(app: Flask, client: FlaskClient,
                                                              alice: FlaskClient) -> None:
    alice.get(f"{PREFIX}/mail/")
    app_campaign(app, ["alice"])
    grader = app.test_client()
    response = grader.get(f"{PREFIX}/api/evidence/alice",
                          headers={"Authorization": "Bearer token-grading"})
    assert response.status_code == 200, response.data
    tasks = response.json["tasks"]
    assert tasks[REPORTED]["done"] is False
    assert alice.get(f"{PREFIX}/api/evidence/alice").status_code in (401, 403)
