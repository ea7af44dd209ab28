"""The one-stop operations of the REST API (/api/v1/one-stop), for notebooks: the
procedures, the dossiers and each step of their workflow, the population-database lookup
(with its purpose) and the learner's lookup log, and the desk's indicators. Same service
functions, tenant rules and activity log as the pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

from flask import abort
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.api_schemas import FileUploadSchema, HistoryEntrySchema
from sandbox_eoffice.blueprints.api import (
    API_PREFIX,
    abort_json,
    api_actor,
    api_tenant,
    token_required,
)
from sandbox_eoffice.incoming_documents import DocumentActionRefused
from sandbox_eoffice.one_stop import dossiers as service
from sandbox_eoffice.one_stop.dossiers import Applicant
from sandbox_eoffice.one_stop.indicators import desk_indicators
from sandbox_eoffice.one_stop.labels import refusal_message
from sandbox_eoffice.one_stop.models import Channel, Dossier
from sandbox_eoffice.one_stop.procedures import PROCEDURES
from sandbox_eoffice.one_stop.result_paper import result_pdf
from sandbox_eoffice.one_stop.schemas import (
    DossierNoteSchema,
    DossierPaymentSchema,
    DossierQuerySchema,
    DossierReceiveSchema,
    DossierRejectSchema,
    DossierSchema,
    DossierTransferSchema,
    OneStopIndicatorQuerySchema,
    OneStopIndicatorsSchema,
    OneStopProcedureSchema,
    PopulationLookupRequestSchema,
    PopulationLookupResultSchema,
    PopulationLookupSchema,
)
from sandbox_eoffice.request_db import db
from sandbox_eoffice.web_ui import pdf_response

bp = Blueprint("one_stop_api", __name__, url_prefix=API_PREFIX + "/one-stop",
               description="The one-stop desk: citizens' dossiers, the population database, "
                           "the desk's indicators.")


def _refused(refusal: DocumentActionRefused) -> NoReturn:
    db().rollback()
    abort_json(409, refusal_message(refusal.reason), refusal.reason)


def _dossier(dossier_id: int, *, for_update: bool = False) -> Dossier:
    dossier = service.get_dossier(db(), api_tenant(), dossier_id, for_update=for_update)
    if dossier is None:
        abort(404, description="No such dossier at your agency's desk.")
    return dossier


def _step(dossier_id: int, perform: Callable[[Dossier], Any]) -> Dossier:
    dossier = _dossier(dossier_id, for_update=True)
    try:
        perform(dossier)
        db().commit()
    except DocumentActionRefused as refusal:
        _refused(refusal)
    return dossier


@bp.route("/procedures")
@token_required
@bp.response(200, OneStopProcedureSchema(many=True))
def procedures() -> Any:
    """The procedures the desk handles, with their legal time, fee and documents."""
    return list(PROCEDURES)


@bp.route("/dossiers")
@token_required
@bp.arguments(DossierQuerySchema, location="query")
@bp.response(200, DossierSchema(many=True))
def dossier_list(query: dict[str, Any]) -> Any:
    """The desk's dossiers, newest first (optionally of one status)."""
    return service.list_dossiers(db(), api_tenant(), query.get("status"))


@bp.route("/dossiers", methods=["POST"])
@token_required
@bp.arguments(DossierReceiveSchema)
@bp.response(201, DossierSchema)
def dossier_receive(body: dict[str, Any]) -> Any:
    """Receive a dossier at the counter: receipt number and due date in working days."""
    try:
        dossier = service.receive_dossier(
            db(), api_tenant(), actor=api_actor(), received_by=api_tenant().full_name,
            procedure_code=body["procedure_code"], provided=body["provided"],
            applicant=Applicant(body["applicant_name"], body["citizen_id"],
                                body["date_of_birth"], body["address"], body["phone"]),
            channel=Channel.COUNTER)
        db().commit()
    except DocumentActionRefused as refusal:
        _refused(refusal)
    except IntegrityError:
        db().rollback()
        abort_json(409, "The desk was busy: try again.", "busy")
    return dossier


@bp.route("/dossiers/<int:dossier_id>")
@token_required
@bp.response(200, DossierSchema)
def dossier_get(dossier_id: int) -> Any:
    """One dossier."""
    return _dossier(dossier_id)


@bp.route("/dossiers/<int:dossier_id>/history")
@token_required
@bp.response(200, HistoryEntrySchema(many=True))
def dossier_history(dossier_id: int) -> Any:
    """The steps of the dossier's life, oldest first."""
    return service.dossier_history(db(), api_tenant(), _dossier(dossier_id))


@bp.route("/dossiers/<int:dossier_id>/check", methods=["POST"])
@token_required
@bp.response(200, DossierSchema)
def dossier_check(dossier_id: int) -> Any:
    """Check completeness against the procedure's list of documents."""
    return _step(dossier_id, lambda d: service.check_completeness(
        db(), api_tenant(), d, actor=api_actor()))


@bp.route("/dossiers/<int:dossier_id>/request-additional", methods=["POST"])
@token_required
@bp.arguments(DossierNoteSchema)
@bp.response(200, DossierSchema)
def dossier_request_additional(body: dict[str, Any], dossier_id: int) -> Any:
    """Ask the citizen for the missing documents; the legal time stops."""
    return _step(dossier_id, lambda d: service.request_additional_documents(
        db(), api_tenant(), d, actor=api_actor(), note=body["note"]))


@bp.route("/dossiers/<int:dossier_id>/supplement", methods=["POST"])
@token_required
@bp.response(200, DossierSchema)
def dossier_supplement(dossier_id: int) -> Any:
    """The missing documents arrived: the legal time starts again from today."""
    return _step(dossier_id, lambda d: service.record_supplement(
        db(), api_tenant(), d, actor=api_actor()))


@bp.route("/dossiers/<int:dossier_id>/transfer", methods=["POST"])
@token_required
@bp.arguments(DossierTransferSchema)
@bp.response(200, DossierSchema)
def dossier_transfer(body: dict[str, Any], dossier_id: int) -> Any:
    """Transfer a checked, complete dossier to a specialist unit (see /api/v1/units)."""
    return _step(dossier_id, lambda d: service.transfer_to_unit(
        db(), api_tenant(), d, actor=api_actor(), unit_id=body["unit_id"]))


@bp.route("/dossiers/<int:dossier_id>/approve", methods=["POST"])
@token_required
@bp.response(200, DossierSchema)
def dossier_approve(dossier_id: int) -> Any:
    """Approve the unit's proposal (a dossier in review only)."""
    return _step(dossier_id, lambda d: service.approve_dossier(
        db(), api_tenant(), d, actor=api_actor()))


@bp.route("/dossiers/<int:dossier_id>/reject", methods=["POST"])
@token_required
@bp.arguments(DossierRejectSchema)
@bp.response(200, DossierSchema)
def dossier_reject(body: dict[str, Any], dossier_id: int) -> Any:
    """Refuse the dossier, with the reason in writing."""
    return _step(dossier_id, lambda d: service.reject_dossier(
        db(), api_tenant(), d, actor=api_actor(), reason=body["reason"]))


@bp.route("/dossiers/<int:dossier_id>/payment", methods=["POST"])
@token_required
@bp.arguments(DossierPaymentSchema)
@bp.response(200, DossierSchema)
def dossier_payment(body: dict[str, Any], dossier_id: int) -> Any:
    """Collect the fee: online (simulated payment platform) or at the counter."""
    return _step(dossier_id, lambda d: service.collect_fee(
        db(), api_tenant(), d, actor=api_actor(), online=body["online"]))


@bp.route("/dossiers/<int:dossier_id>/digitise", methods=["POST"])
@token_required
@bp.arguments(FileUploadSchema, location="files")
@bp.response(200, DossierSchema)
def dossier_digitise(files: dict[str, Any], dossier_id: int) -> Any:
    """Upload the scanned result (a real PDF of at most 5 MB) of an approved dossier."""
    upload = files["file"]
    return _step(dossier_id, lambda d: service.digitise_result(
        db(), api_tenant(), d, actor=api_actor(), filename=upload.filename or "",
        data=upload.read()))


@bp.route("/dossiers/<int:dossier_id>/return", methods=["POST"])
@token_required
@bp.response(200, DossierSchema)
def dossier_return(dossier_id: int) -> Any:
    """Return the result to the citizen (an approved dossier, its fee paid)."""
    return _step(dossier_id, lambda d: service.return_result(
        db(), api_tenant(), d, actor=api_actor()))


@bp.route("/dossiers/<int:dossier_id>/result")
@token_required
@bp.response(200, content_type="application/pdf", description="The result as a PDF")
def dossier_result(dossier_id: int) -> Any:
    """The result of an approved dossier: the digitised PDF, or the paper result."""
    dossier = _dossier(dossier_id)
    if dossier.approved_at is None:
        abort(404, description="This dossier has no result yet: it is not approved.")
    return pdf_response(result_pdf(dossier, api_tenant()),
                        f"ket-qua-{dossier.receipt_number}.pdf")


@bp.route("/population/lookups", methods=["POST"])
@token_required
@bp.arguments(PopulationLookupRequestSchema)
@bp.response(200, PopulationLookupResultSchema)
def population_lookup(body: dict[str, Any]) -> Any:
    """Look a citizen up, for a stated purpose tied to an open dossier of the desk; the
    lookup is logged. Without a purpose or a dossier it is refused (409)."""
    dossier = None
    if body["dossier_id"] is not None:
        dossier = _dossier(body["dossier_id"])
    try:
        result = service.look_up_citizen(db(), api_tenant(), actor=api_actor(),
                                         citizen_id=body["citizen_id"],
                                         purpose=body["purpose"], dossier=dossier,
                                         note=body["note"])
        db().commit()
    except DocumentActionRefused as refusal:
        db().rollback()
        record_activity(db(), api_tenant(), api_actor(), service.CITIZEN_LOOKUP_REFUSED,
                        object_type=service.DOSSIER if dossier else None,
                        object_id=dossier.id if dossier else None,
                        details={"reason": refusal.reason})
        db().commit()
        abort_json(409, refusal_message(refusal.reason), refusal.reason)
    return {"lookup": result.lookup, "record": result.record,
            "mismatches": list(result.mismatches)}


@bp.route("/population/lookups")
@token_required
@bp.response(200, PopulationLookupSchema(many=True))
def population_lookups() -> Any:
    """The learner's own lookups, newest first."""
    return service.my_lookups(db(), api_tenant(), api_actor())


@bp.route("/indicators")
@token_required
@bp.arguments(OneStopIndicatorQuerySchema, location="query")
@bp.response(200, OneStopIndicatorsSchema)
def indicators(query: dict[str, Any]) -> Any:
    """The desk's indicators over the dossiers received from start to end (inclusive)."""
    start: date = query["start"]
    end: date = query["end"]
    if start > end:
        abort_json(422, "start must not be after end.", "bad_period")
    result = desk_indicators(db(), api_tenant(), start, end)
    return {"start": start, "end": end, **{name: getattr(result, name) for name in (
        "received", "received_online", "with_fee", "paid_online", "resolved",
        "resolved_on_time", "resolved_late", "overdue_in_progress", "results_digitised",
        "ratings", "satisfied_ratings", "rejected", "online_percent", "paid_online_percent",
        "digitised_percent", "on_time_percent", "late_percent", "satisfaction_percent")}}
