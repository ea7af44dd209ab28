"""The mail API's request and response shapes (marshmallow). Names start with "Mail" so
that they never clash with the other schemas of the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from sandbox_eoffice.mail.mailbox import MOVABLE_TO
from sandbox_eoffice.mail.models import FileKind, MailFolder


class MailFolderCountSchema(Schema):
    folder = fields.Enum(MailFolder, by_value=True)
    total = fields.Int()
    unread = fields.Int()


class MailQuerySchema(Schema):
    folder = fields.Enum(MailFolder, by_value=True, load_default=MailFolder.INBOX)


class MailAttachmentSchema(Schema):
    id = fields.Int()
    filename = fields.Str()
    declared_type = fields.Str(metadata={"description": "The type the message claims"})
    detected_kind = fields.Enum(FileKind, by_value=True, metadata={
        "description": "What the file really is, from its content"})
    size = fields.Int()
    warnings = fields.List(fields.Str(), metadata={
        "description": "double_extension, type_mismatch, executable"})


class MailSummarySchema(Schema):
    id = fields.Int()
    folder = fields.Enum(MailFolder, by_value=True)
    sender_name = fields.Str()
    subject = fields.Str()
    received_at = fields.DateTime()
    is_read = fields.Bool()
    attachment_count = fields.Int()


class MailMessageSchema(MailSummarySchema):
    sender_address = fields.Str(metadata={"description": "The sender's real address"})
    reply_to = fields.Str(allow_none=True)
    recipients = fields.Str()
    body = fields.Str(metadata={"description": "Plain text; a link appears as the text it "
                                               "shows"})
    link_text = fields.Str(allow_none=True, metadata={
        "description": "The address the link's text shows"})
    link_target = fields.Str(allow_none=True, metadata={
        "description": "The address the link really leads to"})
    reported = fields.Bool()
    attachments = fields.List(fields.Nested(MailAttachmentSchema))


class MailMoveSchema(Schema):
    folder = fields.Str(required=True, validate=validate.OneOf([f.value for f in MOVABLE_TO]))


class MailReportResultSchema(Schema):
    simulated_phish = fields.Bool(metadata={
        "description": "True: a trainer's simulated phish, well spotted; false: the message "
                       "was legitimate (the report is recorded too)"})
    message = fields.Nested(MailMessageSchema)
