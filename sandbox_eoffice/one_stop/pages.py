"""The one-stop pages (HTML, session login, CSRF): the desk with its indicators, receiving a
counter dossier, a dossier's steps and history, the population lookup and the learner's own
lookup log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.incoming_documents import DocumentActionRefused
from sandbox_eoffice.one_stop import dossiers as service
from sandbox_eoffice.one_stop.dossiers import DOSSIER, Applicant, LookupResult
from sandbox_eoffice.one_stop.forms import (
    AdditionalForm,
    ConfirmForm,
    DigitiseForm,
    LookupForm,
    PaymentForm,
    ReceiveForm,
    RejectForm,
    TransferForm,
)
from sandbox_eoffice.one_stop.indicators import desk_indicators
from sandbox_eoffice.one_stop.labels import (
    CHANNEL_LABELS,
    DOSSIER_STATUS_BADGES,
    DOSSIER_STATUS_LABELS,
    MISMATCH_LABELS,
    PURPOSE_LABELS,
    describe_one_stop_action,
    field_name,
    online_level_name,
    procedure_name,
    refusal_message,
)
from sandbox_eoffice.one_stop.models import Channel, Dossier, DossierStatus, LookupPurpose
from sandbox_eoffice.one_stop.procedures import PROCEDURES, procedure_for
from sandbox_eoffice.one_stop.result_paper import result_pdf
from sandbox_eoffice.request_db import db
from sandbox_eoffice.web_ui import pdf_response

bp = Blueprint("one_stop", __name__, url_prefix="/one-stop")

INDICATOR_PERIOD_DAYS = 90


@bp.context_processor
def _one_stop_helpers() -> dict[str, Any]:
    return {"DOSSIER_STATUS_LABELS": DOSSIER_STATUS_LABELS,
            "DOSSIER_STATUS_BADGES": DOSSIER_STATUS_BADGES, "CHANNEL_LABELS": CHANNEL_LABELS,
            "PURPOSE_LABELS": PURPOSE_LABELS, "MISMATCH_LABELS": MISMATCH_LABELS,
            "procedure_for": procedure_for, "procedure_name": procedure_name,
            "field_name": field_name, "online_level_name": online_level_name,
            "describe_one_stop_action": describe_one_stop_action}


def _dossier_or_404(dossier_id: int, *, for_update: bool = False) -> Dossier:
    dossier = service.get_dossier(db(), current_tenant(), dossier_id, for_update=for_update)
    if dossier is None:
        abort(404, description=_("This dossier does not exist at your agency's desk."))
    return dossier


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return default


@bp.get("/")
@learner_required
def desk() -> str:
    session, tenant = db(), current_tenant()
    today = service.vietnam_today()
    end = _date_arg("end", today)
    start = _date_arg("start", end - timedelta(days=INDICATOR_PERIOD_DAYS - 1))
    if start > end:
        start, end = end, start
    status_code = request.args.get("status", "")
    status = DossierStatus(status_code) if status_code in set(DossierStatus) else None
    dossiers = service.list_dossiers(session, tenant, status)
    overdue_only = request.args.get("overdue") == "1"
    if overdue_only:
        dossiers = [d for d in dossiers if service.is_overdue(d, today)]
    indicators = desk_indicators(session, tenant, start, end, today=today)
    queue = service.counter_queue(session, tenant)
    record_activity(session, tenant, current_username(), service.DESK_VIEWED,
                    details={"shown": len(dossiers)})
    session.commit()
    return render_template("one_stop/desk.html", dossiers=dossiers, indicators=indicators,
                           start=start, end=end, today=today, status=status,
                           overdue_only=overdue_only, queue=queue,
                           is_overdue=service.is_overdue, statuses=list(DossierStatus))


def _receive_form() -> ReceiveForm:
    form = ReceiveForm()
    form.procedure.choices = [(p.code, f"{p.code} · {procedure_name(p)}") for p in PROCEDURES]
    chosen = procedure_for(form.procedure.data or request.args.get("procedure", ""))
    form.provided.choices = list(enumerate(chosen.documents)) if chosen else []
    return form


@bp.route("/dossiers/new", methods=["GET", "POST"])
@learner_required
def receive() -> Response | str | tuple[str, int]:
    session, tenant = db(), current_tenant()
    if request.method == "GET":
        visitor = next((v for v in service.counter_queue(session, tenant)
                        if v.record.citizen_id == request.args.get("visitor")), None)
        code = visitor.procedure.code if visitor else request.args.get("procedure", "")
        if procedure_for(code) is None:
            return render_template("one_stop/receive.html", form=None, procedure=None,
                                   procedures=PROCEDURES, visitor=None)
        form = ReceiveForm(formdata=None)
        form.procedure.choices = [(p.code, procedure_name(p)) for p in PROCEDURES]
        form.procedure.data = code
        procedure = procedure_for(code)
        assert procedure is not None
        form.provided.choices = list(enumerate(procedure.documents))
        if visitor is not None:
            form.applicant_name.data = visitor.declared_name
            form.citizen_id.data = visitor.record.citizen_id
            form.date_of_birth.data = visitor.declared_date_of_birth
            form.address.data = visitor.declared_address
            form.phone.data = visitor.phone
            form.provided.data = list(visitor.brought)
        return render_template("one_stop/receive.html", form=form, procedure=procedure,
                               procedures=PROCEDURES, visitor=visitor)
    form = _receive_form()
    procedure = procedure_for(form.procedure.data or "")
    if procedure is None or not form.validate_on_submit():
        return render_template("one_stop/receive.html", form=form, procedure=procedure,
                               procedures=PROCEDURES, visitor=None), 400
    try:
        dossier = service.receive_dossier(
            session, tenant, actor=current_username(), received_by=tenant.full_name,
            procedure_code=procedure.code, provided=form.provided.data or [],
            applicant=Applicant(form.applicant_name.data or "", form.citizen_id.data or "",
                                form.date_of_birth.data, form.address.data or "",
                                form.phone.data or ""),
            channel=Channel.COUNTER)
        session.commit()
    except DocumentActionRefused as refusal:
        session.rollback()
        form.form_errors.append(refusal_message(refusal.reason))
        return render_template("one_stop/receive.html", form=form, procedure=procedure,
                               procedures=PROCEDURES, visitor=None), 400
    except IntegrityError:  # another receipt took the same number a moment ago
        session.rollback()
        form.form_errors.append(_("The desk was busy: send the form again."))
        return render_template("one_stop/receive.html", form=form, procedure=procedure,
                               procedures=PROCEDURES, visitor=None), 409
    flash(_("Dossier %(number)s received. Due date: %(due)s. Now check its completeness.",
            number=dossier.receipt_number,
            due=dossier.due_date.strftime("%d/%m/%Y") if dossier.due_date else "—"),
          "success")
    return redirect(url_for(".dossier_detail", dossier_id=dossier.id))


def _step_forms() -> dict[str, FlaskForm]:
    transfer = TransferForm()
    transfer.unit.choices = [(u.id, u.name) for u in
                             service.specialist_units(db(), current_tenant())]
    lookup = LookupForm()
    lookup.purpose.choices = [("", _("— choose the purpose —"))] + [
        (p.value, str(PURPOSE_LABELS[p])) for p in LookupPurpose]
    return {"step": ConfirmForm(), "additional": AdditionalForm(), "transfer": transfer,
            "reject": RejectForm(), "payment": PaymentForm(), "digitise": DigitiseForm(),
            "lookup": lookup}


def _render_detail(dossier: Dossier, forms: dict[str, FlaskForm] | None = None,
                   lookup: LookupResult | None = None, status: int = 200) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    if forms is None:
        forms = _step_forms()
        forms["lookup"].citizen_id.data = dossier.citizen_id  # type: ignore[attr-defined]
    page = render_template(
        "one_stop/dossier.html", dossier=dossier, procedure=service.procedure_of(dossier),
        forms=forms, lookup=lookup, today=service.vietnam_today(),
        overdue=service.is_overdue(dossier, service.vietnam_today()),
        on_time=service.returned_on_time(dossier),
        history=service.dossier_history(session, tenant, dossier))
    return page, status


@bp.get("/dossiers/<int:dossier_id>")
@learner_required
def dossier_detail(dossier_id: int) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    dossier = _dossier_or_404(dossier_id)
    record_activity(session, tenant, current_username(), service.DOSSIER_VIEWED,
                    object_type=DOSSIER, object_id=dossier.id,
                    details={"status": dossier.status.value})
    session.commit()
    return _render_detail(dossier)


def _refused(dossier_id: int, action: str, reason: str) -> Response:
    """Nothing of the step is kept; the refusal itself is logged; the learner is told why."""
    session, tenant = db(), current_tenant()
    session.rollback()
    record_activity(session, tenant, current_username(), action, object_type=DOSSIER,
                    object_id=dossier_id, details={"reason": reason, "step": request.endpoint})
    session.commit()
    flash(refusal_message(reason), "warning")
    return redirect(url_for(".dossier_detail", dossier_id=dossier_id))


def _step(dossier_id: int, form_name: str,
          perform: Callable[[Dossier, Any], str]) -> Response | tuple[str, int]:
    session = db()
    dossier = _dossier_or_404(dossier_id, for_update=True)
    forms = _step_forms()
    if not forms[form_name].validate_on_submit():
        return _render_detail(dossier, forms, status=400)
    try:
        message = perform(dossier, forms[form_name])
        session.commit()
    except DocumentActionRefused as refusal:
        return _refused(dossier.id, service.DOSSIER_ACTION_REFUSED, refusal.reason)
    flash(message, "success")
    return redirect(url_for(".dossier_detail", dossier_id=dossier.id))


@bp.post("/dossiers/<int:dossier_id>/check")
@learner_required
def dossier_check(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, _form: FlaskForm) -> str:
        missing = service.check_completeness(db(), current_tenant(), dossier,
                                             actor=current_username())
        if missing:
            return _("Checked: %(count)s documents are missing. Request them from the "
                     "citizen.", count=len(missing))
        return _("Checked: the dossier is complete. Transfer it to the specialist unit.")

    return _step(dossier_id, "step", perform)


@bp.post("/dossiers/<int:dossier_id>/request-additional")
@learner_required
def dossier_request_additional(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, form: AdditionalForm) -> str:
        service.request_additional_documents(db(), current_tenant(), dossier,
                                             actor=current_username(),
                                             note=form.note.data or "")
        return _("The citizen was asked for the missing documents. The legal time stops "
                 "until they arrive.")

    return _step(dossier_id, "additional", perform)


@bp.post("/dossiers/<int:dossier_id>/supplement")
@learner_required
def dossier_supplement(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, _form: FlaskForm) -> str:
        service.record_supplement(db(), current_tenant(), dossier, actor=current_username())
        return _("The missing documents arrived. New due date: %(due)s. Check the dossier "
                 "again.", due=dossier.due_date.strftime("%d/%m/%Y") if dossier.due_date
                 else "—")

    return _step(dossier_id, "step", perform)


@bp.post("/dossiers/<int:dossier_id>/transfer")
@learner_required
def dossier_transfer(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, form: TransferForm) -> str:
        service.transfer_to_unit(db(), current_tenant(), dossier, actor=current_username(),
                                 unit_id=form.unit.data)
        return _("Transferred to %(unit)s.", unit=dossier.unit.name if dossier.unit else "")

    return _step(dossier_id, "transfer", perform)


@bp.post("/dossiers/<int:dossier_id>/approve")
@learner_required
def dossier_approve(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, _form: FlaskForm) -> str:
        service.approve_dossier(db(), current_tenant(), dossier, actor=current_username())
        return _("Approved. Collect the fee if there is one, digitise the result and return "
                 "it to the citizen.")

    return _step(dossier_id, "step", perform)


@bp.post("/dossiers/<int:dossier_id>/reject")
@learner_required
def dossier_reject(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, form: RejectForm) -> str:
        service.reject_dossier(db(), current_tenant(), dossier, actor=current_username(),
                               reason=form.reason.data or "")
        return _("Refused. The citizen receives the reason in writing.")

    return _step(dossier_id, "reject", perform)


@bp.post("/dossiers/<int:dossier_id>/payment")
@learner_required
def dossier_payment(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, form: PaymentForm) -> str:
        online = form.method.data == "online"
        service.collect_fee(db(), current_tenant(), dossier, actor=current_username(),
                            online=online)
        if online:
            return _("The payment platform confirmed the citizen's online payment "
                     "(transaction %(reference)s).", reference=dossier.payment_reference)
        return _("Fee collected at the counter (receipt %(reference)s).",
                 reference=dossier.payment_reference)

    return _step(dossier_id, "payment", perform)


@bp.post("/dossiers/<int:dossier_id>/digitise")
@learner_required
def dossier_digitise(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, form: DigitiseForm) -> str:
        upload = form.file.data
        service.digitise_result(db(), current_tenant(), dossier, actor=current_username(),
                                filename=upload.filename or "", data=upload.read())
        return _("The result is digitised: %(filename)s is kept with the dossier.",
                 filename=dossier.result_filename)

    return _step(dossier_id, "digitise", perform)


@bp.post("/dossiers/<int:dossier_id>/return")
@learner_required
def dossier_return(dossier_id: int) -> Response | tuple[str, int]:
    def perform(dossier: Dossier, _form: FlaskForm) -> str:
        service.return_result(db(), current_tenant(), dossier, actor=current_username())
        if service.returned_on_time(dossier):
            return _("Result returned on time. The citizen rated the service %(rating)s/5.",
                     rating=dossier.satisfaction_rating)
        return _("Result returned late, after the due date. The citizen rated the service "
                 "%(rating)s/5.", rating=dossier.satisfaction_rating)

    return _step(dossier_id, "step", perform)


@bp.get("/dossiers/<int:dossier_id>/result.pdf")
@learner_required
def dossier_result(dossier_id: int) -> Response:
    dossier = _dossier_or_404(dossier_id)
    if dossier.approved_at is None:
        abort(404, description=_("This dossier has no result yet: it is not approved."))
    return pdf_response(result_pdf(dossier, current_tenant()),
                        f"ket-qua-{dossier.receipt_number}.pdf")


@bp.post("/dossiers/<int:dossier_id>/lookup")
@learner_required
def dossier_lookup(dossier_id: int) -> Response | tuple[str, int]:
    """Look a citizen up for this dossier: the answer is shown once, on this page; the
    lookup is logged (a refused one too)."""
    session, tenant = db(), current_tenant()
    dossier = _dossier_or_404(dossier_id)
    forms = _step_forms()
    form = forms["lookup"]
    if not form.validate_on_submit():
        return _render_detail(dossier, forms, status=400)
    purpose_code = form.purpose.data  # type: ignore[attr-defined]
    purpose = LookupPurpose(purpose_code) if purpose_code in set(LookupPurpose) else None
    try:
        result = service.look_up_citizen(
            session, tenant, actor=current_username(),
            citizen_id=form.citizen_id.data or "",  # type: ignore[attr-defined]
            purpose=purpose, dossier=dossier,
            note=form.note.data or "")  # type: ignore[attr-defined]
        session.commit()
    except DocumentActionRefused as refusal:
        return _refused(dossier.id, service.CITIZEN_LOOKUP_REFUSED, refusal.reason)
    return _render_detail(dossier, lookup=result)


@bp.get("/lookups")
@learner_required
def my_lookups() -> str:
    session, tenant = db(), current_tenant()
    lookups = service.my_lookups(session, tenant, current_username())
    record_activity(session, tenant, current_username(), service.LOOKUPS_VIEWED,
                    details={"shown": len(lookups)})
    session.commit()
    return render_template("one_stop/lookups.html", lookups=lookups)

