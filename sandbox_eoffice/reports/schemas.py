"""The reports API's request and response shapes (marshmallow, for flask-smorest)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from sandbox_eoffice.reports import messages
from sandbox_eoffice.reports.catalogue import IndicatorSource, IndicatorUnit
from sandbox_eoffice.reports.models import ReportStatus
from sandbox_eoffice.reports.periods import ReportKind
from sandbox_eoffice.reports.service import MAX_NOTE


def figure_text(figure: Decimal | None) -> str | None:
    """A figure as a string of digits with a point, no trailing zeros ("16", "77.5")."""
    if figure is None:
        return None
    text = format(figure, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _figure(attribute: str, description: str) -> fields.Function:
    return fields.Function(lambda row: figure_text(getattr(row, attribute)),
                           metadata={"type": ["string", "null"], "description": description})


class ReportIndicatorSchema(Schema):
    number = fields.Int()
    code = fields.Str()
    name_vi = fields.Str()
    name_en = fields.Str()
    definition_vi = fields.Str()
    definition_en = fields.Str()
    unit = fields.Enum(IndicatorUnit, by_value=True)
    decimals = fields.Int(attribute="unit.decimals")
    minimum = fields.Decimal(as_string=True)
    maximum = fields.Decimal(as_string=True)
    source = fields.Enum(IndicatorSource, by_value=True)


class ReportValueSchema(Schema):
    indicator = fields.Str()
    source = fields.Enum(IndicatorSource, by_value=True)
    value = _figure("value", "The figure in the report (digits, a point before decimals)")
    system_value = _figure("system_value", "What the agency's data gave at the last fill, "
                                           "then at submission")
    out_of_range = fields.Bool()
    differs = fields.Bool()
    note = fields.Str()


class ReportSummarySchema(Schema):
    id = fields.Int()
    kind = fields.Enum(ReportKind, by_value=True)
    label = fields.Function(lambda report: messages.period_label(report), metadata={
        "description": "The period's name, in the request's language"})
    period_start = fields.Date()
    period_end = fields.Date()
    due_date = fields.Date()
    status = fields.Enum(ReportStatus, by_value=True)
    submitted_at = fields.DateTime(allow_none=True)
    submitted_by = fields.Str(allow_none=True)
    late = fields.Bool()


class ReportSchema(ReportSummarySchema):
    filled_at = fields.DateTime(allow_none=True)
    values = fields.List(fields.Nested(ReportValueSchema))


class ReportEntrySchema(Schema):
    indicator = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "A number, or a string of digits with a comma or a point before the "
                       "decimals; null for no figure"})
    note = fields.Str(load_default="", validate=validate.Length(max=MAX_NOTE))


class ReportValuesSchema(Schema):
    values = fields.List(fields.Nested(ReportEntrySchema), required=True,
                         validate=validate.Length(max=20))


class ReportProblemSchema(Schema):
    kind = fields.Str()
    indicator = fields.Str()
    typed = fields.Str()
    value = fields.Str(allow_none=True)
    system_value = fields.Str(allow_none=True)
    blocking = fields.Bool()
    message = fields.Str()


class ReportCheckSchema(Schema):
    valid = fields.Bool(metadata={"description": "No blocking problem: it can be submitted"})
    problems = fields.List(fields.Nested(ReportProblemSchema))
