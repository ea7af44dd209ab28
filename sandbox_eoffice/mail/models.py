"""Tables of the mail feature (SQLAlchemy 2.0, no web framework imports);
every row belongs to one Tenant, like the rest of the e-office.

- `MailMessage`: one message in a learner's mailbox (a folder of their own tenant);
- `MailAttachment`: a file of a message, with the type its name claims and the type its
  bytes really are;
- `PhishingCampaign`: a trainer's simulated phishing campaign (it belongs to the trainer's
  own tenant);
- `CampaignRecipient`: one learner targeted by a campaign (it belongs to the learner's tenant),
  with the first time each tracked event happened: metrics count recipients, not events.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sandbox_eoffice.models import Base, Tenant, UTCDateTime, utc_now


class MailFolder(StrEnum):
    """Where a message sits in the mailbox."""

    INBOX = "inbox"
    SENT = "sent"
    ARCHIVE = "archive"
    TRASH = "trash"
    REPORTED = "reported"  # reported as phishing


class LandingKind(StrEnum):
    """What a click on a simulated phish's link leads to."""

    LOGIN = "login"  # a lookalike login page of the official mail / portal
    CERTIFICATE_RENEWAL = "certificate_renewal"  # a lookalike "renew your certificate" form
    TEACHING_ONLY = "teaching_only"  # straight to the teaching page


class FileKind(StrEnum):
    """What a file's bytes really are (from its first bytes, never from its name)."""

    PDF = "pdf"
    OFFICE = "office"  # a ZIP container: .docx, .xlsx, .zip
    EXECUTABLE = "executable"  # a Windows program (MZ header)
    IMAGE = "image"
    TEXT = "text"
    UNKNOWN = "unknown"


def _values(enum_class: type[StrEnum]) -> list[str]:
    return [member.value for member in enum_class]


class PhishingCampaign(Base):
    """A trainer's phishing simulation against some learners of the class.

    It belongs to the trainer's own tenant (a reset of the trainer's sandbox removes it);
    its recipients and their messages belong to each learner's tenant.
    """

    __tablename__ = "phishing_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the trainer's own sandbox, where the campaign was made; a reset of that sandbox keeps
    # the campaign (the learners' results are theirs) and forgets only where it was made
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenant.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    lure: Mapped[str] = mapped_column(String(40))  # a key of sandbox_eoffice.mail.lures.LURES
    sender_profile: Mapped[str] = mapped_column(String(40))  # a key of SENDER_PROFILES
    landing: Mapped[LandingKind] = mapped_column(
        Enum(LandingKind, native_enum=False, length=30, values_callable=_values))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipients: Mapped[list[CampaignRecipient]] = relationship(
        back_populates="campaign", order_by="CampaignRecipient.id",
        cascade="save-update, merge, delete, delete-orphan", passive_deletes=True)


class CampaignRecipient(Base):
    """One learner targeted by a campaign; each timestamp is the event's FIRST occurrence."""

    __tablename__ = "campaign_recipient"
    __table_args__ = (UniqueConstraint("campaign_id", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"),
                                           index=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("phishing_campaign.id", ondelete="CASCADE"))
    # the secret of the tracked link /mail/l/<token>
    token: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())  # delivery = the scheduled time
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attachment_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[PhishingCampaign] = relationship(back_populates="recipients")
    tenant: Mapped[Tenant] = relationship()
    message: Mapped[MailMessage | None] = relationship(back_populates="campaign_recipient",
                                                       uselist=False)


class MailMessage(Base):
    """One message in a learner's mailbox. A simulated phish links to its campaign recipient."""

    __tablename__ = "mail_message"
    __table_args__ = (
        Index("ix_mail_message_tenant_folder", "tenant_id", "folder", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    folder: Mapped[MailFolder] = mapped_column(
        Enum(MailFolder, native_enum=False, length=20, values_callable=_values))
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_address: Mapped[str] = mapped_column(String(255))
    reply_to: Mapped[str | None] = mapped_column(String(255))
    recipients: Mapped[str] = mapped_column(String(1000))  # "Name <address>, ..."
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)  # plain text; LINK_MARKER where the link goes
    # a link in the body: the address its text shows, and the address it really leads to
    link_text: Mapped[str | None] = mapped_column(String(500))
    link_target: Mapped[str | None] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    campaign_recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign_recipient.id", ondelete="CASCADE"), index=True)

    # no "expunge"/"refresh-expire" cascade: a tenant reset expunges the rows it held one by one
    attachments: Mapped[list[MailAttachment]] = relationship(
        back_populates="message", order_by="MailAttachment.id",
        cascade="save-update, merge, delete, delete-orphan", passive_deletes=True)
    campaign_recipient: Mapped[CampaignRecipient | None] = relationship(
        back_populates="message")


class MailAttachment(Base):
    """A file attached to a message: the type its name and header claim, and what it is."""

    __tablename__ = "mail_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("mail_message.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(255))
    declared_type: Mapped[str] = mapped_column(String(100))  # the Content-Type the mail claims
    detected_kind: Mapped[FileKind] = mapped_column(
        Enum(FileKind, native_enum=False, length=20, values_callable=_values))
    size: Mapped[int] = mapped_column(Integer)  # 0 until a laid-out document is drawn
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # a seeded official document, drawn on its first opening rather than for every new
    # sandbox (drawing a PDF with its embedded font takes about 0.2 s): the
    # OfficialDocumentLayout's fields; content is empty until then
    layout: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)

    message: Mapped[MailMessage] = relationship(back_populates="attachments")
