"""The mail feature's service functions: mailbox, attachments' real types, sending, the
campaign life cycle (schedule, deliver, cancel) and recipient-counted metrics. On SQLite and
PostgreSQL (the `session` fixture runs on both)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox_eoffice.mail import campaigns as service
from sandbox_eoffice.mail.campaigns import CampaignRefused, CampaignStatus
from sandbox_eoffice.mail.lures import LINK_MARKER, LURES, SENDER_PROFILES, SIGNS
from sandbox_eoffice.mail.mailbox import (
    DOUBLE_EXTENSION,
    EXECUTABLE,
    TYPE_MISMATCH,
    MailRefused,
    attachment_content,
    attachment_warnings,
    click_link,
    detect_kind,
    folder_counts,
    get_message,
    list_messages,
    new_attachment,
    open_attachment,
    open_message,
    report_message,
    send_mail,
    submit_landing,
)
from sandbox_eoffice.mail.models import (
    CampaignRecipient,
    FileKind,
    MailAttachment,
    MailFolder,
    MailMessage,
    PhishingCampaign,
)
from sandbox_eoffice.models import ActivityLog, Colleague, utc_now
from sandbox_eoffice.scenarios import reset_tenant
from tests.sandbox_eoffice.mail.mail_helpers import new_campaign, tenant
from tests.sandbox_eoffice.test_uploads import a_pdf


def _recipient(session: Session, campaign_id: int, username: str) -> CampaignRecipient:
    alice = tenant(session, username)
    return session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign_id,
        CampaignRecipient.tenant_id == alice.id)).one()


# --- seeding ---------------------------------------------------------------------------------


def test_seeded_mailbox_is_ordinary_vietnamese_work_mail(session: Session) -> None:
    alice = tenant(session, "alice")
    session.commit()
    rows = session.scalars(select(MailMessage).where(MailMessage.tenant_id == alice.id)).all()
    received = [m for m in rows if m.folder is not MailFolder.SENT]
    assert 15 <= len(received) <= 25
    assert len([m for m in rows if m.folder is MailFolder.SENT]) == 3
    assert all(m.campaign_recipient_id is None and m.link_target is None for m in rows)
    assert all(m.sender_address.endswith(".sandbox.gov.vn") for m in rows)
    colleagues = {c.email for c in session.scalars(select(Colleague).where(
        Colleague.tenant_id == alice.id))}
    assert {m.sender_address for m in received} & colleagues  # mail from colleagues
    assert any(m.sender_address.startswith("vanthu.") for m in received)  # and from agencies
    assert any("ư" in m.subject or "ơ" in m.subject or "đ" in m.subject.lower()
               for m in received)
    attachments = [a for m in rows for a in m.attachments]
    pdfs = [a for a in attachments if a.detected_kind is FileKind.PDF]
    # drawn on first opening (a new sandbox does not pay 0.2 s per document), then kept
    assert pdfs and all(a.content == b"" and a.layout for a in pdfs)
    assert all(attachment_content(a).startswith(b"%PDF-") for a in pdfs)
    assert all(a.size == len(a.content) and a.layout is None for a in pdfs)
    assert all(not attachment_warnings(a) for a in attachments)  # honest files
    assert all(m.received_at <= utc_now() for m in rows)


def test_seeding_is_deterministic_per_seed(session: Session) -> None:
    one, two = tenant(session, "alice", seed=7), tenant(session, "bob", seed=7)
    session.commit()

    def mailbox(owner_id: int) -> list[tuple[str, str, float]]:
        return [(m.subject, m.sender_address, m.received_at.timestamp())
                for m in session.scalars(select(MailMessage).where(
                    MailMessage.tenant_id == owner_id, MailMessage.folder != MailFolder.SENT)
                    .order_by(MailMessage.id))]

    assert mailbox(one.id) == mailbox(two.id)


# --- attachments: what the bytes really are --------------------------------------------------


def test_detect_kind_reads_content_not_names() -> None:
    assert detect_kind(a_pdf(1)) is FileKind.PDF
    assert detect_kind(b"MZ\x90\x00rest") is FileKind.EXECUTABLE
    assert detect_kind(b"PK\x03\x04....") is FileKind.OFFICE
    assert detect_kind("Ngày,Cán bộ\r\n".encode()) is FileKind.TEXT
    assert detect_kind(b"\x00\xff\xfe\x01") is FileKind.UNKNOWN


def test_a_pdf_name_that_is_not_a_pdf_is_flagged(session: Session) -> None:
    alice = tenant(session, "alice")
    fake = new_attachment(alice, "hoa-don.pdf", b"MZ\x90\x00 program", "application/pdf")
    assert fake.detected_kind is FileKind.EXECUTABLE
    assert TYPE_MISMATCH in attachment_warnings(fake)
    assert EXECUTABLE in attachment_warnings(fake)
    double = new_attachment(alice, "invoice.pdf.exe", b"MZ\x90\x00 program", "application/pdf")
    assert {DOUBLE_EXTENSION, TYPE_MISMATCH, EXECUTABLE} <= set(attachment_warnings(double))
    text_as_pdf = new_attachment(alice, "bao-cao.pdf", b"just text", "application/pdf")
    assert attachment_warnings(text_as_pdf) == [TYPE_MISMATCH]
    honest = new_attachment(alice, "bao-cao.pdf", a_pdf(1))
    assert attachment_warnings(honest) == []


# --- sending ---------------------------------------------------------------------------------


def test_send_mail_keeps_it_in_sent_with_a_checked_pdf(session: Session) -> None:
    alice = tenant(session, "alice")
    colleague = session.scalars(select(Colleague).where(Colleague.tenant_id == alice.id)).first()
    assert colleague is not None
    message = send_mail(session, alice, actor="alice", to=[colleague], subject=" Báo cáo ",
                        body="Gửi anh báo cáo.", now=utc_now(), attachment=("bc.pdf", a_pdf(1)))
    session.commit()
    assert message.folder is MailFolder.SENT and message.subject == "Báo cáo"
    assert colleague.email in message.recipients
    assert [a.detected_kind for a in message.attachments] == [FileKind.PDF]


@pytest.mark.parametrize(("filename", "data", "reason"), [
    ("hoa-don.pdf", b"MZ\x90\x00 a program", "not_a_pdf"),
    ("invoice.pdf.exe", b"MZ\x90\x00 a program", "not_a_pdf"),
    ("bao-cao.pdf", b"%PDF-1.7 broken", "malformed_pdf"),
    ("trong.pdf", b"", "empty_file"),
])
def test_send_mail_refuses_a_file_that_is_not_a_pdf(session: Session, filename: str,
                                                     data: bytes, reason: str) -> None:
    alice = tenant(session, "alice")
    session.commit()
    colleague = session.scalars(select(Colleague).where(Colleague.tenant_id == alice.id)).first()
    assert colleague is not None
    before = session.scalar(select(func.count()).select_from(MailMessage))
    with pytest.raises(MailRefused) as refused:
        send_mail(session, alice, actor="alice", to=[colleague], subject="x", body="x",
                  now=utc_now(), attachment=(filename, data))
    assert refused.value.reason == reason
    session.rollback()
    assert session.scalar(select(func.count()).select_from(MailMessage)) == before


def test_send_mail_refuses_another_agencys_colleague(session: Session) -> None:
    alice, bob = tenant(session, "alice"), tenant(session, "bob", seed=6)
    stranger = session.scalars(select(Colleague).where(Colleague.tenant_id == bob.id)).first()
    assert stranger is not None
    with pytest.raises(MailRefused):
        send_mail(session, alice, actor="alice", to=[stranger], subject="x", body="x",
                  now=utc_now())


# --- campaigns -------------------------------------------------------------------------------


def test_the_catalogue_is_complete() -> None:
    assert len(LURES) >= 5
    for lure in LURES.values():
        assert LINK_MARKER in lure.body
        assert lure.sender_profile in SENDER_PROFILES
        assert set(lure.signs) <= set(SIGNS)
        assert ".gov.vn" in lure.displayed_url or ".vn" in lure.displayed_url
        assert lure.displayed_url.split("/")[2] != lure.target_url.split("/")[2]
    assert any(lure.attachment and lure.attachment.endswith(".pdf.exe")
               for lure in LURES.values())
    for profile in SENDER_PROFILES.values():
        assert set(profile.signs) <= set(SIGNS)
        assert not profile.address.endswith(".gov.vn")  # lookalikes only


def test_campaign_puts_the_message_in_each_recipients_own_mailbox(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice", "bob"], lure="invoice_attachment")
    alice, bob = tenant(session, "alice"), tenant(session, "bob")
    for learner in (alice, bob):
        [message] = [m for m in list_messages(session, learner, MailFolder.INBOX, utc_now())
                     if m.campaign_recipient_id is not None]
        assert message.campaign_recipient.campaign_id == campaign_id
        assert message.campaign_recipient.tenant_id == learner.id
        [attachment] = message.attachments
        assert attachment.filename.endswith(".pdf.exe")
        assert attachment.declared_type == "application/pdf"
        assert attachment.detected_kind is FileKind.EXECUTABLE
        assert message.link_target and "gov.vn" not in message.link_target.split("/")[2]
    trainer = tenant(session, "trainer")
    assert session.scalars(select(ActivityLog).where(
        ActivityLog.tenant_id == trainer.id, ActivityLog.action == "campaign.created")).one()


def test_a_scheduled_message_is_invisible_until_its_time(session: Session) -> None:
    later = utc_now() + timedelta(hours=2)
    campaign_id = new_campaign(session, ["alice"], when=later)
    alice = tenant(session, "alice")
    recipient = _recipient(session, campaign_id, "alice")
    assert recipient.message is not None
    message_id = recipient.message.id
    assert get_message(session, alice, message_id, utc_now()) is None
    assert all(m.id != message_id
               for m in list_messages(session, alice, MailFolder.INBOX, utc_now()))
    assert get_message(session, alice, message_id, later + timedelta(seconds=1)) is not None
    campaign = service.get_campaign(session, campaign_id)
    assert campaign is not None
    assert service.campaign_status(campaign, utc_now()) is CampaignStatus.SCHEDULED
    assert service.metrics(campaign.recipients, utc_now()).delivered == 0


def test_cancelling_a_scheduled_campaign_removes_its_messages(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"], when=utc_now() + timedelta(days=1))
    campaign = service.get_campaign(session, campaign_id)
    assert campaign is not None
    trainer = tenant(session, "trainer")
    service.cancel_campaign(session, trainer, campaign, actor="trainer", now=utc_now())
    session.commit()
    assert service.campaign_status(campaign, utc_now()) is CampaignStatus.CANCELLED
    assert session.scalar(select(func.count()).select_from(MailMessage).where(
        MailMessage.campaign_recipient_id.is_not(None))) == 0
    with pytest.raises(CampaignRefused) as again:
        service.cancel_campaign(session, trainer, campaign, actor="trainer", now=utc_now())
    assert again.value.reason == "already_cancelled"


def test_a_delivered_campaign_cannot_be_cancelled(session: Session) -> None:
    campaign = service.get_campaign(session, new_campaign(session, ["alice"]))
    assert campaign is not None
    with pytest.raises(CampaignRefused) as refused:
        service.cancel_campaign(session, tenant(session, "trainer"), campaign, actor="trainer",
                                now=utc_now())
    assert refused.value.reason == "already_started"


def test_a_campaign_needs_recipients_and_a_known_template(session: Session) -> None:
    trainer = tenant(session, "trainer")
    lure = LURES["axis_notice"]
    with pytest.raises(CampaignRefused):
        service.create_campaign(session, trainer, actor="trainer", name="x", lure_key=lure.key,
                                profile_key=lure.sender_profile, landing=lure.landing,
                                scheduled_at=utc_now(), recipients=[])
    with pytest.raises(CampaignRefused):
        service.create_campaign(session, trainer, actor="trainer", name="x", lure_key="nope",
                                profile_key=lure.sender_profile, landing=lure.landing,
                                scheduled_at=utc_now(), recipients=[tenant(session, "alice")])


def test_metrics_count_recipients_not_events(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice", "bob", "carol", "dan"])
    now = utc_now()
    alice, bob, carol = (tenant(session, name) for name in ("alice", "bob", "carol"))
    a, b, c = (_recipient(session, campaign_id, name) for name in ("alice", "bob", "carol"))
    for _ in range(2):  # alice clicks twice and submits twice: she counts once
        click_link(session, alice, a, actor="alice", now=now + timedelta(minutes=1))
        submit_landing(session, alice, a, actor="alice", now=now + timedelta(minutes=2),
                       filled={"username": True, "password": True})
    assert a.message is not None and b.message is not None and c.message is not None
    open_message(session, bob, b.message, actor="bob", now=now + timedelta(minutes=3))
    open_message(session, bob, b.message, actor="bob", now=now + timedelta(minutes=4))
    report_message(session, bob, b.message, actor="bob", now=now + timedelta(minutes=30))
    report_message(session, carol, c.message, actor="carol", now=now + timedelta(hours=2))
    report_message(session, carol, c.message, actor="carol", now=now + timedelta(hours=3))
    session.commit()
    first_click = a.clicked_at
    campaign = service.get_campaign(session, campaign_id)
    assert campaign is not None
    metrics = service.metrics(campaign.recipients, now + timedelta(hours=4))
    assert (metrics.delivered, metrics.opened, metrics.clicked, metrics.submitted,
            metrics.reported, metrics.phish_prone) == (4, 3, 1, 1, 2, 1)
    assert metrics.phish_prone_percent == 25.0 and metrics.report_rate_percent == 50.0
    sent = a.sent_at
    assert metrics.first_report == (now + timedelta(minutes=30)) - sent
    assert metrics.median_report == ((now + timedelta(minutes=30) - sent)
                                     + (now + timedelta(hours=2) - sent)) / 2
    assert a.clicked_at == first_click  # first occurrence kept
    assert b.message.folder is MailFolder.REPORTED


def test_opening_the_attachment_makes_a_recipient_phish_prone(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"], lure="invoice_attachment")
    alice = tenant(session, "alice")
    recipient = _recipient(session, campaign_id, "alice")
    assert recipient.message is not None
    attachment: MailAttachment = recipient.message.attachments[0]
    open_attachment(session, alice, attachment, actor="alice", now=utc_now())
    session.commit()
    assert recipient.attachment_opened_at is not None and recipient.clicked_at is None
    assert service.is_phish_prone(recipient)


def test_an_empty_landing_form_is_not_submitted_data(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice"])
    alice = tenant(session, "alice")
    recipient = _recipient(session, campaign_id, "alice")
    typed = submit_landing(session, alice, recipient, actor="alice", now=utc_now(),
                           filled={"username": False, "password": False})
    assert not typed and recipient.submitted_at is None and recipient.clicked_at is not None


def test_reporting_an_ordinary_mail_is_recorded_and_leaves_it(session: Session) -> None:
    alice = tenant(session, "alice")
    session.commit()
    message = list_messages(session, alice, MailFolder.INBOX, utc_now())[0]
    assert report_message(session, alice, message, actor="alice", now=utc_now()) is False
    session.commit()
    assert message.folder is MailFolder.INBOX and message.reported_at is not None
    entry = session.scalars(select(ActivityLog).where(
        ActivityLog.tenant_id == alice.id, ActivityLog.action == "mail.reported")).one()
    assert entry.details["simulated_phish"] is False


def test_folder_counts(session: Session) -> None:
    alice = tenant(session, "alice")
    session.commit()
    counts = {c.folder: c for c in folder_counts(session, alice, utc_now())}
    assert set(counts) == set(MailFolder)
    assert counts[MailFolder.SENT].total == 3 and counts[MailFolder.SENT].unread == 0
    assert counts[MailFolder.INBOX].unread >= 1


def test_resets_cascade_through_the_mail_tables_but_keep_campaigns(session: Session) -> None:
    campaign_id = new_campaign(session, ["alice", "bob"], lure="invoice_attachment")
    # each reset runs in a session of its own (a command or a request), as in real use: the
    # database cascades across tenants, which rows another session still holds cannot know
    session.expunge_all()
    reset_tenant(session, "alice", actor="trainer")  # alice's sandbox made again
    session.commit()
    alice = tenant(session, "alice")
    assert session.scalar(select(func.count()).select_from(CampaignRecipient).where(
        CampaignRecipient.tenant_id == alice.id)) == 0
    assert session.scalar(select(func.count()).select_from(MailMessage).where(
        MailMessage.tenant_id == alice.id, MailMessage.campaign_recipient_id.is_not(None))) == 0
    assert session.get(PhishingCampaign, campaign_id) is not None  # bob's result stays
    session.expunge_all()
    reset_tenant(session, "trainer", actor="trainer")  # the campaign's owner
    session.commit()
    session.expire_all()
    # the trainer's own sandbox starts over; the campaign and bob's result stay
    campaign = session.get(PhishingCampaign, campaign_id)
    assert campaign is not None and campaign.tenant_id is None
    assert campaign.created_by == "trainer"
    bob = tenant(session, "bob")
    assert session.scalar(select(func.count()).select_from(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign_id)) == 1
    assert session.scalar(select(func.count()).select_from(MailMessage).where(
        MailMessage.tenant_id == bob.id, MailMessage.campaign_recipient_id.is_not(None))) == 1
