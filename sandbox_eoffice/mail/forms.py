"""The mail feature's forms (Flask-WTF: every POST carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from sandbox_eoffice.forms import CheckboxListField
from sandbox_eoffice.mail.mailbox import MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH


class ComposeForm(FlaskForm):
    """A new message to colleagues of the learner's agency, with an optional PDF."""

    to = CheckboxListField(_l("To"), coerce=int, choices=[])
    subject = StringField(_l("Subject"), [DataRequired(), Length(max=MAX_SUBJECT_LENGTH)])
    body = TextAreaField(_l("Message"), [DataRequired(), Length(max=MAX_BODY_LENGTH)])
    attachment = FileField(_l("Attach a PDF (optional)"))


class MoveForm(FlaskForm):
    folder = SelectField(_l("Move to"), choices=[])


class LoginLandingForm(FlaskForm):
    """The lookalike login page. Its values are never stored: only whether each was filled
    (so no length limit either: a long password typed is still a password typed)."""

    username = StringField(_l("Email address or user name"), [Optional()])
    password = PasswordField(_l("Password"), [Optional()])


class RenewalLandingForm(FlaskForm):
    """The lookalike certificate renewal form (same rule: nothing typed is stored)."""

    username = StringField(_l("Official email address"), [Optional()])
    password = PasswordField(_l("Email password"), [Optional()])
    pin = PasswordField(_l("USB token PIN"), [Optional()])


class CampaignForm(FlaskForm):
    name = StringField(_l("Campaign name"), [DataRequired(), Length(max=200)])
    lure = SelectField(_l("Template"), [DataRequired()], choices=[])
    sender_profile = SelectField(_l("Sender profile"), choices=[])
    landing = SelectField(_l("Landing page"), choices=[])
    scheduled_at = DateTimeLocalField(
        _l("Send at (Vietnam time; empty: now)"), [Optional()], format="%Y-%m-%dT%H:%M")
    course = SelectField(_l("A course's class (its learners on the hub)"), choices=[], default="")
    all_learners = BooleanField(_l("All learners"))
    recipients = CheckboxListField(_l("Learners"), choices=[])
