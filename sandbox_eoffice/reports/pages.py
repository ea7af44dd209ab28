"""The reports pages (HTML, session login, CSRF): the list of reports to submit and the
history, and one report's page where the learner fills, types, validates and submits."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from common.clock import vietnam_now
from sandbox_eoffice.access import current_tenant, current_username, learner_required
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.forms import ConfirmForm
from sandbox_eoffice.reports import messages
from sandbox_eoffice.reports.catalogue import INDICATORS, Indicator
from sandbox_eoffice.reports.models import PeriodicReport
from sandbox_eoffice.reports.periods import REPORT_DUE_WORKING_DAYS
from sandbox_eoffice.reports.service import (
    LOCKED,
    PERIODIC_REPORT,
    REPORT_LIST_VIEWED,
    REPORT_VALIDATED,
    REPORT_VIEWED,
    Entry,
    Problem,
    ReportRefused,
    check_report,
    ensure_reports,
    fill_from_data,
    get_report,
    list_reports,
    log_refusal,
    read_entries,
    save_values,
    submit_report,
)
from sandbox_eoffice.request_db import db

bp = Blueprint("reports", __name__, url_prefix="/reports")

Typed = dict[str, tuple[str, str]]  # indicator code -> (figure as typed, note)


def _today() -> date:
    return vietnam_now().date()


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"report_messages": messages, "due_working_days": REPORT_DUE_WORKING_DAYS}


@bp.get("/")
@learner_required
def report_list() -> str:
    session, tenant = db(), current_tenant()
    ensure_reports(session, tenant, _today())
    reports = list_reports(session, tenant)
    record_activity(session, tenant, current_username(), REPORT_LIST_VIEWED,
                    details={"shown": len(reports)})
    session.commit()
    return render_template("reports/report_list.html",
                           drafts=[r for r in reports if not r.locked],
                           history=[r for r in reports if r.locked], today=_today())


def _report_or_404(report_id: int, *, for_update: bool = False) -> PeriodicReport:
    report = get_report(db(), current_tenant(), report_id, for_update=for_update)
    if report is None:
        abort(404, description=_("This report does not exist in your agency."))
    return report


def _typed_from(report: PeriodicReport) -> Typed:
    typed: Typed = {}
    for indicator in INDICATORS:
        row = report.value_of(indicator.code)
        typed[indicator.code] = (messages.input_figure(row.value if row else None),
                                 row.note if row else "")
    return typed


def _entries_from_form() -> tuple[dict[str, Entry], Typed]:
    entries: dict[str, Entry] = {}
    typed: Typed = {}
    for indicator in INDICATORS:
        value = request.form.get(f"value-{indicator.code}")
        if value is None:
            continue
        note = request.form.get(f"note-{indicator.code}", "")
        entries[indicator.code] = Entry(value, note)
        typed[indicator.code] = (value, note)
    return entries, typed


def _render(report: PeriodicReport, *, typed: Typed | None = None,
            problems: list[Problem] | None = None, refusal: str | None = None,
            checked: bool = False, status: int = 200) -> tuple[str, int]:
    problems = problems or []
    by_indicator: dict[str, list[Problem]] = {}
    for problem in problems:
        by_indicator.setdefault(problem.indicator, []).append(problem)
    page = render_template(
        "reports/report_detail.html", report=report, indicators=INDICATORS,
        typed=typed or _typed_from(report), problems=problems, by_indicator=by_indicator,
        refusal=refusal, checked=checked, form=ConfirmForm(), today=_today())
    return page, status


@bp.get("/<int:report_id>")
@learner_required
def report_detail(report_id: int) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    report = _report_or_404(report_id)
    record_activity(session, tenant, current_username(), REPORT_VIEWED,
                    object_type=PERIODIC_REPORT, object_id=report.id,
                    details={"status": report.status.value})
    session.commit()
    return _render(report)


def _checked_post(report_id: int) -> tuple[PeriodicReport, tuple[str, int] | None]:
    """The report, locked for this request; an answer instead when the form's CSRF token is
    bad or the report is submitted (a write to a locked report: 409, nothing changes)."""
    report = _report_or_404(report_id, for_update=True)
    if not ConfirmForm().validate_on_submit():
        return report, _render(report, refusal=_("The form could not be sent: reload the "
                                                 "page and try again."), status=400)
    if report.locked:
        return report, _refuse(report, ReportRefused(LOCKED), request.endpoint or "", None)
    return report, None


def _refuse(report: PeriodicReport, refusal: ReportRefused, step: str,
            typed: Typed | None) -> tuple[str, int]:
    session, tenant = db(), current_tenant()
    session.rollback()
    log_refusal(session, tenant, current_username(), report, refusal, step)
    session.commit()
    status = 409 if refusal.reason == LOCKED else 400
    return _render(report, typed=None if refusal.reason == LOCKED else typed,
                   problems=refusal.problems, refusal=str(messages.REFUSALS[refusal.reason]),
                   status=status)


@bp.post("/<int:report_id>/fill")
@learner_required
def report_fill(report_id: int) -> Response | tuple[str, int]:
    session, tenant = db(), current_tenant()
    report, answer = _checked_post(report_id)
    if answer is not None:
        return answer
    figures = fill_from_data(session, tenant, report, actor=current_username())
    session.commit()
    empty = sum(1 for figure in figures.values() if figure is None)
    flash(_("Filled from your agency's data as it is now: %(count)s computed figures.",
            count=len(figures)), "success")
    if empty:
        flash(ngettext("%(num)d indicator has nothing to count in this period: it stays "
                       "empty.", "%(num)d indicators have nothing to count in this period: "
                       "they stay empty.", empty), "warning")
    return redirect(url_for(".report_detail", report_id=report.id))


@bp.post("/<int:report_id>/save")
@learner_required
def report_save(report_id: int) -> Response | tuple[str, int]:
    session, tenant = db(), current_tenant()
    report, answer = _checked_post(report_id)
    if answer is not None:
        return answer
    entries, typed = _entries_from_form()
    try:
        save_values(session, tenant, report, entries, actor=current_username())
        session.commit()
    except ReportRefused as refusal:
        return _refuse(report, refusal, "save", typed)
    flash(_("Draft saved. Validate it, then submit it."), "success")
    return redirect(url_for(".report_detail", report_id=report.id))


@bp.post("/<int:report_id>/validate")
@learner_required
def report_validate(report_id: int) -> tuple[str, int]:
    """Check what is typed against the rules and the agency's data; nothing is saved."""
    session, tenant = db(), current_tenant()
    report, answer = _checked_post(report_id)
    if answer is not None:
        return answer
    entries, typed = _entries_from_form()
    taken, problems = read_entries(entries)
    try:
        save_values(session, tenant, report,
                    {code: entries[code] for code in taken}, actor=current_username())
        refused = {problem.indicator for problem in problems}
        problems += [problem for problem in check_report(session, tenant, report)
                     if problem.indicator not in refused]
    finally:
        session.rollback()  # a check only: the typed figures are not kept
    report = _report_or_404(report_id)
    problems.sort(key=lambda p: _number(p.indicator))
    record_activity(session, tenant, current_username(), REPORT_VALIDATED,
                    object_type=PERIODIC_REPORT, object_id=report.id,
                    details={"problems": [p.as_dict() for p in problems]})
    session.commit()
    if not problems:
        flash(_("No problem found: the report can be submitted."), "success")
    elif not any(p.blocking for p in problems):
        flash(_("The report can be submitted; the figures that differ from the system data "
                "will be flagged, with your notes."), "success")
    return _render(report, typed=typed, problems=problems, checked=True)


def _number(code: str) -> int:
    indicator: Indicator | None = next((i for i in INDICATORS if i.code == code), None)
    return indicator.number if indicator else 0


@bp.post("/<int:report_id>/submit")
@learner_required
def report_submit(report_id: int) -> Response | tuple[str, int]:
    """Save what is typed and submit, in one step: refused as a whole (nothing saved) while a
    figure is not a number, missing, out of range or unexplained."""
    session, tenant = db(), current_tenant()
    report, answer = _checked_post(report_id)
    if answer is not None:
        return answer
    entries, typed = _entries_from_form()
    try:
        save_values(session, tenant, report, entries, actor=current_username())
        submit_report(session, tenant, report, actor=current_username(),
                      submitted_by=tenant.full_name)
        session.commit()
    except ReportRefused as refusal:
        return _refuse(report, refusal, "submit", typed)
    if report.late:
        flash(_("Submitted after the due date (%(due)s): the report is flagged as late.",
                due=report.due_date.strftime("%d/%m/%Y")), "warning")
    else:
        flash(_("Submitted on time. The report is locked and kept in the history."),
              "success")
    return redirect(url_for(".report_detail", report_id=report.id))
