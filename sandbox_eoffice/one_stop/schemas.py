"""The one-stop API's request and response shapes (marshmallow). Names carry the feature's
words (Dossier, Population, OneStop) so that they never clash in the OpenAPI document."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from sandbox_eoffice.one_stop.dossiers import MAX_ADDRESS, MAX_NAME, MAX_PHONE, MAX_TEXT
from sandbox_eoffice.one_stop.models import Channel, DossierStatus, LookupPurpose
from sandbox_eoffice.one_stop.procedures import PROCEDURES, Field, OnlineLevel

TEXT = validate.Length(max=MAX_TEXT)


class OneStopProcedureSchema(Schema):
    code = fields.Str()
    name_vi = fields.Str()
    name_en = fields.Str()
    field = fields.Enum(Field, by_value=True)
    processing_days = fields.Int(metadata={"description": "Legal time, in working days"})
    fee = fields.Int(metadata={"description": "VND; 0 when free"})
    documents = fields.List(fields.Str())
    online_level = fields.Enum(OnlineLevel, by_value=True)
    result_vi = fields.Str()


class DossierDocumentSchema(Schema):
    position = fields.Int()
    name = fields.Str()
    provided = fields.Bool()


class DossierSchema(Schema):
    id = fields.Int()
    receipt_number = fields.Str()
    procedure_code = fields.Str()
    channel = fields.Enum(Channel, by_value=True)
    status = fields.Enum(DossierStatus, by_value=True)
    applicant_name = fields.Str()
    citizen_id = fields.Str()
    date_of_birth = fields.Date()
    address = fields.Str()
    phone = fields.Str()
    received_at = fields.DateTime()
    received_by = fields.Str()
    due_date = fields.Date(allow_none=True)
    completeness_checked_at = fields.DateTime(allow_none=True)
    additional_request = fields.Str(allow_none=True)
    unit_id = fields.Int(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    result_returned_at = fields.DateTime(allow_none=True)
    rejection_reason = fields.Str(allow_none=True)
    fee = fields.Int()
    paid_at = fields.DateTime(allow_none=True)
    paid_online = fields.Bool()
    payment_reference = fields.Str(allow_none=True)
    result_digitised = fields.Bool()
    result_filename = fields.Str(allow_none=True)
    satisfaction_rating = fields.Int(allow_none=True)
    documents = fields.List(fields.Nested(DossierDocumentSchema))


class DossierQuerySchema(Schema):
    status = fields.Enum(DossierStatus, by_value=True)


class DossierReceiveSchema(Schema):
    procedure_code = fields.Str(required=True, validate=validate.OneOf(
        [p.code for p in PROCEDURES]))
    applicant_name = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_NAME))
    citizen_id = fields.Str(required=True, validate=validate.Length(max=20), metadata={
        "description": "12 digits: province code, century and sex, year of birth, serial"})
    date_of_birth = fields.Date(required=True)
    address = fields.Str(required=True, validate=validate.Length(min=1, max=MAX_ADDRESS))
    phone = fields.Str(load_default="", validate=validate.Length(max=MAX_PHONE))
    provided = fields.List(fields.Int(validate=validate.Range(min=0)), load_default=list,
                           metadata={"description": "Positions (from 0) of the documents "
                                                    "of the procedure's list handed in"})


class DossierNoteSchema(Schema):
    note = fields.Str(load_default="", validate=TEXT)


class DossierTransferSchema(Schema):
    unit_id = fields.Int(required=True)


class DossierRejectSchema(Schema):
    reason = fields.Str(required=True, validate=TEXT)


class DossierPaymentSchema(Schema):
    online = fields.Bool(load_default=True, metadata={
        "description": "true: through the payment platform; false: cash at the counter"})


class PopulationLookupRequestSchema(Schema):
    citizen_id = fields.Str(required=True, validate=validate.Length(max=20))
    purpose = fields.Enum(LookupPurpose, by_value=True, load_default=None,
                          metadata={"description": "Required: a lookup without a purpose is "
                                                   "refused"})
    dossier_id = fields.Int(load_default=None)
    note = fields.Str(load_default="", validate=TEXT)


class PopulationRecordSchema(Schema):
    citizen_id = fields.Str()
    full_name = fields.Str()
    date_of_birth = fields.Date()
    sex = fields.Str(attribute="sex.value")
    hometown = fields.Str()
    permanent_address = fields.Str()


class PopulationLookupSchema(Schema):
    id = fields.Int()
    looked_up_at = fields.DateTime()
    citizen_id = fields.Str()
    purpose = fields.Enum(LookupPurpose, by_value=True)
    note = fields.Str()
    dossier_id = fields.Int(allow_none=True)
    found = fields.Bool()


class PopulationLookupResultSchema(Schema):
    lookup = fields.Nested(PopulationLookupSchema)
    record = fields.Nested(PopulationRecordSchema, allow_none=True)
    mismatches = fields.List(fields.Str())


class OneStopIndicatorQuerySchema(Schema):
    start = fields.Date(required=True)
    end = fields.Date(required=True)


class OneStopIndicatorsSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    received = fields.Int()
    received_online = fields.Int()
    with_fee = fields.Int()
    paid_online = fields.Int()
    resolved = fields.Int()
    resolved_on_time = fields.Int()
    resolved_late = fields.Int()
    overdue_in_progress = fields.Int()
    results_digitised = fields.Int()
    ratings = fields.Int()
    satisfied_ratings = fields.Int()
    rejected = fields.Int()
    online_percent = fields.Float(allow_none=True)
    paid_online_percent = fields.Float(allow_none=True)
    digitised_percent = fields.Float(allow_none=True)
    on_time_percent = fields.Float(allow_none=True)
    late_percent = fields.Float(allow_none=True)
    satisfaction_percent = fields.Float(allow_none=True)
