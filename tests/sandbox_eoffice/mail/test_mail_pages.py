"""The mail pages: the mailbox, "show details", attachments' real types, composing with a
PDF (and refusing anything else), the simulated phish's tracked link, landing page and
teaching page, reporting, and the trainers' campaign pages (403 for everyone else)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from common.clock import VIETNAM_TZ
from sandbox_eoffice.mail.mailbox import new_attachment
from sandbox_eoffice.mail.models import (
    CampaignRecipient,
    MailAttachment,
    MailFolder,
    MailMessage,
    PhishingCampaign,
)
from sandbox_eoffice.models import ActivityLog, Base, Tenant, utc_now
from sandbox_eoffice.request_db import db
from tests.sandbox_eoffice.mail.mail_helpers import (
    MAIL,
    any_csrf,
    app_campaign,
    phish_of,
    recipient_row,
)
from tests.sandbox_eoffice.test_uploads import a_pdf

LoginFn = Callable[[FlaskClient, str], None]
PASSWORD = "Kh0ng-Bao-Gio-Luu!2026"  # noqa: S105 (what a learner types into the fake page)


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def _trainer(app: Flask, login: LoginFn) -> FlaskClient:
    client = app.test_client()
    login(client, "trainer")
    return client


# --- the mailbox -----------------------------------------------------------------------------


def test_inbox_lists_the_seeded_mail_and_folders(alice: FlaskClient) -> None:
    html = _text(alice.get(f"{MAIL}/"))
    assert len(re.findall(r'href="[^"]*/mail/m/\d+"', html)) >= 10
    for folder in ("sent", "archive", "trash", "reported"):
        assert f"/mail/folder/{folder}" in html
    sent = _text(alice.get(f"{MAIL}/folder/sent"))
    assert len(re.findall(r'/mail/m/\d+"', sent)) == 3
    assert alice.get(f"{MAIL}/folder/spam").status_code == 404


def test_reading_a_message_marks_it_read_and_is_logged(app: Flask, alice: FlaskClient) -> None:
    message_id = int(re.findall(r"/mail/m/(\d+)", _text(alice.get(f"{MAIL}/")))[0])
    html = _text(alice.get(f"{MAIL}/m/{message_id}"))
    assert "Report phishing" in html or "Báo cáo" in html
    with app.app_context():
        assert db().get(MailMessage, message_id).is_read  # type: ignore[union-attr]
        assert db().scalars(select(ActivityLog).where(
            ActivityLog.action == "mail.opened", ActivityLog.object_id == message_id)).one()


def test_show_details_reveals_the_real_sender_and_link(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="public_service_dossier")
    message_id, token = phish_of(app, "alice", campaign_id)
    plain = _text(alice.get(f"{MAIL}/m/{message_id}"))
    assert "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html" in plain  # what it shows
    assert f'href="/services/eoffice/mail/l/{token}"' in plain  # a tracked route of our own
    assert 'title="https://dichvucong-gov.vn/dang-nhap"' in plain  # hovering shows the target
    assert "hotro@dichvucong-gov.vn" not in plain.replace('title="', "")  # address hidden
    details = _text(alice.get(f"{MAIL}/m/{message_id}?details=1"))
    assert "hotro@dichvucong-gov.vn" in details
    assert 'data-testid="real-link-target">https://dichvucong-gov.vn/dang-nhap<' in details
    assert "dichvucong-gov.vn" in details and "dichvucong.gov.vn" in details
    row = recipient_row(app, "alice", campaign_id)
    assert row.opened_at is not None and row.clicked_at is None
    with app.app_context():
        assert db().scalars(select(ActivityLog).where(
            ActivityLog.action == "mail.details_viewed", ActivityLog.object_id == message_id)
        ).one()


def test_a_fake_pdf_attachment_shows_its_real_type(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="invoice_attachment")
    message_id, token = phish_of(app, "alice", campaign_id)
    html = _text(alice.get(f"{MAIL}/m/{message_id}"))
    assert ".pdf.exe" in html
    assert "Windows program" in html or "chương trình" in html.lower()
    assert html.count('role="alert"') >= 3  # double extension, mismatch, program
    attachment_id = re.search(r"/attachments/(\d+)", html).group(1)  # type: ignore[union-attr]
    # the address without the message's own token (another page making the browser load
    # it) opens nothing and records nothing
    guessed = alice.get(f"{MAIL}/m/{message_id}/attachments/{attachment_id}")
    assert guessed.status_code == 404
    assert recipient_row(app, "alice", campaign_id).attachment_opened_at is None
    link = re.search(r'href="([^"]*/attachments/\d+\?t=[^"]+)"', html).group(1)  # type: ignore[union-attr]
    opened = alice.get(link.replace("&amp;", "&"))
    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        f"/mail/l/{token}/learn?via=attachment")
    assert b"MZ" not in opened.data  # the program itself is never served
    assert recipient_row(app, "alice", campaign_id).attachment_opened_at is not None


def test_an_ordinary_mismatched_attachment_is_not_served(app: Flask, alice: FlaskClient) -> None:
    with app.app_context():
        owner = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        message = MailMessage(tenant_id=owner.id, folder=MailFolder.INBOX, sender_name="Lan",
                              sender_address="lan@vp.sandbox.gov.vn", recipients="alice",
                              subject="Bảng lương", body="Gửi anh.",
                              received_at=utc_now() - timedelta(minutes=5))
        message.attachments.append(new_attachment(owner, "bang-luong.pdf", b"MZ\x90\x00 prog",
                                                  "application/pdf"))
        db().add(message)
        db().commit()
        message_id, attachment_id = message.id, message.attachments[0].id
    html = _text(alice.get(f"{MAIL}/m/{message_id}"))
    assert "bang-luong.pdf" in html and 'role="alert"' in html
    response = alice.get(f"{MAIL}/m/{message_id}/attachments/{attachment_id}")
    assert response.status_code == 200 and response.content_type.startswith("text/html")
    assert b"MZ\x90" not in response.data


def test_a_real_pdf_attachment_opens_inline(app: Flask, alice: FlaskClient) -> None:
    with app.app_context():
        owner = db().scalars(select(Tenant).where(Tenant.username == "alice")).one()
        row = db().scalars(select(MailAttachment).where(
            MailAttachment.tenant_id == owner.id, MailAttachment.filename.like("%.pdf"))).first()
        assert row is not None
        message_id, attachment_id = row.message_id, row.id
    response = alice.get(f"{MAIL}/m/{message_id}/attachments/{attachment_id}")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- composing -------------------------------------------------------------------------------


def _compose(alice: FlaskClient, attachment: tuple[bytes, str] | None):  # type: ignore[no-untyped-def]
    page = _text(alice.get(f"{MAIL}/compose"))
    colleague = re.search(r'name="to" type="checkbox" value="(\d+)"', page)
    assert colleague, page[:500]
    data: dict[str, object] = {"csrf_token": any_csrf(page), "to": colleague.group(1),
                               "subject": "Gửi báo cáo tuần", "body": "Nội dung báo cáo."}
    if attachment:
        data["attachment"] = (io.BytesIO(attachment[0]), attachment[1])
    return alice.post(f"{MAIL}/compose", data=data, content_type="multipart/form-data")


def _count(app: Flask, model: type[Base]) -> int:
    with app.app_context():
        return int(db().scalar(select(func.count()).select_from(model)) or 0)


def test_compose_sends_with_a_pdf(app: Flask, alice: FlaskClient) -> None:
    response = _compose(alice, (a_pdf(1), "bao-cao.pdf"))
    assert response.status_code == 302
    html = _text(alice.get(response.headers["Location"]))
    assert "Gửi báo cáo tuần" in html and "bao-cao.pdf" in html
    assert len(re.findall(r'/mail/m/\d+"', _text(alice.get(f"{MAIL}/folder/sent")))) == 4


@pytest.mark.parametrize(("data", "name"), [
    (b"MZ\x90\x00 a program", "hoa-don.pdf"),
    (b"MZ\x90\x00 a program", "invoice.pdf.exe"),
    (b"just some text", "ghi-chu.txt"),
])
def test_compose_refuses_a_file_that_is_not_a_pdf(app: Flask, alice: FlaskClient, data: bytes,
                                                  name: str) -> None:
    alice.get(f"{MAIL}/")
    before = _count(app, MailMessage)
    response = _compose(alice, (data, name))
    assert response.status_code == 400
    html = _text(response)
    assert "not a PDF" in html or "PDF" in html
    assert 'class="flash flash-warning"' in html
    assert _count(app, MailMessage) == before
    with app.app_context():
        entry = db().scalars(select(ActivityLog).where(
            ActivityLog.action == "mail.send_refused")).one()
        assert entry.details["reason"] == "not_a_pdf"


def test_compose_without_a_recipient_is_refused(app: Flask, alice: FlaskClient) -> None:
    page = _text(alice.get(f"{MAIL}/compose"))
    before = _count(app, MailMessage)
    response = alice.post(f"{MAIL}/compose", data={"csrf_token": any_csrf(page),
                                                   "subject": "x", "body": "x"})
    assert response.status_code == 400
    assert _count(app, MailMessage) == before


def test_compose_needs_the_csrf_token(app: Flask, alice: FlaskClient) -> None:
    alice.get(f"{MAIL}/")
    before = _count(app, MailMessage)
    response = alice.post(f"{MAIL}/compose", data={"subject": "x", "body": "x"})
    assert response.status_code == 400 and _count(app, MailMessage) == before


# --- the simulated phish ---------------------------------------------------------------------


def _every_value_in_the_database(app: Flask) -> str:
    """Every column of every row of every table, as one string (bytes decoded)."""
    parts: list[str] = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for row in db().execute(table.select()).all():
                for value in row:
                    parts.append(value.decode("latin-1") if isinstance(value, bytes)
                                 else str(value))
        # and what the database itself might keep outside the tables (SQLite: none)
        db().execute(text("SELECT 1"))
    return "\n".join(parts)


def test_the_landing_page_never_stores_what_was_typed(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="certificate_expiry")
    _, token = phish_of(app, "alice", campaign_id)
    landing = alice.get(f"{MAIL}/l/{token}")
    assert landing.status_code == 200
    page = _text(landing)
    assert "ca-gov.vn" in page
    assert "Practice environment" in page or "Môi trường thực hành" in page
    response = alice.post(f"{MAIL}/l/{token}", data={
        "csrf_token": any_csrf(page), "username": "alice.secret.user@example.org",
        "password": PASSWORD, "pin": "918273"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mail/l/{token}/learn?via=submit")
    everything = _every_value_in_the_database(app)
    assert PASSWORD not in everything
    assert "918273" not in everything
    assert "alice.secret.user@example.org" not in everything
    row = recipient_row(app, "alice", campaign_id)
    assert row.clicked_at is not None and row.submitted_at is not None
    with app.app_context():
        entry = db().scalars(select(ActivityLog).where(
            ActivityLog.action == "mail.data_submitted")).one()
        assert entry.details["fields_filled"] == {"username": True, "password": True,
                                                  "pin": True}
    assert PASSWORD not in _text(alice.get(response.headers["Location"]))


def test_clicking_twice_counts_once_and_shows_the_teaching_page(
        app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="axis_notice")
    _, token = phish_of(app, "alice", campaign_id)
    alice.get(f"{MAIL}/l/{token}")
    first = recipient_row(app, "alice", campaign_id).clicked_at
    alice.get(f"{MAIL}/l/{token}")
    assert recipient_row(app, "alice", campaign_id).clicked_at == first
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(ActivityLog).where(
            ActivityLog.action == "mail.link_clicked")) == 2  # every event is evidence
    teaching = _text(alice.get(f"{MAIL}/l/{token}/learn"))
    assert "truclienthong-gov.vn" in teaching  # the concrete sign in this message
    assert teaching.count("<li><strong>") >= 4  # the signs it missed


def test_a_teaching_only_template_goes_straight_to_the_lesson(app: Flask,
                                                              alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="invoice_attachment")
    _, token = phish_of(app, "alice", campaign_id)
    response = alice.get(f"{MAIL}/l/{token}")
    assert response.status_code == 302 and "/learn?via=click" in response.headers["Location"]
    assert alice.post(f"{MAIL}/l/{token}", data={"csrf_token": "x"}).status_code in (400, 404)


def test_reporting_a_phish_says_well_spotted(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="leader_request")
    message_id, _ = phish_of(app, "alice", campaign_id)
    page = _text(alice.get(f"{MAIL}/m/{message_id}"))
    response = alice.post(f"{MAIL}/m/{message_id}/report", data={"csrf_token": any_csrf(page)})
    html = _text(response)
    assert response.status_code == 200 and 'class="ok-box"' in html
    assert "gmail.com" in html  # the spoofed leader's free mailbox, explained
    assert recipient_row(app, "alice", campaign_id).reported_at is not None
    assert f"/mail/m/{message_id}" in _text(alice.get(f"{MAIL}/folder/reported"))


def test_reporting_an_ordinary_mail_says_it_was_legitimate(app: Flask,
                                                          alice: FlaskClient) -> None:
    page = _text(alice.get(f"{MAIL}/"))
    message_id = int(re.findall(r"/mail/m/(\d+)", page)[0])
    html = _text(alice.post(f"{MAIL}/m/{message_id}/report", data={
        "csrf_token": any_csrf(page)}))
    assert "Thư này là thư thật" in html  # Vietnamese by default
    with app.app_context():
        entry = db().scalars(select(ActivityLog).where(
            ActivityLog.action == "mail.reported")).one()
        assert entry.details["simulated_phish"] is False


def test_moving_to_the_archive(app: Flask, alice: FlaskClient) -> None:
    page = _text(alice.get(f"{MAIL}/"))
    message_id = int(re.findall(r"/mail/m/(\d+)", page)[0])
    response = alice.post(f"{MAIL}/m/{message_id}/move", data={
        "csrf_token": any_csrf(page), "move-folder": "archive"})
    assert response.status_code == 302
    assert f"/mail/m/{message_id}" in _text(alice.get(f"{MAIL}/folder/archive"))
    bad = alice.post(f"{MAIL}/m/{message_id}/move", data={
        "csrf_token": any_csrf(page), "move-folder": "reported"})
    assert bad.status_code == 302
    assert f"/mail/m/{message_id}" in _text(alice.get(f"{MAIL}/folder/archive"))


def test_a_scheduled_phish_is_not_in_the_inbox_yet(app: Flask, alice: FlaskClient) -> None:
    alice.get(f"{MAIL}/")
    campaign_id = app_campaign(app, ["alice"], when=utc_now() + timedelta(hours=3))
    message_id, token = phish_of(app, "alice", campaign_id)
    assert f"/mail/m/{message_id}\"" not in _text(alice.get(f"{MAIL}/"))
    assert alice.get(f"{MAIL}/m/{message_id}").status_code == 404
    assert alice.get(f"{MAIL}/l/{token}").status_code == 404


# --- the trainers' pages ---------------------------------------------------------------------

TRAINER_PAGES = ("/campaigns", "/campaigns/new", "/campaigns/metrics",
                 "/campaigns/metrics/funnel.svg", "/campaigns/metrics/reports.svg")


def test_campaign_pages_refuse_learners(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], when=utc_now() + timedelta(hours=1))
    for path in (*TRAINER_PAGES, f"/campaigns/{campaign_id}",
                 f"/campaigns/{campaign_id}/funnel.svg"):
        assert alice.get(MAIL + path).status_code == 403, path
    token = any_csrf(_text(alice.get(f"{MAIL}/")))
    assert alice.post(f"{MAIL}/campaigns/new", data={
        "csrf_token": token, "name": "x", "lure": "axis_notice",
        "recipients": "alice"}).status_code == 403
    assert alice.post(f"{MAIL}/campaigns/{campaign_id}/cancel",
                      data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(PhishingCampaign)) == 1
        assert db().get(PhishingCampaign, campaign_id).cancelled_at is None  # type: ignore[union-attr]


def test_the_sidebar_shows_campaigns_to_trainers_only(app: Flask, alice: FlaskClient,
                                                      login: LoginFn) -> None:
    assert "/mail/campaigns" not in _text(alice.get(f"{MAIL}/"))
    trainer = _trainer(app, login)
    for page in ("/", "/documents/incoming"):
        html = _text(trainer.get("/services/eoffice" + page))
        assert 'href="/services/eoffice/mail/campaigns"' in html, page


def test_a_trainer_runs_a_campaign_through_the_pages(app: Flask, alice: FlaskClient,
                                                     login: LoginFn) -> None:
    alice.get(f"{MAIL}/")  # alice's sandbox exists
    trainer = _trainer(app, login)
    form = _text(trainer.get(f"{MAIL}/campaigns/new"))
    assert 'value="alice"' in form and "certificate_expiry" in form
    response = trainer.post(f"{MAIL}/campaigns/new", data={
        "csrf_token": any_csrf(form), "name": "Đợt 1: chứng thư số", "lure": "certificate_expiry",
        "sender_profile": "", "landing": "", "scheduled_at": "", "recipients": ["alice"]})
    assert response.status_code == 302
    results = _text(trainer.get(response.headers["Location"]))
    assert "Đợt 1: chứng thư số" in results and 'data-username="alice"' in results
    assert "funnel.svg" in results
    campaign_id = int(re.search(r"/campaigns/(\d+)", response.headers["Location"]).group(1))  # type: ignore[union-attr]
    assert recipient_row(app, "alice", campaign_id).sent_at <= utc_now()
    listing = _text(trainer.get(f"{MAIL}/campaigns"))
    assert f"/mail/campaigns/{campaign_id}" in listing


def test_a_campaign_against_a_courses_class(app: Flask, alice: FlaskClient,
                                           login: LoginFn) -> None:
    """The class is the course's hub group (fake hub: alice and bob in digital-signatures,
    carol in cybersecurity): bob, who never opened the e-office, gets a sandbox and the
    message; carol and the trainer do not."""
    alice.get(f"{MAIL}/")
    trainer = _trainer(app, login)
    form = _text(trainer.get(f"{MAIL}/campaigns/new"))
    assert '<option value="digital-signatures">' in form
    assert '<option value="cybersecurity">' in form
    response = trainer.post(f"{MAIL}/campaigns/new", data={
        "csrf_token": any_csrf(form), "name": "Lớp chữ ký số", "lure": "axis_notice",
        "sender_profile": "", "landing": "", "scheduled_at": "",
        "course": "digital-signatures"})
    assert response.status_code == 302
    campaign_id = int(re.search(r"/campaigns/(\d+)", response.headers["Location"]).group(1))  # type: ignore[union-attr]
    with app.app_context():
        recipients = db().scalars(select(Tenant.username).join(
            CampaignRecipient, CampaignRecipient.tenant_id == Tenant.id).where(
            CampaignRecipient.campaign_id == campaign_id).order_by(Tenant.username)).all()
    assert recipients == ["alice", "bob"]


def test_the_campaign_form_refuses_no_recipients(app: Flask, login: LoginFn) -> None:
    trainer = _trainer(app, login)
    form = _text(trainer.get(f"{MAIL}/campaigns/new"))
    response = trainer.post(f"{MAIL}/campaigns/new", data={
        "csrf_token": any_csrf(form), "name": "x", "lure": "axis_notice",
        "sender_profile": "", "landing": ""})
    assert response.status_code == 400
    assert 'class="flash flash-warning"' in _text(response)
    bad_lure = trainer.post(f"{MAIL}/campaigns/new", data={
        "csrf_token": any_csrf(form), "name": "x", "lure": "nope", "all_learners": "y",
        "sender_profile": "", "landing": ""})
    assert bad_lure.status_code == 400 and 'class="field-error"' in _text(bad_lure)
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(PhishingCampaign)) == 0


def test_all_learners_and_scheduling_then_cancel(app: Flask, alice: FlaskClient,
                                                 login: LoginFn) -> None:
    alice.get(f"{MAIL}/")
    trainer = _trainer(app, login)
    form = _text(trainer.get(f"{MAIL}/campaigns/new"))
    later = (utc_now() + timedelta(days=2)).astimezone(VIETNAM_TZ)
    response = trainer.post(f"{MAIL}/campaigns/new", data={
        "csrf_token": any_csrf(form), "name": "Sau", "lure": "mailbox_quota",
        "all_learners": "y", "scheduled_at": later.strftime("%Y-%m-%dT%H:%M"),
        "sender_profile": "mail_admin", "landing": "login"})
    assert response.status_code == 302
    location = response.headers["Location"]
    campaign_id = int(location.rsplit("/", 1)[1])
    with app.app_context():
        count = db().scalar(select(func.count()).select_from(CampaignRecipient))
        tenants = db().scalar(select(func.count()).select_from(Tenant))
    assert count == tenants == 2  # alice and the trainer's own sandbox
    page = _text(trainer.get(location))
    assert "/cancel" in page
    cancelled = trainer.post(f"{MAIL}/campaigns/{campaign_id}/cancel",
                             data={"csrf_token": any_csrf(page)})
    assert cancelled.status_code == 302
    assert "/cancel" not in _text(trainer.get(location))
    with app.app_context():
        assert db().scalar(select(func.count()).select_from(MailMessage).where(
            MailMessage.campaign_recipient_id.is_not(None))) == 0


def test_results_and_metrics_count_recipients(app: Flask, alice: FlaskClient,
                                              login: LoginFn) -> None:
    campaign_id = app_campaign(app, ["alice", "bob"], lure="axis_notice")
    _, token = phish_of(app, "alice", campaign_id)
    alice.get(f"{MAIL}/l/{token}")
    alice.get(f"{MAIL}/l/{token}")  # twice: still one recipient
    trainer = _trainer(app, login)
    results = _text(trainer.get(f"{MAIL}/campaigns/{campaign_id}"))
    assert 'data-testid="phish-prone">50%<' in results
    metrics = _text(trainer.get(f"{MAIL}/campaigns/metrics"))
    assert 'data-testid="class-phish-prone">50%<' in metrics
    assert 'data-testid="class-report-rate">0%<' in metrics
    assert "funnel.svg" in metrics and "reports.svg" in metrics
    chart = trainer.get(f"{MAIL}/campaigns/metrics/funnel.svg")
    assert chart.status_code == 200 and chart.content_type == "image/svg+xml"
    svg = chart.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<script" not in svg
    timeline = trainer.get(f"{MAIL}/campaigns/metrics/reports.svg")
    assert timeline.status_code == 200 and b"<svg" in timeline.data
    per_campaign = trainer.get(f"{MAIL}/campaigns/{campaign_id}/funnel.svg")
    assert per_campaign.status_code == 200 and b"<svg" in per_campaign.data
    assert trainer.get(f"{MAIL}/campaigns/999").status_code == 404


def test_reporting_after_clicking_is_still_recorded(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="mailbox_quota")
    message_id, token = phish_of(app, "alice", campaign_id)
    teaching = _text(alice.get(f"{MAIL}/l/{token}"))  # the fake login page
    lesson = _text(alice.post(f"{MAIL}/l/{token}", data={"csrf_token": any_csrf(teaching)},
                              follow_redirects=True))
    assert f"/mail/m/{message_id}/report" in lesson  # "report this message now"
    assert recipient_row(app, "alice", campaign_id).submitted_at is None  # nothing typed
    html = _text(alice.post(f"{MAIL}/m/{message_id}/report",
                            data={"csrf_token": any_csrf(lesson)}))
    assert "Well spotted" not in html and 'class="ok-box"' in html
    row = recipient_row(app, "alice", campaign_id)
    assert row.clicked_at is not None and row.reported_at is not None


def test_a_long_password_typed_is_still_a_password_typed(app: Flask, alice: FlaskClient) -> None:
    campaign_id = app_campaign(app, ["alice"], lure="certificate_expiry")
    _, token = phish_of(app, "alice", campaign_id)
    page = _text(alice.get(f"{MAIL}/l/{token}"))
    long_secret = "mật-khẩu-rất-dài-" * 40
    response = alice.post(f"{MAIL}/l/{token}", data={
        "csrf_token": any_csrf(page), "username": "", "password": long_secret, "pin": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mail/l/{token}/learn?via=submit")
    assert recipient_row(app, "alice", campaign_id).submitted_at is not None
    assert long_secret[:40] not in _every_value_in_the_database(app)
