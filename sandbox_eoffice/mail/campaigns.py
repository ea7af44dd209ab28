"""Phishing campaigns: a trainer sends a simulated phish (a lure from the catalogue, a sender
profile, a landing page) to chosen learners at a scheduled time, then reads per-recipient
results and the class metrics.

There is no background worker: creating a campaign puts each recipient's message in their
own mailbox with `received_at` = the scheduled time, and the mailbox shows only messages
whose time has come. A campaign that has not started yet can be cancelled (its messages are
removed before anyone could see them).

Metrics count recipients, never events: each CampaignRecipient keeps the first time of each
event, so two clicks by one learner count once.
"""

from __future__ import annotations

import secrets
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from common.clock import VIETNAM_TZ
from common.i18n import N_
from common.text import ascii_fold
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.mail.lures import (
    LURES,
    SENDER_PROFILES,
    Lure,
    SenderProfile,
    Sign,
    message_signs,
)
from sandbox_eoffice.mail.mailbox import new_attachment
from sandbox_eoffice.mail.models import (
    CampaignRecipient,
    LandingKind,
    MailFolder,
    MailMessage,
    PhishingCampaign,
)
from sandbox_eoffice.models import Tenant

PHISHING_CAMPAIGN = "phishing_campaign"
CAMPAIGN_CREATED = "campaign.created"
CAMPAIGN_CANCELLED = "campaign.cancelled"
CAMPAIGN_ACTION_LABELS: dict[str, str] = {
    CAMPAIGN_CREATED: N_("Created a phishing campaign"),
    CAMPAIGN_CANCELLED: N_("Cancelled a phishing campaign"),
}

MAX_RECIPIENTS = 500

# refusals
ALREADY_STARTED = "already_started"
ALREADY_CANCELLED = "already_cancelled"
NO_RECIPIENTS = "no_recipients"
UNKNOWN_LURE = "unknown_lure"
CAMPAIGN_REFUSALS: dict[str, str] = {
    ALREADY_STARTED: N_("This campaign has already been delivered: it can no longer be "
                        "cancelled."),
    ALREADY_CANCELLED: N_("This campaign is already cancelled."),
    NO_RECIPIENTS: N_("Choose at least one learner (or \"all learners\")."),
    UNKNOWN_LURE: N_("Choose a template, a sender profile and a landing page from the lists."),
}


class CampaignRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CampaignStatus(StrEnum):
    SCHEDULED = "scheduled"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


CAMPAIGN_STATUS_LABELS: dict[CampaignStatus, str] = {
    CampaignStatus.SCHEDULED: N_("Scheduled"),
    CampaignStatus.DELIVERED: N_("Delivered"),
    CampaignStatus.CANCELLED: N_("Cancelled"),
}


def campaign_status(campaign: PhishingCampaign, now: datetime) -> CampaignStatus:
    if campaign.cancelled_at is not None:
        return CampaignStatus.CANCELLED
    return CampaignStatus.DELIVERED if campaign.scheduled_at <= now else CampaignStatus.SCHEDULED


def _province_of(tenant: Tenant) -> str:
    return tenant.agency.province if tenant.agency else "Phú Thọ"


def _slug(text: str) -> str:
    return "".join(ch for ch in ascii_fold(text).lower() if ch.isalnum())


@dataclass(frozen=True)
class RenderedLure:
    sender_name: str
    sender_address: str
    reply_to: str | None
    subject: str
    body: str
    link_text: str
    link_target: str
    attachment_name: str | None


def render_lure(lure: Lure, profile: SenderProfile, tenant: Tenant, when: datetime,
                ) -> RenderedLure:
    """The message as this learner receives it (their name, agency, province, the month)."""
    local = when.astimezone(VIETNAM_TZ)
    province = _province_of(tenant)
    fields = {
        "name": tenant.full_name,
        "agency": tenant.agency.name if tenant.agency else tenant.full_name,
        "province": province,
        "province_slug": _slug(province),
        "month": f"{local.month:02d}",
        "year": str(local.year),
    }
    return RenderedLure(
        sender_name=profile.display_name.format(**fields),
        sender_address=profile.address, reply_to=profile.reply_to,
        subject=lure.subject.format(**fields), body=lure.body.format(**fields),
        link_text=lure.displayed_url.format(**fields),
        link_target=lure.target_url.format(**fields),
        attachment_name=lure.attachment.format(**fields) if lure.attachment else None)


# a harmless stand-in for a malicious program: it starts like a Windows program (so its real
# type shows), but it is only this text and is never served to a browser
FAKE_PROGRAM = (b"MZ\x90\x00" + b"\x00" * 60 + b"This is a harmless training sample of the "
                b"Digital Civil Service Academy. A real file like this would be a program.")


def create_campaign(session: Session, trainer: Tenant, *, actor: str, name: str, lure_key: str,
                    profile_key: str, landing: LandingKind, scheduled_at: datetime,
                    recipients: Sequence[Tenant]) -> PhishingCampaign:
    """The campaign and, in each recipient's own mailbox, their message (delivered at
    `scheduled_at`). The caller commits."""
    lure, profile = LURES.get(lure_key), SENDER_PROFILES.get(profile_key)
    if lure is None or profile is None or landing not in LandingKind:
        raise CampaignRefused(UNKNOWN_LURE)
    unique = list({tenant.id: tenant for tenant in recipients}.values())
    if not unique or len(unique) > MAX_RECIPIENTS:
        raise CampaignRefused(NO_RECIPIENTS)
    campaign = PhishingCampaign(tenant_id=trainer.id, name=name.strip()[:200], lure=lure.key,
                                sender_profile=profile.key, landing=landing,
                                scheduled_at=scheduled_at, created_by=actor)
    session.add(campaign)
    session.flush()
    for tenant in unique:
        rendered = render_lure(lure, profile, tenant, scheduled_at)
        recipient = CampaignRecipient(tenant_id=tenant.id, campaign_id=campaign.id,
                                      token=secrets.token_urlsafe(24), sent_at=scheduled_at)
        session.add(recipient)
        session.flush()
        message = MailMessage(
            tenant_id=tenant.id, folder=MailFolder.INBOX, sender_name=rendered.sender_name,
            sender_address=rendered.sender_address, reply_to=rendered.reply_to,
            recipients=tenant.full_name, subject=rendered.subject, body=rendered.body,
            link_text=rendered.link_text, link_target=rendered.link_target,
            received_at=scheduled_at, campaign_recipient_id=recipient.id)
        if rendered.attachment_name:
            message.attachments.append(new_attachment(
                tenant, rendered.attachment_name, FAKE_PROGRAM, declared_type="application/pdf"))
        session.add(message)
    session.flush()
    record_activity(session, trainer, actor, CAMPAIGN_CREATED, object_type=PHISHING_CAMPAIGN,
                    object_id=campaign.id, details={
                        "name": campaign.name, "lure": lure.key, "sender_profile": profile.key,
                        "landing": landing.value, "scheduled_at": scheduled_at.isoformat(),
                        "recipients": sorted(t.username for t in unique)})
    return campaign


def cancel_campaign(session: Session, trainer: Tenant, campaign: PhishingCampaign, *,
                    actor: str, now: datetime) -> None:
    """Cancel a campaign that has not started: its messages disappear unseen."""
    status = campaign_status(campaign, now)
    if status is CampaignStatus.CANCELLED:
        raise CampaignRefused(ALREADY_CANCELLED)
    if status is CampaignStatus.DELIVERED:
        raise CampaignRefused(ALREADY_STARTED)
    campaign.cancelled_at = now
    for recipient in campaign.recipients:
        if recipient.message is not None:
            session.delete(recipient.message)
    record_activity(session, trainer, actor, CAMPAIGN_CANCELLED, object_type=PHISHING_CAMPAIGN,
                    object_id=campaign.id, details={"name": campaign.name})


def list_campaigns(session: Session) -> Sequence[PhishingCampaign]:
    """Every campaign of the class, newest schedule first."""
    return session.scalars(
        select(PhishingCampaign).options(selectinload(PhishingCampaign.recipients))
        .order_by(PhishingCampaign.scheduled_at.desc(), PhishingCampaign.id.desc())).all()


def get_campaign(session: Session, campaign_id: int) -> PhishingCampaign | None:
    return session.get(PhishingCampaign, campaign_id)


def class_members(session: Session) -> Sequence[Tenant]:
    """The learners a campaign can target: every sandbox agency of the e-office."""
    return session.scalars(select(Tenant).order_by(Tenant.username)).all()


def campaign_signs(campaign: PhishingCampaign) -> list[Sign]:
    return message_signs(LURES[campaign.lure], SENDER_PROFILES[campaign.sender_profile])


# --- metrics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    """Counts of recipients (never of events) over delivered messages."""

    delivered: int
    opened: int
    clicked: int
    submitted: int
    attachment_opened: int
    reported: int
    phish_prone: int  # clicked, submitted data or opened the attachment
    first_report: timedelta | None  # from delivery to the first report
    median_report: timedelta | None

    @property
    def phish_prone_percent(self) -> float | None:
        return 100 * self.phish_prone / self.delivered if self.delivered else None

    @property
    def report_rate_percent(self) -> float | None:
        return 100 * self.reported / self.delivered if self.delivered else None


def delivered_recipients(recipients: Iterable[CampaignRecipient], now: datetime,
                         ) -> list[CampaignRecipient]:
    return [r for r in recipients
            if r.campaign.cancelled_at is None and r.sent_at <= now]


def metrics(recipients: Iterable[CampaignRecipient], now: datetime) -> Metrics:
    """The metrics over these recipients (only the delivered ones count)."""
    rows = delivered_recipients(recipients, now)
    delays = sorted(r.reported_at - r.sent_at for r in rows if r.reported_at is not None)
    return Metrics(
        delivered=len(rows),
        opened=sum(r.opened_at is not None for r in rows),
        clicked=sum(r.clicked_at is not None for r in rows),
        submitted=sum(r.submitted_at is not None for r in rows),
        attachment_opened=sum(r.attachment_opened_at is not None for r in rows),
        reported=sum(r.reported_at is not None for r in rows),
        phish_prone=sum(is_phish_prone(r) for r in rows),
        first_report=delays[0] if delays else None,
        median_report=(timedelta(seconds=statistics.median(d.total_seconds() for d in delays))
                       if delays else None),
    )


def is_phish_prone(recipient: CampaignRecipient) -> bool:
    return any(at is not None for at in (recipient.clicked_at, recipient.submitted_at,
                                         recipient.attachment_opened_at))


def all_recipients(session: Session) -> Sequence[CampaignRecipient]:
    return session.scalars(
        select(CampaignRecipient).options(selectinload(CampaignRecipient.campaign),
                                          selectinload(CampaignRecipient.tenant))
        .order_by(CampaignRecipient.id)).all()


def report_delays_hours(recipients: Iterable[CampaignRecipient], now: datetime,
                        ) -> list[float]:
    """Hours from delivery to each report, sorted (for the timeline chart)."""
    return sorted((r.reported_at - r.sent_at).total_seconds() / 3600
                  for r in delivered_recipients(recipients, now) if r.reported_at is not None)
