"""The e-office's forms (Flask-WTF: every POST carries a CSRF token), labels via gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    PasswordField,
    SearchField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from sandbox_eoffice.incoming_documents import MAX_DEADLINE_WORKING_DAYS, MAX_NOTE_LENGTH

NOTE_TOO_LONG = _l("At most %(max)d characters.", max=MAX_NOTE_LENGTH)


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class _GroupCheckbox(CheckboxInput):
    """One box of a group: never `required` in HTML, where it would mean *this* box must be
    ticked and the browser would silently refuse to send the form. The group's own rule
    ("at least one") is checked on the server, which says so in words."""

    def __call__(self, field: Field, **kwargs: object) -> Markup:
        kwargs.setdefault("required", False)
        return super().__call__(field, **kwargs)


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = _GroupCheckbox()


class DocumentFilterForm(FlaskForm):
    """The filters above the incoming list (GET: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search number, symbol or summary"), [Optional(), Length(max=200)])
    status = SelectField(_l("Status"), [Optional()], choices=[])
    urgency = SelectField(_l("Urgency"), [Optional()], choices=[])
    agency = SelectField(_l("Issuing agency"), [Optional()], choices=[])
    received_from = DateField(_l("Received from"), [Optional()],
                              render_kw={"placeholder": "yyyy-mm-dd"})
    received_until = DateField(_l("Received until"), [Optional()],
                               render_kw={"placeholder": "yyyy-mm-dd"})
    overdue = BooleanField(_l("Overdue only"))


class ConfirmForm(FlaskForm):
    """A step with nothing to fill in (vào sổ, trình, duyệt, phát hành): the CSRF token only."""


class ApproveForm(FlaskForm):
    """Approve and sign: the token's PIN (when the approver has a certificate)."""

    pin = PasswordField(_l("Your token's PIN"), [Optional(), Length(max=16)])


class PinForm(FlaskForm):
    """Request or renew a certificate: the PIN that will protect the token."""

    pin = PasswordField(_l("New PIN (6 to 16 digits)"),
                        [DataRequired(_l("Choose a PIN.")), Length(max=16)])
    confirm = PasswordField(_l("The same PIN again"),
                            [EqualTo("pin", _l("The two PINs differ."))])


class ChangePinForm(PinForm):
    old_pin = PasswordField(_l("Current PIN"), [DataRequired(_l("Type your current PIN.")),
                                                Length(max=16)])


class UnlockForm(FlaskForm):
    """The registration officer unlocks a token with a new PIN for its holder."""

    pin = PasswordField(_l("New PIN for the holder"),
                        [DataRequired(_l("Choose a PIN.")), Length(max=16)])


class ClockForm(FlaskForm):
    days = IntegerField(_l("Days ahead"), [InputRequired(), NumberRange(min=0, max=3650)])


class VerifyForm(FlaskForm):
    file = FileField(_l("PDF to verify"), [FileRequired(_l("Choose a PDF file."))])


class AssignForm(FlaskForm):
    lead_unit = SelectField(_l("Lead unit"), coerce=_optional_int, choices=[])
    assignee = SelectField(_l("Lead person"), coerce=_optional_int, choices=[])
    coordinating_units = CheckboxListField(_l("Coordinating units"), coerce=int, choices=[])
    deadline_days = IntegerField(
        _l("Deadline, in working days"),
        [InputRequired(_l("Give the deadline as a number of working days.")),
         NumberRange(1, MAX_DEADLINE_WORKING_DAYS,
                     _l("Between 1 and %(max)d working days.", max=MAX_DEADLINE_WORKING_DAYS))],
        default=5,
    )
    instruction = TextAreaField(_l("Instruction (optional)"),
                                [Optional(), Length(max=MAX_NOTE_LENGTH, message=NOTE_TOO_LONG)])


class ForwardForm(FlaskForm):
    colleagues = CheckboxListField(
        _l("Forward to"), [DataRequired(_l("Choose at least one colleague."))], coerce=int,
        choices=[])
    note = TextAreaField(_l("Note (optional)"),
                         [Optional(), Length(max=MAX_NOTE_LENGTH, message=NOTE_TOO_LONG)])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), [DataRequired(_l("Write your comment first.")),
                                          Length(max=MAX_NOTE_LENGTH, message=NOTE_TOO_LONG)])


class CompleteForm(FlaskForm):
    result_note = TextAreaField(
        _l("Result of the handling"),
        [DataRequired(_l("Say briefly what was done.")),
         Length(max=MAX_NOTE_LENGTH, message=NOTE_TOO_LONG)])


class OutgoingForm(FlaskForm):
    """Drafting (or revising) an outgoing document."""

    document_type = SelectField(_l("Document type"), choices=[])
    drafting_unit = SelectField(_l("Drafting unit"), coerce=int, choices=[])
    signer = SelectField(_l("Signer (approves)"), coerce=int, choices=[])
    urgency = SelectField(_l("Urgency"), choices=[])
    confidentiality = SelectField(_l("Confidentiality"), choices=[])
    summary = TextAreaField(_l("Summary"), [DataRequired(_l("Write the summary.")),
                                            Length(max=500, message=_l("At most 500 characters."))])
    body = TextAreaField(_l("Content"), [DataRequired(_l("Write the content.")),
                                         Length(max=20_000,
                                                message=_l("At most 20,000 characters."))])
    recipients = TextAreaField(
        _l("Recipients (one per line)"),
        [Optional(), Length(max=4000, message=_l("At most 4,000 characters."))],
        default="Như trên;\nLưu: VT.")


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("Why it goes back"),
                            [DataRequired(_l("Say what must change.")),
                             Length(max=MAX_NOTE_LENGTH, message=NOTE_TOO_LONG)])


class SendForm(FlaskForm):
    recipients = CheckboxListField(_l("Send to"),
                                   [DataRequired(_l("Choose at least one agency."))], choices=[])


class AttachmentForm(FlaskForm):
    file = FileField(_l("A PDF file (at most 5 MB)"),
                     [FileRequired(_l("Choose a PDF file first."))],
                     render_kw={"accept": "application/pdf,.pdf"})
