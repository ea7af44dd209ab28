"""The REST API's request and response shapes (marshmallow), from which flask-smorest
validates requests and writes the OpenAPI document."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from sandbox_eoffice.incoming_documents import MAX_DEADLINE_WORKING_DAYS, MAX_NOTE_LENGTH
from sandbox_eoffice.outgoing_documents import MAX_BODY, MAX_RECIPIENT_LINES, MAX_SUMMARY
from sandbox_eoffice.vocabulary import (
    DOCUMENT_TYPES,
    Confidentiality,
    DeliveryStatus,
    DocumentStatus,
    OutgoingStatus,
    Position,
    Urgency,
)

NOTE = validate.Length(max=MAX_NOTE_LENGTH)


def _values(enum: type) -> list[str]:
    return [member.value for member in enum]


class UnitSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    symbol = fields.Str()


class ColleagueSchema(Schema):
    id = fields.Int()
    full_name = fields.Str()
    position = fields.Enum(Position, by_value=True)
    job_title = fields.Str()
    unit_id = fields.Int(allow_none=True)
    email = fields.Str()


class IncomingQuerySchema(Schema):
    status = fields.Str(validate=validate.OneOf(_values(DocumentStatus)))
    urgency = fields.Str(validate=validate.OneOf(_values(Urgency)))
    agency = fields.Str(validate=validate.Length(max=255))
    received_from = fields.Date()
    received_until = fields.Date()
    q = fields.Str(validate=validate.Length(max=200), metadata={
        "description": "Words of the number, symbol or summary, with or without diacritics"})
    overdue = fields.Bool(load_default=False)
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class IncomingDocumentSchema(Schema):
    id = fields.Int()
    number_symbol = fields.Str()
    summary = fields.Str()
    issuing_agency = fields.Str()
    document_type = fields.Str()
    urgency = fields.Enum(Urgency, by_value=True)
    confidentiality = fields.Enum(Confidentiality, by_value=True)
    status = fields.Enum(DocumentStatus, by_value=True)
    issued_date = fields.Date()
    received_date = fields.Date()
    signer_name = fields.Str(allow_none=True)
    signer_title = fields.Str(allow_none=True)
    register_year = fields.Int(allow_none=True)
    register_number = fields.Int(allow_none=True)
    lead_unit_id = fields.Int(allow_none=True)
    assignee_id = fields.Int(allow_none=True)
    coordinating_unit_ids = fields.Method("_coordinating", dump_only=True)
    deadline = fields.Date(allow_none=True)
    instruction = fields.Str(allow_none=True)
    result_note = fields.Str(allow_none=True)

    def _coordinating(self, document: object) -> list[int]:
        return [unit.id for unit in getattr(document, "coordinating_units", [])]


class IncomingPageSchema(Schema):
    items = fields.List(fields.Nested(IncomingDocumentSchema))
    total = fields.Int()
    page = fields.Int()
    page_size = fields.Int()


class HistoryEntrySchema(Schema):
    at = fields.DateTime(attribute="created_at")
    actor = fields.Str()
    action = fields.Str()
    details = fields.Dict()


class AssignSchema(Schema):
    lead_unit_id = fields.Int(allow_none=True, load_default=None)
    assignee_id = fields.Int(allow_none=True, load_default=None)
    coordinating_unit_ids = fields.List(fields.Int(), load_default=list)
    deadline_working_days = fields.Int(
        required=True, validate=validate.Range(min=1, max=MAX_DEADLINE_WORKING_DAYS))
    instruction = fields.Str(load_default="", validate=NOTE)


class ForwardSchema(Schema):
    colleague_ids = fields.List(fields.Int(), required=True,
                                validate=validate.Length(min=1, max=100))
    note = fields.Str(load_default="", validate=NOTE)


class CommentSchema(Schema):
    body = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_NOTE_LENGTH))


class CommentOutSchema(Schema):
    id = fields.Int()
    author = fields.Str()
    body = fields.Str()
    created_at = fields.DateTime()


class CompleteSchema(Schema):
    result_note = fields.Str(required=True,
                             validate=validate.Length(min=1, max=MAX_NOTE_LENGTH))


class DraftSchema(Schema):
    document_type = fields.Str(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    summary = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_SUMMARY))
    body = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_BODY))
    recipients = fields.List(fields.Str(validate=validate.Length(max=255)), load_default=list,
                             validate=validate.Length(max=MAX_RECIPIENT_LINES))
    drafting_unit_id = fields.Int(required=True)
    signer_id = fields.Int(required=True)
    urgency = fields.Enum(Urgency, by_value=True, load_default=Urgency.NORMAL)
    confidentiality = fields.Enum(Confidentiality, by_value=True,
                                  load_default=Confidentiality.NORMAL)


class DeliverySchema(Schema):
    recipient = fields.Str()
    status = fields.Enum(DeliveryStatus, by_value=True)
    sent_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)


class OutgoingDocumentSchema(Schema):
    id = fields.Int()
    document_type = fields.Str()
    summary = fields.Str()
    body = fields.Str()
    recipients = fields.List(fields.Str())
    urgency = fields.Enum(Urgency, by_value=True)
    confidentiality = fields.Enum(Confidentiality, by_value=True)
    status = fields.Enum(OutgoingStatus, by_value=True)
    drafting_unit_id = fields.Int(allow_none=True)
    signer_id = fields.Int(allow_none=True)
    drafted_by = fields.Str()
    return_comment = fields.Str(allow_none=True)
    number_symbol = fields.Str(allow_none=True)
    issue_year = fields.Int(allow_none=True)
    issue_number = fields.Int(allow_none=True)
    issued_at = fields.DateTime(allow_none=True)
    deliveries = fields.List(fields.Nested(DeliverySchema))
    attachments = fields.List(fields.Nested(lambda: AttachmentSchema()))


class ReturnSchema(Schema):
    comment = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_NOTE_LENGTH))


class SendSchema(Schema):
    recipients = fields.List(fields.Str(), required=True,
                             validate=validate.Length(min=1, max=100))


class AgencySchema(Schema):
    name = fields.Str()


class AttachmentSchema(Schema):
    id = fields.Int()
    filename = fields.Str()
    size = fields.Int()
    pages = fields.Int()
    uploaded_at = fields.DateTime()


class FileUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "A PDF of at most 5 MB"})


class ApproveSchema(Schema):
    pin = fields.Str(load_default=None, validate=validate.Length(max=16), metadata={
        "description": "The approver's token PIN: required when they have a certificate."})


class PinSchema(Schema):
    pin = fields.Str(required=True, validate=validate.Length(min=1, max=16))


class ChangePinSchema(Schema):
    old_pin = fields.Str(required=True, validate=validate.Length(min=1, max=16))
    new_pin = fields.Str(required=True, validate=validate.Length(min=1, max=16))


class CertificateSchema(Schema):
    id = fields.Int()
    kind = fields.Str(attribute="kind.value")
    status = fields.Str(attribute="status.value")
    subject = fields.Dict()
    serial_number = fields.Str(allow_none=True)
    not_before = fields.DateTime(allow_none=True)
    not_after = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    revocation_reason = fields.Function(
        lambda row: row.revocation_reason.value if row.revocation_reason else None)
    failed_pin_attempts = fields.Int()
    locked = fields.Function(lambda row: row.locked_at is not None)
    requested_at = fields.DateTime()
    replaces_id = fields.Int(allow_none=True)


class SignatureReportSchema(Schema):
    field_name = fields.Str()
    signer = fields.Str(allow_none=True)
    signer_subject = fields.Dict()
    signer_certificate_serial = fields.Str(allow_none=True)
    signing_time = fields.Str(allow_none=True)
    signing_time_source = fields.Str()
    intact = fields.Bool()
    valid = fields.Bool()
    trusted = fields.Bool()
    chain = fields.List(fields.Str())
    root = fields.Str(allow_none=True)
    revoked = fields.Bool()
    revocation_time = fields.Str(allow_none=True)
    revocation_reason = fields.Str(allow_none=True)
    modified_after_signing = fields.Bool()
    modification = fields.Str()
    coverage = fields.Str(allow_none=True)
    indication = fields.Str()
    sub_indication = fields.Str(allow_none=True)
    explanation = fields.Str()
    explanation_vi = fields.Str()
    explanation_en = fields.Str()
    passed = fields.Bool()


class VerificationSchema(Schema):
    signatures = fields.List(fields.Nested(SignatureReportSchema))
    signature_count = fields.Int()
    all_passed = fields.Bool()


class VerifyQuerySchema(Schema):
    lang = fields.Str(load_default="vi", validate=validate.OneOf(["vi", "en"]))
