"""The verification form (Flask-WTF: CSRF token, sizes checked before anything is read)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import StringField
from wtforms.validators import Length, Optional

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024


class VerifyForm(FlaskForm):
    certificate_id = StringField(_l("Certificate id"), validators=[Optional(), Length(max=40)])
    certificate_file = FileField(_l("Certificate file (PDF)"), validators=[
        Optional(), FileSize(MAX_CERTIFICATE_BYTES,
                             message=_l("The file is larger than 5 MB: it is not a "
                                        "certificate of the academy."))])

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        if not super().validate(extra_validators):
            return False
        if not self.certificate_file.data and not (self.certificate_id.data or "").strip():
            self.certificate_id.errors = [
                str(_l("Type the certificate's id, or choose its PDF file."))]
            return False
        return True
