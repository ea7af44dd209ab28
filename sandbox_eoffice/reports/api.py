"""The reports operations of the REST API (/api/v1/reports), for notebooks: the same service
functions, tenant rules and activity log as the pages. A write to a submitted report is
refused with 409; figures that cannot be taken, or a report not ready to submit, with 422 and
the problems, each naming its indicator."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, make_response
from flask_smorest import Blueprint

from common.clock import vietnam_now
from sandbox_eoffice.blueprints.api import API_PREFIX, api_actor, api_tenant, token_required
from sandbox_eoffice.reports import messages
from sandbox_eoffice.reports.catalogue import INDICATORS
from sandbox_eoffice.reports.models import PeriodicReport
from sandbox_eoffice.reports.schemas import (
    ReportCheckSchema,
    ReportIndicatorSchema,
    ReportSchema,
    ReportSummarySchema,
    ReportValuesSchema,
)
from sandbox_eoffice.reports.service import (
    LOCKED,
    Entry,
    ReportRefused,
    ensure_reports,
    fill_from_data,
    get_report,
    list_reports,
    log_refusal,
    save_values,
    submit_report,
    validate_report,
)
from sandbox_eoffice.request_db import db

bp = Blueprint("reports_api", __name__, url_prefix=API_PREFIX + "/reports",
               description="Periodic reports: eight indicators per month or quarter, filled "
                           "from the agency's data, validated, submitted and then locked.")


def _report(report_id: int, *, for_update: bool = False) -> PeriodicReport:
    report = get_report(db(), api_tenant(), report_id, for_update=for_update)
    if report is None:
        abort(404, description="No such report in your agency.")
    return report


def _refused(report: PeriodicReport, refusal: ReportRefused, step: str) -> NoReturn:
    session = db()
    session.rollback()
    log_refusal(session, api_tenant(), api_actor(), report, refusal, step)
    session.commit()
    status = 409 if refusal.reason == LOCKED else 422
    abort(make_response({
        "error": str(messages.REFUSALS[refusal.reason]), "reason": refusal.reason,
        "status": status, "problems": [messages.problem_dict(p) for p in refusal.problems],
    }, status))


@bp.route("")
@token_required
@bp.response(200, ReportSummarySchema(many=True))
def report_list() -> Any:
    """The agency's reports: those to submit by due date, then the history, newest first."""
    session, tenant = db(), api_tenant()
    ensure_reports(session, tenant, vietnam_now().date())
    session.commit()
    return list_reports(session, tenant)


@bp.route("/indicators")
@token_required
@bp.response(200, ReportIndicatorSchema(many=True))
def indicators() -> Any:
    """The eight indicators: definition, unit, valid range, where the figure comes from."""
    return list(INDICATORS)


@bp.route("/<int:report_id>")
@token_required
@bp.response(200, ReportSchema)
def report_get(report_id: int) -> Any:
    """One report with its figures."""
    return _report(report_id)


@bp.route("/<int:report_id>/values", methods=["PUT"])
@token_required
@bp.arguments(ReportValuesSchema)
@bp.response(200, ReportSchema)
def report_values(body: dict[str, Any], report_id: int) -> Any:
    """Keep figures in the draft (only those given). A figure that is not a number refuses
    them all (422, nothing kept); one out of range or a changed computed one is kept and
    flagged. A submitted report: 409."""
    report = _report(report_id, for_update=True)
    entries = {entry["indicator"]: Entry(entry["value"], entry["note"])
               for entry in body["values"]}
    try:
        save_values(db(), api_tenant(), report, entries, actor=api_actor())
        db().commit()
    except ReportRefused as refusal:
        _refused(report, refusal, "save")
    return report


@bp.route("/<int:report_id>/fill", methods=["POST"])
@token_required
@bp.response(200, ReportSchema)
def report_fill(report_id: int) -> Any:
    """Fill the computed indicators from the agency's data as it is now."""
    report = _report(report_id, for_update=True)
    try:
        fill_from_data(db(), api_tenant(), report, actor=api_actor())
        db().commit()
    except ReportRefused as refusal:
        _refused(report, refusal, "fill")
    return report


@bp.route("/<int:report_id>/validate", methods=["POST"])
@token_required
@bp.response(200, ReportCheckSchema)
def report_validate(report_id: int) -> Any:
    """Every problem of the saved report against the agency's data now (nothing changes)."""
    report = _report(report_id)
    problems = validate_report(db(), api_tenant(), report, actor=api_actor())
    db().commit()
    return {"valid": not any(p.blocking for p in problems),
            "problems": [messages.problem_dict(p) for p in problems]}


@bp.route("/<int:report_id>/submit", methods=["POST"])
@token_required
@bp.response(200, ReportSchema)
def report_submit(report_id: int) -> Any:
    """Submit the saved report: 422 with the problems while a figure is missing, out of
    range or differs from the data without a note; late is flagged, not refused. Then it is
    locked (409 on any later change)."""
    report = _report(report_id, for_update=True)
    try:
        submit_report(db(), api_tenant(), report, actor=api_actor(),
                      submitted_by=api_tenant().full_name)
        db().commit()
    except ReportRefused as refusal:
        _refused(report, refusal, "submit")
    return report
