"""The one-stop desk's forms (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from sandbox_eoffice.forms import CheckboxListField
from sandbox_eoffice.one_stop.dossiers import MAX_ADDRESS, MAX_NAME, MAX_PHONE, MAX_TEXT

TEXT_TOO_LONG = _l("At most %(max)d characters.", max=MAX_TEXT)


class ReceiveForm(FlaskForm):
    """A dossier received at the counter: the applicant's data and the papers handed in."""

    procedure = SelectField(_l("Procedure"), choices=[])
    applicant_name = StringField(
        _l("Applicant's full name"),
        [DataRequired(_l("Write the applicant's full name.")), Length(max=MAX_NAME)])
    citizen_id = StringField(
        _l("Citizen ID (12 digits, on the CCCD card)"),
        [DataRequired(_l("Write the citizen ID.")), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    date_of_birth = DateField(
        _l("Date of birth"), [InputRequired(_l("Give the date of birth."))],
        render_kw={"placeholder": "yyyy-mm-dd"})
    address = StringField(_l("Permanent address"),
                          [DataRequired(_l("Write the address.")), Length(max=MAX_ADDRESS)])
    phone = StringField(_l("Phone (optional)"), [Optional(), Length(max=MAX_PHONE)])
    provided = CheckboxListField(_l("Documents handed in"), coerce=int, choices=[])


class ConfirmForm(FlaskForm):
    """A step with nothing to fill in: the CSRF token only."""


class AdditionalForm(FlaskForm):
    note = TextAreaField(_l("Note to the citizen (optional)"),
                         [Optional(), Length(max=MAX_TEXT, message=TEXT_TOO_LONG)])


class TransferForm(FlaskForm):
    unit = SelectField(_l("Specialist unit"), coerce=int, choices=[])


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the refusal"),
                           [DataRequired(_l("Write the reason for the refusal.")),
                            Length(max=MAX_TEXT, message=TEXT_TOO_LONG)])


class PaymentForm(FlaskForm):
    method = RadioField(_l("How the citizen pays"),
                        [InputRequired(_l("Choose how the citizen pays."))],
                        choices=[SelectChoice("online",
                                              _l("Online, through the payment platform")),
                                 SelectChoice("counter",
                                              _l("In cash at the counter, with a receipt"))],
                        default="online")


class DigitiseForm(FlaskForm):
    file = FileField(_l("The scanned result, a PDF (at most 5 MB)"),
                     [FileRequired(_l("Choose a PDF file first."))],
                     render_kw={"accept": "application/pdf,.pdf"})


class LookupForm(FlaskForm):
    citizen_id = StringField(_l("Citizen ID to look up"),
                             [DataRequired(_l("Write the citizen ID.")), Length(max=20)],
                             render_kw={"inputmode": "numeric", "autocomplete": "off"})
    purpose = SelectField(_l("Purpose of the lookup"), choices=[])
    note = TextAreaField(_l("Note (optional)"),
                         [Optional(), Length(max=MAX_TEXT, message=TEXT_TOO_LONG)])
