"""Incoming documents (văn bản đến): list and find, open, register, assign, forward, comment,
complete, and the attached PDF."""

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
from sqlalchemy.exc import IntegrityError

from common.clock import VIETNAM_TZ
from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import (
    ATTACHMENT_OPENED,
    DOCUMENT_ACTION_REFUSED,
    DOCUMENT_LIST_VIEWED,
    DOCUMENT_NOT_FOUND,
    DOCUMENT_REGISTER_REFUSED,
    DOCUMENT_VIEWED,
    INCOMING_DOCUMENT,
    document_history,
    record_activity,
)
from sandbox_eoffice.forms import (
    AssignForm,
    CommentForm,
    CompleteForm,
    ConfirmForm,
    DocumentFilterForm,
    ForwardForm,
)
from sandbox_eoffice.incoming_documents import (
    AlreadyRegistered,
    DocumentActionRefused,
    DocumentFilter,
    assign_incoming_document,
    comment_on_incoming_document,
    complete_incoming_document,
    find_incoming_documents,
    forward_incoming_document,
    get_incoming_document,
    is_overdue,
    issuing_agencies,
    list_colleagues,
    list_units,
    next_register_number,
    register_incoming_document,
    vietnam_today,
)
from sandbox_eoffice.labels import STATUS_LABELS, URGENCY_LABELS
from sandbox_eoffice.models import IncomingDocument, utc_now
from sandbox_eoffice.request_db import db
from sandbox_eoffice.signatures import add_samples_to_inbox, received_pdf
from sandbox_eoffice.signing_service import training_pki
from sandbox_eoffice.vocabulary import DocumentStatus, Urgency
from sandbox_eoffice.web_ui import explain_refusal, pdf_response

bp = Blueprint("documents", __name__, url_prefix="/documents")


def _document_or_404(document_id: int, *, for_update: bool = False) -> IncomingDocument:
    session, tenant = db(), current_tenant()
    document = get_incoming_document(session, tenant, document_id, for_update=for_update)
    if document is None:
        record_activity(
            session,
            tenant,
            current_username(),
            DOCUMENT_NOT_FOUND,
            object_type=INCOMING_DOCUMENT,
            object_id=document_id,
            details={"method": request.method},
        )
        session.commit()
        abort(404, description=_("This document does not exist in your agency's e-office."))
    return document


def _filter_form() -> tuple[DocumentFilterForm, DocumentFilter]:
    session, tenant = db(), current_tenant()
    form = DocumentFilterForm(request.args)
    form.status.choices = [("", _("All"))] + [(s.value, str(STATUS_LABELS[s]))
                                             for s in DocumentStatus]
    form.urgency.choices = [("", _("All"))] + [(u.value, str(URGENCY_LABELS[u])) for u in Urgency]
    form.agency.choices = [("", _("All"))] + [(a, a) for a in issuing_agencies(session, tenant)]
    if not form.validate():
        return form, DocumentFilter()
    return form, DocumentFilter(
        status=DocumentStatus(form.status.data) if form.status.data else None,
        urgency=Urgency(form.urgency.data) if form.urgency.data else None,
        issuing_agency=form.agency.data or None,
        received_from=form.received_from.data,
        received_until=form.received_until.data,
        query=form.q.data or "",
        overdue_only=bool(form.overdue.data),
    )


@bp.get("/incoming")
@learner_required
def incoming_list() -> str:
    session, tenant = db(), current_tenant()
    add_samples_to_inbox(session, tenant)  # the signature exercises, once (older sandboxes)
    form, criteria = _filter_form()
    page_number = request.args.get("page", 1, type=int) or 1
    page = find_incoming_documents(session, tenant, criteria, page=page_number)
    record_activity(
        session,
        tenant,
        current_username(),
        DOCUMENT_LIST_VIEWED,
        details={
            "status_filter": criteria.status.value if criteria.status else None,
            "query": criteria.query,
            "page": page.page,
            "shown": len(page.documents),
            "total": page.total,
        },
    )
    session.commit()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("documents/incoming_list.html", form=form, page=page,
                           args=args, today=vietnam_today(), is_overdue=is_overdue)


def _action_forms(document: IncomingDocument) -> dict[str, FlaskForm]:
    session, tenant = db(), current_tenant()
    units, colleagues = list_units(session, tenant), list_colleagues(session, tenant)
    people = [(c.id, f"{c.full_name} — {c.job_title}"
                     f"{', ' + c.unit.name if c.unit else ''}") for c in colleagues]
    assign = AssignForm()
    assign.lead_unit.choices = [(None, _("— none —"))] + [(u.id, u.name) for u in units]
    assign.assignee.choices = [(None, _("— none —"))] + people
    assign.coordinating_units.choices = [(u.id, u.name) for u in units]
    forward = ForwardForm()
    forward.colleagues.choices = people
    return {"register": ConfirmForm(), "assign": assign, "forward": forward,
            "comment": CommentForm(), "complete": CompleteForm()}


def _render_detail(document: IncomingDocument, forms: dict[str, FlaskForm] | None = None,
                   status: int = 200) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    forms = forms or _action_forms(document)
    year = utc_now().astimezone(VIETNAM_TZ).year
    page = render_template(
        "documents/incoming_detail.html",
        document=document,
        forms=forms,
        history=document_history(session, tenant, document.id),
        overdue=is_overdue(document, vietnam_today()),
        register_year=year,
        next_number=next_register_number(session, tenant, year),
    )
    return page, status


@bp.get("/incoming/<int:document_id>")
@learner_required
def incoming_detail(document_id: int) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    document = _document_or_404(document_id)
    record_activity(
        session,
        tenant,
        current_username(),
        DOCUMENT_VIEWED,
        object_type=INCOMING_DOCUMENT,
        object_id=document.id,
        details={"number_symbol": document.number_symbol, "status": document.status.value},
    )
    session.commit()
    return _render_detail(document)


@bp.get("/incoming/<int:document_id>/attachment.pdf")
@learner_required
def incoming_attachment(document_id: int) -> Response:
    """The document itself, as the sender's PDF: opens in the browser (inline)."""
    session, tenant = db(), current_tenant()
    document = _document_or_404(document_id)
    if document.confidentiality.is_classified:
        abort(403, description=_(
            "A classified document (mật) never travels through the e-office: it arrived on "
            "paper and has no electronic file."))
    data = received_pdf(session, training_pki(), tenant, document)
    record_activity(session, tenant, current_username(), ATTACHMENT_OPENED,
                    object_type=INCOMING_DOCUMENT, object_id=document.id,
                    details={"number_symbol": document.number_symbol})
    session.commit()  # with the exercises, if this request made them
    return pdf_response(data, f"{document.number_symbol}.pdf")


def _detail_url(document: IncomingDocument) -> str:
    return url_for(".incoming_detail", document_id=document.id)


def _act(
    document_id: int, name: str, perform: Callable[[IncomingDocument, Any], str]
) -> Response | tuple[str, int]:
    """Validate the step's form, perform it, commit, and say what happened; an invalid form
    is shown again with its errors and everything typed kept."""
    session = db()
    document = _document_or_404(document_id, for_update=True)
    forms = _action_forms(document)
    form = forms[name]
    if not form.validate_on_submit():
        return _render_detail(document, forms, status=400)
    try:
        message = perform(document, form)
        session.commit()
    except DocumentActionRefused as refusal:
        return explain_refusal(INCOMING_DOCUMENT, document.id, DOCUMENT_ACTION_REFUSED,
                               refusal.reason, _detail_url(document), step=name,
                               number_symbol=document.number_symbol)
    flash(message, "success")
    return redirect(_detail_url(document))


@bp.post("/incoming/<int:document_id>/register")
@learner_required
def incoming_register(document_id: int) -> Response | tuple[str, int]:
    session, tenant = db(), current_tenant()
    username = current_username()
    document = _document_or_404(document_id, for_update=True)
    if not ConfirmForm().validate_on_submit():
        return _render_detail(document, status=400)
    try:
        register_incoming_document(
            session, tenant, document, actor=username, registered_by=tenant.full_name
        )
        session.commit()
    except AlreadyRegistered:
        session.rollback()
        record_activity(
            session,
            tenant,
            username,
            DOCUMENT_REGISTER_REFUSED,
            object_type=INCOMING_DOCUMENT,
            object_id=document.id,
            details={"register_number": document.register_number},
        )
        session.commit()
        flash(_("Not registered: this document is already in the register book as number "
                "%(number)s/%(year)s. A document is registered only once.",
                number=document.register_number, year=document.register_year), "warning")
        return redirect(_detail_url(document))
    except IntegrityError:
        # someone registered another document at the same moment and took the number
        session.rollback()
        flash(_("The register book was busy. Please press Register again."), "warning")
        return redirect(_detail_url(document))
    flash(_("Registered: %(number_symbol)s is number %(number)s in the %(year)s incoming "
            "register book.", number_symbol=document.number_symbol,
            number=document.register_number, year=document.register_year), "success")
    return redirect(_detail_url(document))


@bp.post("/incoming/<int:document_id>/assign")
@learner_required
def incoming_assign(document_id: int) -> Response | tuple[str, int]:
    def perform(document: IncomingDocument, form: AssignForm) -> str:
        assign_incoming_document(
            db(), current_tenant(), document, actor=current_username(),
            lead_unit_id=form.lead_unit.data, assignee_id=form.assignee.data,
            coordinating_unit_ids=form.coordinating_units.data or [],
            deadline_working_days=form.deadline_days.data or 0,
            instruction=form.instruction.data or "")
        assert document.deadline is not None
        return _("Assigned for handling. Deadline: %(deadline)s (%(days)s working days).",
                 deadline=document.deadline.strftime("%d/%m/%Y"), days=form.deadline_days.data)

    return _act(document_id, "assign", perform)


@bp.post("/incoming/<int:document_id>/forward")
@learner_required
def incoming_forward(document_id: int) -> Response | tuple[str, int]:
    def perform(document: IncomingDocument, form: ForwardForm) -> str:
        forwards = forward_incoming_document(
            db(), current_tenant(), document, actor=current_username(),
            forwarded_by=current_tenant().full_name, colleague_ids=form.colleagues.data or [],
            note=form.note.data or "")
        return _("Forwarded to %(names)s.",
                 names=", ".join(f.colleague.full_name for f in forwards))

    return _act(document_id, "forward", perform)


@bp.post("/incoming/<int:document_id>/comment")
@learner_required
def incoming_comment(document_id: int) -> Response | tuple[str, int]:
    def perform(document: IncomingDocument, form: CommentForm) -> str:
        comment_on_incoming_document(db(), current_tenant(), document, actor=current_username(),
                                     author=current_tenant().full_name, body=form.body.data)
        return _("Your comment is in the document's history.")

    return _act(document_id, "comment", perform)


@bp.post("/incoming/<int:document_id>/complete")
@learner_required
def incoming_complete(document_id: int) -> Response | tuple[str, int]:
    def perform(document: IncomingDocument, form: CompleteForm) -> str:
        complete_incoming_document(db(), current_tenant(), document, actor=current_username(),
                                   result_note=form.result_note.data)
        return _("Marked as done. The handling of %(number_symbol)s is closed.",
                 number_symbol=document.number_symbol)

    return _act(document_id, "complete", perform)
