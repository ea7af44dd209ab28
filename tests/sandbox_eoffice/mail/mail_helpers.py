"""Shared helpers of the mail tests (not a test module: no test_ prefix)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox_eoffice.mail.campaigns import create_campaign
from sandbox_eoffice.mail.lures import LURES
from sandbox_eoffice.mail.models import CampaignRecipient, LandingKind, MailMessage
from sandbox_eoffice.models import Tenant, utc_now
from sandbox_eoffice.request_db import db
from sandbox_eoffice.seeding import provision_tenant

PREFIX = "/services/eoffice"
MAIL = f"{PREFIX}/mail"
API = f"{PREFIX}/api/v1/mail"
TODAY = date(2026, 11, 20)

_HIDDEN_CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


def any_csrf(html: str) -> str:
    """The CSRF token of a page, whichever form holds it (also pages without base.html)."""
    match = _HIDDEN_CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def tenant(session: Session, username: str, seed: int = 5) -> Tenant:
    found = session.scalars(select(Tenant).where(Tenant.username == username)).one_or_none()
    return found or provision_tenant(session, username, username.title(), seed, today=TODAY)


def new_campaign(session: Session, usernames: Sequence[str], *, lure: str = "certificate_expiry",
                 when: datetime | None = None, trainer: str = "trainer",
                 landing: str | None = None) -> int:
    """A campaign created by the service (the caller's session commits here)."""
    chosen = LURES[lure]
    campaign = create_campaign(
        session, tenant(session, trainer, seed=9), actor=trainer, name=f"Thử {lure}",
        lure_key=lure, profile_key=chosen.sender_profile,
        landing=LandingKind(landing) if landing else chosen.landing,
        scheduled_at=when or utc_now() - timedelta(minutes=1),
        recipients=[tenant(session, name) for name in usernames])
    session.commit()
    return campaign.id


def app_campaign(app: Flask, usernames: Sequence[str], **kwargs: object) -> int:
    with app.app_context():
        return new_campaign(db(), usernames, **kwargs)  # type: ignore[arg-type]


def phish_of(app: Flask, username: str, campaign_id: int) -> tuple[int, str]:
    """(message id, tracked-link token) of the campaign's message in `username`'s mailbox."""
    with app.app_context():
        recipient = db().scalars(select(CampaignRecipient).join(Tenant).where(
            Tenant.username == username, CampaignRecipient.campaign_id == campaign_id)).one()
        message = db().scalars(select(MailMessage).where(
            MailMessage.campaign_recipient_id == recipient.id)).one()
        return message.id, recipient.token


def recipient_row(app: Flask, username: str, campaign_id: int) -> CampaignRecipient:
    with app.app_context():
        row = db().scalars(select(CampaignRecipient).join(Tenant).where(
            Tenant.username == username, CampaignRecipient.campaign_id == campaign_id)).one()
        db().expunge(row)
        return row
