"""Outgoing documents (văn bản đi): draft, submit, approve or return, issue, send, the PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import (
    OUTGOING_ACTION_REFUSED,
    OUTGOING_DOCUMENT,
    OUTGOING_LIST_VIEWED,
    OUTGOING_VIEWED,
    document_history,
    record_activity,
)
from sandbox_eoffice.attachments import outgoing_pdf
from sandbox_eoffice.forms import (
    ApproveForm,
    AttachmentForm,
    ConfirmForm,
    OutgoingForm,
    ReturnForm,
    SendForm,
)
from sandbox_eoffice.incoming_documents import DocumentActionRefused, list_units
from sandbox_eoffice.labels import CONFIDENTIALITY_LABELS, REFUSAL_MESSAGES, URGENCY_LABELS
from sandbox_eoffice.models import OutgoingAttachment, OutgoingDocument
from sandbox_eoffice.outgoing_documents import (
    axis_directory,
    get_outgoing,
    list_outgoing,
    return_for_revision,
    save_draft,
    send,
    signers,
    submit_for_approval,
)
from sandbox_eoffice.request_db import db
from sandbox_eoffice.signatures import (
    WrongPin,
    approve_and_sign,
    current_personal,
    issue_and_sign,
)
from sandbox_eoffice.signing_service import training_pki
from sandbox_eoffice.uploads import attach_pdf
from sandbox_eoffice.vocabulary import DOCUMENT_TYPES, Confidentiality, Urgency
from sandbox_eoffice.web_ui import explain_refusal, pdf_response

bp = Blueprint("outgoing", __name__, url_prefix="/documents/outgoing")


def _document_or_404(document_id: int, *, for_update: bool = False) -> OutgoingDocument:
    document = get_outgoing(db(), current_tenant(), document_id, for_update=for_update)
    if document is None:
        abort(404, description=_("This document does not exist in your agency's e-office."))
    return document


def _outgoing_form(document: OutgoingDocument | None = None) -> OutgoingForm:
    session, tenant = db(), current_tenant()
    form = OutgoingForm()
    form.document_type.choices = [(t, t) for t in DOCUMENT_TYPES]
    form.drafting_unit.choices = [(u.id, u.name) for u in list_units(session, tenant)]
    form.signer.choices = [(c.id, f"{c.full_name} — {c.job_title}")
                           for c in signers(session, tenant)]
    form.urgency.choices = [(u.value, str(URGENCY_LABELS[u])) for u in Urgency]
    form.confidentiality.choices = [(c.value, str(CONFIDENTIALITY_LABELS[c]))
                                    for c in Confidentiality]
    if document is not None and request.method == "GET":
        form.document_type.data = document.document_type
        form.drafting_unit.data = document.drafting_unit_id
        form.signer.data = document.signer_id
        form.urgency.data = document.urgency.value
        form.confidentiality.data = document.confidentiality.value
        form.summary.data = document.summary
        form.body.data = document.body
        form.recipients.data = "\n".join(document.recipients)
    return form


@bp.get("")
@learner_required
def outgoing_list() -> str:
    session, tenant = db(), current_tenant()
    documents = list_outgoing(session, tenant)
    record_activity(session, tenant, current_username(), OUTGOING_LIST_VIEWED,
                    details={"shown": len(documents)})
    session.commit()
    return render_template("documents/outgoing_list.html", documents=documents)


def _save(document: OutgoingDocument | None) -> Response | tuple[str, int]:
    session, tenant = db(), current_tenant()
    form = _outgoing_form(document)
    if not form.validate_on_submit():
        return render_template("documents/outgoing_form.html", form=form,
                               document=document), 400
    try:
        saved = save_draft(
            session, tenant, actor=current_username(), drafted_by=tenant.full_name,
            document_type=form.document_type.data, summary=form.summary.data,
            body=form.body.data, recipients=(form.recipients.data or "").splitlines(),
            drafting_unit_id=form.drafting_unit.data, signer_id=form.signer.data,
            urgency=Urgency(form.urgency.data),
            confidentiality=Confidentiality(form.confidentiality.data), document=document)
        session.commit()
    except DocumentActionRefused as refusal:
        session.rollback()
        form.form_errors.append(str(REFUSAL_MESSAGES[refusal.reason]))
        return render_template("documents/outgoing_form.html", form=form,
                               document=document), 400
    flash(_("Draft saved. Check the PDF, then submit it for approval."), "success")
    return redirect(url_for(".outgoing_detail", document_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
@learner_required
def outgoing_new() -> Response | tuple[str, int] | str:
    if request.method == "POST":
        return _save(None)
    return render_template("documents/outgoing_form.html", form=_outgoing_form(), document=None)


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@learner_required
def outgoing_edit(document_id: int) -> Response | tuple[str, int] | str:
    document = _document_or_404(document_id, for_update=request.method == "POST")
    if request.method == "POST":
        return _save(document)
    return render_template("documents/outgoing_form.html", form=_outgoing_form(document),
                           document=document)


def _render_detail(document: OutgoingDocument, forms: dict[str, FlaskForm] | None = None,
                   status: int = 200) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    if forms is None:
        forms = _step_forms()
    page = render_template(
        "documents/outgoing_detail.html", document=document, forms=forms,
        has_certificate=current_personal(session, tenant) is not None,
        history=document_history(session, tenant, document.id, OUTGOING_DOCUMENT))
    return page, status


def _step_forms() -> dict[str, FlaskForm]:
    sendable = SendForm()
    sendable.recipients.choices = [(name, name) for name in axis_directory(db(), current_tenant())]
    return {"step": ConfirmForm(), "approve": ApproveForm(), "return": ReturnForm(),
            "send": sendable, "attach": AttachmentForm()}


@bp.get("/<int:document_id>")
@learner_required
def outgoing_detail(document_id: int) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    document = _document_or_404(document_id)
    record_activity(session, tenant, current_username(), OUTGOING_VIEWED,
                    object_type=OUTGOING_DOCUMENT, object_id=document.id,
                    details={"status": document.status.value})
    session.commit()
    return _render_detail(document)


@bp.get("/<int:document_id>/document.pdf")
@learner_required
def outgoing_file(document_id: int) -> Response:
    document = _document_or_404(document_id)
    name = f"{document.number_symbol or 'du-thao'}.pdf"
    return pdf_response(outgoing_pdf(document, current_tenant()), name)


def _step(document_id: int, form_name: str,
          perform: Callable[[OutgoingDocument, Any], str]) -> Response | tuple[str, int]:
    session = db()
    document = _document_or_404(document_id, for_update=True)
    forms = _step_forms()
    if not forms[form_name].validate_on_submit():
        return _render_detail(document, forms, status=400)
    try:
        message = perform(document, forms[form_name])
        session.commit()
    except WrongPin as wrong:
        session.commit()  # the failed attempt counts (nothing else was changed before it)
        return explain_refusal(OUTGOING_DOCUMENT, document.id, OUTGOING_ACTION_REFUSED,
                               wrong.reason, url_for(".outgoing_detail",
                                                     document_id=document.id),
                               step=request.endpoint, attempts_left=wrong.attempts_left)
    except DocumentActionRefused as refusal:
        return explain_refusal(OUTGOING_DOCUMENT, document.id, OUTGOING_ACTION_REFUSED,
                               refusal.reason, url_for(".outgoing_detail",
                                                       document_id=document.id),
                               step=request.endpoint)
    flash(message, "success")
    return redirect(url_for(".outgoing_detail", document_id=document.id))


@bp.post("/<int:document_id>/submit")
@learner_required
def outgoing_submit(document_id: int) -> Response | tuple[str, int]:
    def perform(document: OutgoingDocument, _form: FlaskForm) -> str:
        submit_for_approval(db(), current_tenant(), document, actor=current_username())
        return _("Submitted for approval.")

    return _step(document_id, "step", perform)


@bp.post("/<int:document_id>/approve")
@learner_required
def outgoing_approve(document_id: int) -> Response | tuple[str, int]:
    """Approve, and sign with the approver's token when they have a certificate (a revoked,
    expired or locked one refuses, with what to do; a wrong PIN is counted)."""
    session, tenant = db(), current_tenant()

    def perform(document: OutgoingDocument, form: ApproveForm) -> str:
        signed = approve_and_sign(session, training_pki(), tenant, document,
                                  pin=form.pin.data, actor=current_username())
        if not signed:
            return _("Approved without a digital signature (you have no certificate yet). "
                     "The clerk can now issue it.")
        return _("Approved and signed with your digital signature. The clerk can now issue "
                 "it.")

    return _step(document_id, "approve", perform)


@bp.post("/<int:document_id>/return")
@learner_required
def outgoing_return(document_id: int) -> Response | tuple[str, int]:
    def perform(document: OutgoingDocument, form: ReturnForm) -> str:
        return_for_revision(db(), current_tenant(), document, actor=current_username(),
                            comment=form.comment.data)
        return _("Returned to the drafter with your comment.")

    return _step(document_id, "return", perform)


@bp.post("/<int:document_id>/issue")
@learner_required
def outgoing_issue(document_id: int) -> Response | tuple[str, int]:
    def perform(document: OutgoingDocument, _form: FlaskForm) -> str:
        issue_and_sign(db(), training_pki(), current_tenant(), document,
                       actor=current_username())
        return _("Issued as number %(number_symbol)s, with the agency's digital signature.",
                 number_symbol=document.number_symbol)

    return _step(document_id, "step", perform)


@bp.post("/<int:document_id>/send")
@learner_required
def outgoing_send(document_id: int) -> Response | tuple[str, int]:
    def perform(document: OutgoingDocument, form: SendForm) -> str:
        deliveries = send(db(), current_tenant(), document, actor=current_username(),
                          recipients=form.recipients.data or [])
        return _("Sent over the interconnection axis to %(count)s agencies.",
                 count=len(deliveries))

    return _step(document_id, "send", perform)


@bp.post("/<int:document_id>/attachments")
@learner_required
def outgoing_attach(document_id: int) -> Response | tuple[str, int]:
    def perform(document: OutgoingDocument, form: AttachmentForm) -> str:
        upload = form.file.data
        attachment = attach_pdf(db(), current_tenant(), document, actor=current_username(),
                                filename=upload.filename or "", data=upload.read())
        return _("Attached %(filename)s (%(pages)s pages).", filename=attachment.filename,
                 pages=attachment.pages)

    return _step(document_id, "attach", perform)


@bp.get("/<int:document_id>/attachments/<int:attachment_id>")
@learner_required
def outgoing_attachment(document_id: int, attachment_id: int) -> Response:
    document = _document_or_404(document_id)
    attachment = db().get(OutgoingAttachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404, description=_("This file is not attached to this document."))
    return pdf_response(attachment.content, attachment.filename)
