"""Public verification of completion certificates, like Moodle's: no login. Anyone holding a
certificate (the PDF) or its id, e.g. from the QR code printed on it, checks it here; the
answer comes from ``grading.certificates.verify_certificate``, the same function as
``academy certificate verify``."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale

from common.clock import to_vietnam
from dashboards.config import layout_of
from dashboards.forms import VerifyForm
from grading.certificates import VerificationResult, VerificationStatus, verify_certificate

bp = Blueprint("verification", __name__, url_prefix="/verify")


def vietnam_date(iso: str | None) -> str:
    """An ISO date or moment (the registry's, UTC) as the Vietnam calendar date, dd/mm/yyyy."""
    if not iso:
        return ""
    if len(iso) == 10:  # a date already (the completion date)
        return f"{date.fromisoformat(iso):%d/%m/%Y}"
    return f"{to_vietnam(datetime.fromisoformat(iso)):%d/%m/%Y}"


def _verify(source: bytes | str) -> VerificationResult:
    layout = layout_of(current_app)
    return verify_certificate(source, layout.certificates_dir, layout.pki_dir)


def _render(form: VerifyForm, result: VerificationResult | None, *, from_file: bool,
            status: int = 200) -> tuple[str, int]:
    return render_template("verify.html", form=form, result=result, from_file=from_file,
                           language=str(get_locale()), Status=VerificationStatus), status


@bp.get("/")
def verify_form() -> tuple[str, int]:
    return _render(VerifyForm(), None, from_file=False)


@bp.post("/")
def verify_submitted() -> tuple[str, int]:
    form = VerifyForm()
    if not form.validate_on_submit():
        return _render(form, None, from_file=False, status=400)
    upload = form.certificate_file.data
    result = _verify(upload.read() if upload else form.certificate_id.data.strip())
    # a certificate that does not verify is an answer, not an error of the request; input
    # that is no certificate at all (not a PDF, not an id) is the request's error
    status = 200 if result.status.usable_input else 400
    return _render(form, result, from_file=bool(upload), status=status)


@bp.get("/<certificate_id>")
def verify_id(certificate_id: str) -> tuple[str, int]:
    """The QR code's link: the certificate id in the URL."""
    result = _verify(certificate_id)
    form = VerifyForm(formdata=None, certificate_id=certificate_id)
    return _render(form, result, from_file=False,
                   status=200 if result.status.usable_input else 400)
