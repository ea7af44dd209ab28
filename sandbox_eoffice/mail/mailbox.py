"""The learner's mailbox: folders, messages, attachments with their real type, sending mail,
reporting phishing, and the tracked events of a simulated phish (first occurrence per
recipient). Service functions take a session; the caller commits.

A message whose `received_at` lies in the future (a campaign scheduled for later) is not
delivered yet: no folder lists it and no lookup finds it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.i18n import N_
from common.text import ascii_fold
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.incoming_documents import DocumentActionRefused
from sandbox_eoffice.mail.lures import LINK_MARKER
from sandbox_eoffice.mail.models import (
    CampaignRecipient,
    FileKind,
    MailAttachment,
    MailFolder,
    MailMessage,
)
from sandbox_eoffice.models import Colleague, Tenant
from sandbox_eoffice.official_pdf import OfficialDocumentLayout, render_official_document
from sandbox_eoffice.uploads import (
    EMPTY_FILE,
    MALFORMED_PDF,
    NOT_A_PDF,
    TOO_LARGE,
    check_pdf,
    clean_filename,
)

MAIL_MESSAGE = "mail_message"
MAIL_ATTACHMENT = "mail_attachment"

# action names of the activity log (the grading evidence)
MAIL_OPENED = "mail.opened"
MAIL_DETAILS_VIEWED = "mail.details_viewed"
MAIL_LINK_CLICKED = "mail.link_clicked"
MAIL_DATA_SUBMITTED = "mail.data_submitted"
MAIL_ATTACHMENT_OPENED = "mail.attachment_opened"
MAIL_REPORTED = "mail.reported"
MAIL_MOVED = "mail.moved"
MAIL_SENT = "mail.sent"
MAIL_SEND_REFUSED = "mail.send_refused"

# for the activity page (sandbox_eoffice.labels.describe_action knows the core actions only;
# campaign actions are in sandbox_eoffice.mail.campaigns)
MAIL_ACTION_LABELS: dict[str, str] = {
    MAIL_OPENED: N_("Opened a message in the official mail"),
    MAIL_DETAILS_VIEWED: N_("Looked at a message's details (real sender, real link)"),
    MAIL_LINK_CLICKED: N_("Clicked the link of a message"),
    MAIL_DATA_SUBMITTED: N_("Sent the form of a page reached from a message"),
    MAIL_ATTACHMENT_OPENED: N_("Opened a message's attachment"),
    MAIL_REPORTED: N_("Reported a message as phishing"),
    MAIL_MOVED: N_("Moved a message to another folder"),
    MAIL_SENT: N_("Sent a message"),
    MAIL_SEND_REFUSED: N_("A message could not be sent (refused attachment or no recipient)"),
}

# refusals (the upload checks' reasons come from sandbox_eoffice.uploads)
NO_RECIPIENT = "no_recipient"
SENT_MAIL_STAYS = "sent_mail_stays"
OWN_MESSAGE = "own_message"
MAIL_REFUSALS: dict[str, str] = {
    NO_RECIPIENT: N_("Choose at least one colleague to send the mail to. Nothing was sent."),
    SENT_MAIL_STAYS: N_("A message you sent stays in the Sent folder."),
    OWN_MESSAGE: N_("This is a message you sent yourself: there is nothing to report."),
    EMPTY_FILE: N_("The attached file is empty. Nothing was sent."),
    NOT_A_PDF: N_("Only PDF files can be attached to official mail here (a name ending in "
                  ".pdf and PDF content): this file is not a PDF. Nothing was sent."),
    MALFORMED_PDF: N_("The attached PDF is damaged, empty or password-protected. Nothing was "
                      "sent."),
    TOO_LARGE: N_("The attached file is larger than 5 MB. Nothing was sent."),
}


class MailRefused(Exception):
    """A mailbox step that is not allowed; `reason` is a key of MAIL_REFUSALS."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

MAX_BODY_LENGTH = 20_000
MAX_SUBJECT_LENGTH = 500

FOLDER_LABELS: dict[MailFolder, str] = {
    MailFolder.INBOX: N_("Inbox"),
    MailFolder.SENT: N_("Sent mail"),
    MailFolder.ARCHIVE: N_("Archive"),
    MailFolder.TRASH: N_("Trash"),
    MailFolder.REPORTED: N_("Reported as phishing"),
}
# where a learner may move a message by hand (reporting has its own action)
MOVABLE_TO: tuple[MailFolder, ...] = (MailFolder.INBOX, MailFolder.ARCHIVE, MailFolder.TRASH)

FILE_KIND_LABELS: dict[FileKind, str] = {
    FileKind.PDF: N_("PDF document"),
    FileKind.OFFICE: N_("Office document or ZIP archive"),
    FileKind.EXECUTABLE: N_("Windows program (executable)"),
    FileKind.IMAGE: N_("Image"),
    FileKind.TEXT: N_("Plain text"),
    FileKind.UNKNOWN: N_("Unknown binary data"),
}

# what a file name's last extension claims
_EXTENSION_KINDS: dict[str, FileKind] = {
    ".pdf": FileKind.PDF,
    ".docx": FileKind.OFFICE, ".xlsx": FileKind.OFFICE, ".pptx": FileKind.OFFICE,
    ".zip": FileKind.OFFICE,
    ".exe": FileKind.EXECUTABLE, ".scr": FileKind.EXECUTABLE, ".com": FileKind.EXECUTABLE,
    ".dll": FileKind.EXECUTABLE,
    ".png": FileKind.IMAGE, ".jpg": FileKind.IMAGE, ".jpeg": FileKind.IMAGE,
    ".txt": FileKind.TEXT, ".csv": FileKind.TEXT,
}
_DANGEROUS_EXTENSIONS = frozenset({".exe", ".scr", ".com", ".dll", ".bat", ".cmd", ".js",
                                   ".vbs", ".msi", ".ps1", ".jar", ".lnk", ".hta"})

# warnings about an attachment (codes; the texts are N_ msgids)
DOUBLE_EXTENSION = "double_extension"
TYPE_MISMATCH = "type_mismatch"
EXECUTABLE = "executable"
ATTACHMENT_WARNINGS: dict[str, str] = {
    DOUBLE_EXTENSION: N_("The name has two extensions: only the last one counts. This file "
                         "only pretends to be a document."),
    TYPE_MISMATCH: N_("The file's content does not match its name: the name claims one "
                      "type, the bytes are another."),
    EXECUTABLE: N_("This file is a program. Opening it would run it on your computer: never "
                   "open a program that arrives by mail."),
}


def detect_kind(data: bytes) -> FileKind:
    """What the bytes really are, from their first bytes (never from a name)."""
    if data.startswith(b"%PDF-"):
        return FileKind.PDF
    if data.startswith(b"PK\x03\x04"):
        return FileKind.OFFICE
    if data.startswith(b"MZ"):
        return FileKind.EXECUTABLE
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return FileKind.IMAGE
    try:
        text = data[:4096].decode("utf-8").removeprefix("\ufeff")  # a BOM is no content
    except UnicodeDecodeError:
        return FileKind.UNKNOWN
    if all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return FileKind.TEXT
    return FileKind.UNKNOWN


def claimed_kind(filename: str) -> FileKind | None:
    """What the name's last extension claims, None for an extension we do not know."""
    return _EXTENSION_KINDS.get(PurePosixPath(filename.lower()).suffix)


def attachment_warnings(attachment: MailAttachment) -> list[str]:
    """Why this attachment deserves suspicion (warning codes), empty for an honest file."""
    suffixes = [s for s in PurePosixPath(attachment.filename.lower()).suffixes if len(s) <= 5]
    warnings = []
    if len(suffixes) >= 2 and suffixes[-1] in _DANGEROUS_EXTENSIONS:
        warnings.append(DOUBLE_EXTENSION)
    claimed = claimed_kind(attachment.filename)
    declared = attachment.declared_type.split(";")[0].strip().lower()
    declared_pdf = declared == "application/pdf"
    if (claimed is not None and claimed is not attachment.detected_kind) or (
            declared_pdf and attachment.detected_kind is not FileKind.PDF):
        warnings.append(TYPE_MISMATCH)
    if attachment.detected_kind is FileKind.EXECUTABLE or (
            suffixes and suffixes[-1] in _DANGEROUS_EXTENSIONS):
        warnings.append(EXECUTABLE)
    return warnings


def declared_type_for(filename: str) -> str:
    """The Content-Type a sender's mail program would declare for this name."""
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def own_address(tenant: Tenant) -> str:
    """The learner's official mail address in the sandbox."""
    domain = ascii_fold(tenant.agency.symbol if tenant.agency else "coquan").lower()
    local = "".join(ch for ch in ascii_fold(tenant.username).lower()
                    if ch.isalnum() or ch in "._-") or "canbo"
    return f"{local}@{domain}.sandbox.gov.vn"


def _delivered(tenant: Tenant, now: datetime) -> list[object]:
    return [MailMessage.tenant_id == tenant.id, MailMessage.received_at <= now]


def list_messages(session: Session, tenant: Tenant, folder: MailFolder, now: datetime,
                  ) -> Sequence[MailMessage]:
    """A folder's delivered messages, newest first."""
    return session.scalars(
        select(MailMessage).where(*_delivered(tenant, now), MailMessage.folder == folder)
        .order_by(MailMessage.received_at.desc(), MailMessage.id.desc())).all()


@dataclass(frozen=True)
class FolderCount:
    folder: MailFolder
    total: int
    unread: int


def folder_counts(session: Session, tenant: Tenant, now: datetime) -> list[FolderCount]:
    """Every folder with its number of messages and of unread ones."""
    rows = session.execute(
        select(MailMessage.folder, func.count(),
               func.count().filter(MailMessage.is_read.is_(False)))
        .where(*_delivered(tenant, now)).group_by(MailMessage.folder)).all()
    counts = {folder: (total, unread) for folder, total, unread in rows}
    return [FolderCount(folder, *counts.get(folder, (0, 0))) for folder in MailFolder]


def get_message(session: Session, tenant: Tenant, message_id: int, now: datetime,
                ) -> MailMessage | None:
    """The tenant's delivered message, None for anyone else's or one not delivered yet."""
    return session.scalars(select(MailMessage).where(
        MailMessage.id == message_id, *_delivered(tenant, now))).one_or_none()


def get_attachment(session: Session, tenant: Tenant, message: MailMessage,
                   attachment_id: int) -> MailAttachment | None:
    return session.scalars(select(MailAttachment).where(
        MailAttachment.id == attachment_id, MailAttachment.message_id == message.id,
        MailAttachment.tenant_id == tenant.id)).one_or_none()


def recipient_by_token(session: Session, tenant: Tenant, token: str, now: datetime,
                       ) -> CampaignRecipient | None:
    """The tracked link's recipient: the tenant's own, delivered and not cancelled."""
    recipient = session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.token == token, CampaignRecipient.tenant_id == tenant.id,
    )).one_or_none()
    if (recipient is None or recipient.sent_at > now
            or recipient.campaign.cancelled_at is not None or recipient.message is None):
        return None
    return recipient


def _log(session: Session, tenant: Tenant, actor: str, action: str, message: MailMessage,
         **details: object) -> None:
    recipient = message.campaign_recipient
    record_activity(session, tenant, actor, action, object_type=MAIL_MESSAGE,
                    object_id=message.id, details={
                        "subject": message.subject[:200],
                        "campaign_id": recipient.campaign_id if recipient else None,
                        **details})


def open_message(session: Session, tenant: Tenant, message: MailMessage, *, actor: str,
                 now: datetime, details: bool = False) -> None:
    """The learner reads a message (with its details view when `details`)."""
    message.is_read = True
    recipient = message.campaign_recipient
    if recipient is not None and recipient.opened_at is None:
        recipient.opened_at = now
    _log(session, tenant, actor, MAIL_DETAILS_VIEWED if details else MAIL_OPENED, message)


def click_link(session: Session, tenant: Tenant, recipient: CampaignRecipient, *, actor: str,
               now: datetime) -> None:
    """The learner followed a simulated phish's link (opened it too, necessarily)."""
    recipient.opened_at = recipient.opened_at or now
    recipient.clicked_at = recipient.clicked_at or now
    assert recipient.message is not None
    recipient.message.is_read = True
    _log(session, tenant, actor, MAIL_LINK_CLICKED, recipient.message)


def submit_landing(session: Session, tenant: Tenant, recipient: CampaignRecipient, *,
                   actor: str, now: datetime, filled: dict[str, bool]) -> bool:
    """The learner sent the landing page's form. Only WHICH fields were non-empty is kept
    (booleans), never what was typed. True when something was typed (data submitted)."""
    filled = {name: bool(value) for name, value in filled.items()}
    typed = any(filled.values())
    recipient.clicked_at = recipient.clicked_at or now
    recipient.opened_at = recipient.opened_at or now
    if typed:
        recipient.submitted_at = recipient.submitted_at or now
    assert recipient.message is not None
    _log(session, tenant, actor, MAIL_DATA_SUBMITTED, recipient.message, fields_filled=filled,
         typed=typed)
    return typed


def open_attachment(session: Session, tenant: Tenant, attachment: MailAttachment, *,
                    actor: str, now: datetime) -> None:
    message = attachment.message
    recipient = message.campaign_recipient
    if recipient is not None:
        recipient.opened_at = recipient.opened_at or now
        recipient.attachment_opened_at = recipient.attachment_opened_at or now
    message.is_read = True
    _log(session, tenant, actor, MAIL_ATTACHMENT_OPENED, message, filename=attachment.filename,
         kind=attachment.detected_kind.value)


def report_message(session: Session, tenant: Tenant, message: MailMessage, *, actor: str,
                   now: datetime) -> bool:
    """"Report phishing". A simulated phish is moved to the Reported folder and counts for
    its campaign; an ordinary message stays where it is (the report is recorded too).
    True when the message was a simulated phish."""
    if message.folder is MailFolder.SENT:
        raise MailRefused(OWN_MESSAGE)
    recipient = message.campaign_recipient
    is_phish = recipient is not None
    message.reported_at = message.reported_at or now
    message.is_read = True
    if recipient is not None:
        recipient.opened_at = recipient.opened_at or now
        recipient.reported_at = recipient.reported_at or now
        message.folder = MailFolder.REPORTED
    _log(session, tenant, actor, MAIL_REPORTED, message, simulated_phish=is_phish,
         sender_address=message.sender_address)
    return is_phish


def move_message(session: Session, tenant: Tenant, message: MailMessage, folder: MailFolder, *,
                 actor: str) -> None:
    if folder not in MOVABLE_TO:
        raise ValueError(f"cannot move a message to {folder}")
    if message.folder is MailFolder.SENT:
        raise MailRefused(SENT_MAIL_STAYS)
    before = message.folder
    message.folder = folder
    _log(session, tenant, actor, MAIL_MOVED, message, source=before.value, target=folder.value)


def send_mail(session: Session, tenant: Tenant, *, actor: str, to: Sequence[Colleague],
              subject: str, body: str, now: datetime,
              attachment: tuple[str, bytes] | None = None) -> MailMessage:
    """A message the learner writes to colleagues; kept in Sent. An attachment must be a real
    PDF (the e-office's upload checks): anything else is refused and nothing is stored."""
    if not to or any(colleague.tenant_id != tenant.id for colleague in to):
        raise MailRefused(NO_RECIPIENT)
    pdf: tuple[str, bytes] | None = None
    if attachment is not None:
        filename, data = attachment
        try:
            check_pdf(filename, data)
        except DocumentActionRefused as refusal:
            raise MailRefused(refusal.reason) from refusal
        pdf = (clean_filename(filename), data)
    message = MailMessage(
        tenant_id=tenant.id, folder=MailFolder.SENT, sender_name=tenant.full_name,
        sender_address=own_address(tenant),
        recipients=", ".join(f"{c.full_name} <{c.email}>" for c in to),
        subject=subject.strip()[:MAX_SUBJECT_LENGTH], body=body[:MAX_BODY_LENGTH],
        received_at=now, is_read=True)
    if pdf is not None:
        message.attachments.append(MailAttachment(
            tenant_id=tenant.id, filename=pdf[0], declared_type="application/pdf",
            detected_kind=FileKind.PDF, size=len(pdf[1]), content=pdf[1]))
    session.add(message)
    session.flush()
    _log(session, tenant, actor, MAIL_SENT, message, to=[c.email for c in to],
         attachment=pdf[0] if pdf else None)
    return message


def laid_out_attachment(tenant: Tenant, filename: str,
                        layout: OfficialDocumentLayout) -> MailAttachment:
    """An official document attached to a seeded message, drawn on its first opening."""
    fields = asdict(layout)
    fields["issued_on"] = layout.issued_on.isoformat() if layout.issued_on else None
    return MailAttachment(tenant_id=tenant.id, filename=filename,
                          declared_type="application/pdf", detected_kind=FileKind.PDF,
                          size=0, content=b"", layout=fields)


def attachment_content(attachment: MailAttachment) -> bytes:
    """The attachment's bytes; a laid-out document is drawn now, once, and kept (the
    caller commits)."""
    if not attachment.content and attachment.layout:
        fields = dict(attachment.layout)
        issued_on = fields.pop("issued_on")
        fields["recipients"] = tuple(fields.get("recipients") or ())
        layout = OfficialDocumentLayout(
            **fields, issued_on=date.fromisoformat(issued_on) if issued_on else None)
        attachment.content = render_official_document(layout)
        attachment.size = len(attachment.content)
        attachment.layout = None
    return attachment.content


def new_attachment(tenant: Tenant, filename: str, data: bytes,
                   declared_type: str | None = None) -> MailAttachment:
    """An attachment of a received message, its real type detected from its bytes."""
    return MailAttachment(tenant_id=tenant.id, filename=filename,
                          declared_type=declared_type or declared_type_for(filename),
                          detected_kind=detect_kind(data), size=len(data), content=data)


def body_parts(message: MailMessage) -> list[tuple[str, str]]:
    """The body as ("text", ...) and ("link", displayed address) parts, for the page."""
    parts: list[tuple[str, str]] = []
    for index, chunk in enumerate(message.body.split(LINK_MARKER)):
        if index:
            parts.append(("link", message.link_text or ""))
        if chunk:
            parts.append(("text", chunk))
    return parts


def host_of(url: str | None) -> str:
    """The host name of an address ("https://ca-gov.vn/x" -> "ca-gov.vn")."""
    return (urlsplit(url or "").hostname or "").lower()


def link_mismatch(message: MailMessage) -> bool:
    """The link's text shows one host and it really leads to another."""
    return bool(message.link_target) and host_of(message.link_text) != host_of(
        message.link_target)
