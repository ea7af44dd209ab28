"""Digital signature pages: my certificate and token, verifying a PDF, and the registration
officer's desk (trainers: approve requests, unlock tokens, the scenario clock)."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.roles import CERTIFICATE_OFFICER_SCOPE
from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import (
    CERTIFICATE,
    CERTIFICATE_ACTION_REFUSED,
    INCOMING_DOCUMENT,
    SIGNATURE_VERIFIED,
    record_activity,
)
from sandbox_eoffice.forms import (
    ChangePinForm,
    ClockForm,
    ConfirmForm,
    PinForm,
    UnlockForm,
    VerifyForm,
)
from sandbox_eoffice.incoming_documents import DocumentActionRefused, get_incoming_document
from sandbox_eoffice.labels import REFUSAL_MESSAGES
from sandbox_eoffice.models import IncomingDocument, SigningCertificate, Tenant
from sandbox_eoffice.request_db import db
from sandbox_eoffice.scenarios import ScenarioError, shift_clock
from sandbox_eoffice.signatures import (
    WrongPin,
    add_samples_to_inbox,
    approve_request,
    change_pin,
    current_personal,
    get_certificate,
    locked_tokens,
    pending_requests,
    personal_certificates,
    received_pdf,
    report_lost,
    request_certificate,
    signing_certificate,
    tenant_now,
    unlock_token,
    verify,
)
from sandbox_eoffice.signing_service import training_pki
from sandbox_eoffice.uploads import MAX_UPLOAD_BYTES
from sandbox_eoffice.web_ui import explain_refusal
from service_auth.hub_login import current_hub_user, has_scopes
from signing.verification import UnusablePdf

bp = Blueprint("signatures", __name__, url_prefix="/signatures")


def _is_officer() -> bool:
    return has_scopes(current_hub_user(), CERTIFICATE_OFFICER_SCOPE)


def _lang() -> str:
    return "en" if str(get_locale()) == "en" else "vi"


@bp.get("/")
@learner_required
def my_signature() -> str:
    session, tenant = db(), current_tenant()
    if add_samples_to_inbox(session, tenant):
        session.commit()
    exercises = session.scalars(
        select(IncomingDocument).where(IncomingDocument.tenant_id == tenant.id,
                                       IncomingDocument.signature_case.is_not(None))
        .order_by(IncomingDocument.id)).all()
    return render_template(
        "signatures/my_signature.html", current=signing_certificate(session, tenant),
        pending=_pending_renewal(session, tenant),
        history=personal_certificates(session, tenant), now=tenant_now(tenant),
        exercises=exercises, is_officer=_is_officer(), forms={
            "request": PinForm(prefix="request"), "renew": PinForm(prefix="renew"),
            "pin": ChangePinForm(prefix="pin"), "lost": ConfirmForm(prefix="lost"),
            "check": ConfirmForm(prefix="check"),
            "verify": VerifyForm()})


def _pending_renewal(session: Session, tenant: Tenant) -> SigningCertificate | None:
    latest = current_personal(session, tenant)
    if latest is not None and latest.status.value == "requested" and latest.replaces_id:
        return latest
    return None


def _certificate_step(form: PinForm | ConfirmForm,
                      perform: Callable[[], str]) -> Response:
    session = db()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "warning")
        return redirect(url_for(".my_signature"))
    try:
        message = perform()
        session.commit()
    except WrongPin as wrong:
        session.commit()  # the failed attempt is counted
        return explain_refusal(CERTIFICATE, 0, CERTIFICATE_ACTION_REFUSED, wrong.reason,
                               url_for(".my_signature"), step=request.endpoint,
                               attempts_left=wrong.attempts_left)
    except DocumentActionRefused as refusal:
        return explain_refusal(CERTIFICATE, 0, CERTIFICATE_ACTION_REFUSED, refusal.reason,
                               url_for(".my_signature"), step=request.endpoint)
    flash(message, "success")
    return redirect(url_for(".my_signature"))


@bp.post("/request")
@learner_required
def request_new() -> Response:
    form = PinForm(prefix="request")

    def perform() -> str:
        request_certificate(db(), training_pki(), current_tenant(), actor=current_username(),
                            pin=form.pin.data or "")
        return _("Request sent. Your trainer, as the registration officer, approves it.")

    return _certificate_step(form, perform)


@bp.post("/renew")
@learner_required
def renew() -> Response:
    form = PinForm(prefix="renew")

    def perform() -> str:
        request_certificate(db(), training_pki(), current_tenant(), actor=current_username(),
                            pin=form.pin.data or "", renew=True)
        return _("Renewal requested with your agency's current name. When it is approved, "
                 "the old certificate is revoked as superseded.")

    return _certificate_step(form, perform)


def _own_active() -> SigningCertificate:
    row = signing_certificate(db(), current_tenant())
    if row is None:
        raise DocumentActionRefused("no_certificate")
    return row


@bp.post("/pin")
@learner_required
def pin() -> Response:
    form = ChangePinForm(prefix="pin")

    def perform() -> str:
        change_pin(db(), training_pki(), current_tenant(), _own_active(),
                   actor=current_username(),
                   old_pin=form.old_pin.data or "", new_pin=form.pin.data or "")
        return _("PIN changed.")

    return _certificate_step(form, perform)


@bp.post("/lost")
@learner_required
def lost() -> Response:
    form = ConfirmForm(prefix="lost")

    def perform() -> str:
        report_lost(db(), current_tenant(), _own_active(), actor=current_username())
        return _("Your certificate is revoked (key compromise): no one can sign with the lost "
                 "token any more. Request a new certificate.")

    return _certificate_step(form, perform)


# --- verifying ------------------------------------------------------------------------------


@bp.post("/verify")
@learner_required
def verify_upload() -> tuple[str, int] | Response:
    form = VerifyForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "warning")
        return redirect(url_for(".my_signature"))
    upload = form.file.data
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    return _report(data, upload.filename or "document.pdf", None)


@bp.post("/verify/incoming/<int:document_id>")
@learner_required
def verify_incoming(document_id: int) -> tuple[str, int] | Response:
    """Verify a received document's PDF (a POST with the CSRF token: it is evidence for the
    practical task, which no other site's page may produce)."""
    if not ConfirmForm(prefix="check").validate_on_submit():
        abort(400, description=_("The form could not be sent; reload the page."))
    session, tenant = db(), current_tenant()
    document = get_incoming_document(session, tenant, document_id)
    if document is None or document.confidentiality.is_classified:
        abort(404, description=_("This document does not exist in your agency's e-office."))
    data = received_pdf(session, training_pki(), tenant, document)
    return _report(data, f"{document.number_symbol}.pdf", document)


def _report(data: bytes, filename: str,
            document: IncomingDocument | None) -> tuple[str, int] | Response:
    session, tenant = db(), current_tenant()
    if len(data) > MAX_UPLOAD_BYTES:
        flash(_("The file is larger than 5 MB. Nothing was stored."), "warning")
        return redirect(url_for(".my_signature"))
    try:
        report = verify(session, training_pki(), data, lang=_lang())
    except UnusablePdf as unusable:
        flash(_("This file cannot be verified: %(why)s", why=str(unusable)), "warning")
        return redirect(url_for(".my_signature"))
    record_activity(session, tenant, current_username(), SIGNATURE_VERIFIED,
                    object_type=INCOMING_DOCUMENT if document else None,
                    object_id=document.id if document else None,
                    details={"file": filename[:200],
                             "case": document.signature_case if document else None,
                             "indications": [s.indication for s in report.signatures]})
    session.commit()
    return render_template("signatures/report.html", report=report, filename=filename,
                           document=document), 200


# --- the registration officer (trainers) ----------------------------------------------------


def _officer_only() -> None:
    if not _is_officer():
        abort(403, description=_("Only the registration officer (a trainer) can do this."))


@bp.get("/registration")
@learner_required
def registration() -> str:
    _officer_only()
    session = db()
    tenants = session.scalars(select(Tenant).order_by(Tenant.username)).all()
    return render_template(
        "signatures/registration.html", requests=pending_requests(session),
        locked=locked_tokens(session), tenants=tenants,
        forms={"approve": ConfirmForm(prefix="approve"), "unlock": UnlockForm(prefix="unlock"),
               "clock": ClockForm(prefix="clock")})


def _officer_step(perform: Callable[[], str], form: ConfirmForm | UnlockForm | ClockForm
                  ) -> Response:
    session = db()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "warning")
        return redirect(url_for(".registration"))
    try:
        message = perform()
        session.commit()
    except DocumentActionRefused as refusal:
        session.rollback()
        flash(str(REFUSAL_MESSAGES[refusal.reason]), "warning")
        return redirect(url_for(".registration"))
    flash(message, "success")
    return redirect(url_for(".registration"))


def _any_certificate(certificate_id: int) -> SigningCertificate:
    row = get_certificate(db(), certificate_id)
    if row is None or row.tenant_id is None:
        abort(404, description=_("There is no such certificate."))
    return row


@bp.post("/registration/<int:certificate_id>/approve")
@learner_required
def approve(certificate_id: int) -> Response:
    _officer_only()
    row = _any_certificate(certificate_id)

    def perform() -> str:
        approve_request(db(), training_pki(), row, approver=current_username())
        return _("Certificate issued to %(name)s.", name=row.subject.get("full_name"))

    return _officer_step(perform, ConfirmForm(prefix="approve"))


@bp.post("/registration/<int:certificate_id>/unlock")
@learner_required
def unlock(certificate_id: int) -> Response:
    _officer_only()
    row = _any_certificate(certificate_id)
    form = UnlockForm(prefix="unlock")

    def perform() -> str:
        unlock_token(db(), training_pki(), row, officer=current_username(),
                     new_pin=form.pin.data or "")
        return _("Token unlocked with the new PIN: give it to %(name)s in person.",
                 name=row.subject.get("full_name"))

    return _officer_step(perform, form)


@bp.post("/registration/clock/<username>")
@learner_required
def clock(username: str) -> Response:
    _officer_only()
    tenant = db().scalars(select(Tenant).where(Tenant.username == username)).one_or_none()
    if tenant is None:
        abort(404, description=_("There is no such learner."))
    form = ClockForm(prefix="clock")

    def perform() -> str:
        try:
            shift_clock(db(), [username], days=int(form.days.data or 0),
                        actor=current_username())
        except ScenarioError:  # the form's range already holds: cannot happen
            abort(400)
        return _("%(name)s's scenario clock is now %(days)s days ahead.",
                 name=tenant.full_name, days=tenant.clock_offset_days)

    return _officer_step(perform, form)
