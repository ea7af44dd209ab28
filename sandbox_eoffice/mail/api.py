"""The mail operations of the REST API (/api/v1/mail), for notebooks: the learner's own
mailbox (folders, messages, reading, moving, reporting phishing), with the same service
functions, tenant rules and activity log as the pages. Campaigns are page-only (trainers).
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_smorest import Blueprint

from sandbox_eoffice.blueprints.api import (
    API_PREFIX,
    abort_json,
    api_actor,
    api_tenant,
    token_required,
)
from sandbox_eoffice.mail.lures import LINK_MARKER
from sandbox_eoffice.mail.mailbox import (
    MAIL_REFUSALS,
    MailRefused,
    attachment_warnings,
    folder_counts,
    get_message,
    list_messages,
    move_message,
    open_message,
    report_message,
)
from sandbox_eoffice.mail.models import MailFolder, MailMessage
from sandbox_eoffice.mail.schemas import (
    MailFolderCountSchema,
    MailMessageSchema,
    MailMoveSchema,
    MailQuerySchema,
    MailReportResultSchema,
    MailSummarySchema,
)
from sandbox_eoffice.models import utc_now
from sandbox_eoffice.request_db import db

bp = Blueprint("mail_api", __name__, url_prefix=API_PREFIX + "/mail",
               description="The learner's official mailbox: folders, messages, reporting "
                           "phishing.")


def _summary(message: MailMessage) -> dict[str, Any]:
    return {"id": message.id, "folder": message.folder, "sender_name": message.sender_name,
            "subject": message.subject, "received_at": message.received_at,
            "is_read": message.is_read, "attachment_count": len(message.attachments)}


def _full(message: MailMessage) -> dict[str, Any]:
    return {
        **_summary(message), "sender_address": message.sender_address,
        "reply_to": message.reply_to, "recipients": message.recipients,
        "body": message.body.replace(LINK_MARKER, message.link_text or ""),
        "link_text": message.link_text, "link_target": message.link_target,
        "reported": message.reported_at is not None,
        "attachments": [{"id": a.id, "filename": a.filename, "declared_type": a.declared_type,
                         "detected_kind": a.detected_kind, "size": a.size,
                         "warnings": attachment_warnings(a)} for a in message.attachments],
    }


def _message(message_id: int) -> MailMessage:
    message = get_message(db(), api_tenant(), message_id, utc_now())
    if message is None:
        abort(404, description="No such message in your mailbox.")
    return message


@bp.route("/folders")
@token_required
@bp.response(200, MailFolderCountSchema(many=True))
def folders() -> Any:
    """Every folder with its number of messages and of unread ones."""
    return folder_counts(db(), api_tenant(), utc_now())


@bp.route("/messages")
@token_required
@bp.arguments(MailQuerySchema, location="query")
@bp.response(200, MailSummarySchema(many=True))
def messages(query: dict[str, Any]) -> Any:
    """A folder's messages, newest first (the inbox by default)."""
    folder: MailFolder = query["folder"]
    return [_summary(m) for m in list_messages(db(), api_tenant(), folder, utc_now())]


@bp.route("/messages/<int:message_id>")
@token_required
@bp.response(200, MailMessageSchema)
def message(message_id: int) -> Any:
    """Read a message (it becomes read; a simulated phish counts as opened), with its
    details: the sender's real address, where the link really leads, the attachments' real
    types."""
    found = _message(message_id)
    open_message(db(), api_tenant(), found, actor=api_actor(), now=utc_now(), details=True)
    db().commit()
    return _full(found)


@bp.route("/messages/<int:message_id>/move", methods=["POST"])
@token_required
@bp.arguments(MailMoveSchema)
@bp.response(200, MailMessageSchema)
def move(body: dict[str, Any], message_id: int) -> Any:
    """Move a received message to the inbox, the archive or the trash."""
    found = _message(message_id)
    try:
        move_message(db(), api_tenant(), found, MailFolder(body["folder"]), actor=api_actor())
    except MailRefused as refusal:
        db().rollback()
        abort_json(409, MAIL_REFUSALS[refusal.reason], refusal.reason)
    db().commit()
    return _full(found)


@bp.route("/messages/<int:message_id>/report", methods=["POST"])
@token_required
@bp.response(200, MailReportResultSchema)
def report(message_id: int) -> Any:
    """"Report phishing": a simulated phish moves to the Reported folder and counts for its
    campaign; an ordinary message stays where it is (the report is recorded too)."""
    found = _message(message_id)
    try:
        is_phish = report_message(db(), api_tenant(), found, actor=api_actor(), now=utc_now())
    except MailRefused as refusal:
        db().rollback()
        abort_json(409, MAIL_REFUSALS[refusal.reason], refusal.reason)
    db().commit()
    return {"simulated_phish": is_phish, "message": _full(found)}
