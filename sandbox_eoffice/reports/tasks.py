"""Practical tasks of the reports feature, scored from the e-office's own records: the
report's state, and the figures the agency's data gave at the moment it was submitted (kept
by the e-office with the report), never anything the learner typed as a claim."""

from __future__ import annotations

from sqlalchemy.orm import Session

from common.i18n import N_
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.reports.catalogue import INDICATORS
from sandbox_eoffice.reports.models import PeriodicReport
from sandbox_eoffice.reports.service import PERIODIC_REPORT, REPORT_SUBMITTED
from sandbox_eoffice.task_results import PracticalTask, TaskResult, learner_entries


def _shortcomings(report: PeriodicReport | None) -> list[str]:
    """Why a submitted report is not a valid one (empty: valid)."""
    if report is None or not report.locked:
        return ["the report is not submitted"]
    found: list[str] = []
    if report.late:
        found.append(f"submitted after its due date ({report.due_date.isoformat()})")
    for indicator in INDICATORS:
        row = report.value_of(indicator.code)
        value = row.value if row else None
        if value is None and (not indicator.source.computed or
                              (row is not None and row.system_value is not None)):
            found.append(f"{indicator.code} has no figure")
        elif value is not None and not indicator.in_range(value):
            found.append(f"{indicator.code} ({value}) is out of its range")
        if indicator.source.computed and row is not None and value != row.system_value:
            found.append(f"{indicator.code} ({value}) differs from the agency's data at "
                         f"submission ({row.system_value})")
    return found


def _submitted_valid_report(session: Session, tenant: Tenant) -> TaskResult:
    """A report the learner submitted on time, every figure in range, and the computed
    figures equal to what the agency's data said when it was submitted."""
    entries = learner_entries(session, tenant, REPORT_SUBMITTED, object_type=PERIODIC_REPORT)
    if not entries:
        return TaskResult(False, None, "No periodic report submitted by this learner yet.")
    reasons: list[str] = []
    for entry in entries:
        report = session.get(PeriodicReport, entry.object_id)
        if report is None or report.tenant_id != tenant.id:
            continue
        label = report.period.label("en")
        found = _shortcomings(report)
        if not found:
            return TaskResult(True, entry.created_at,
                              f"Submitted the {report.kind.value}ly report for {label} on "
                              f"time, every figure valid and matching the agency's data.")
        reasons.append(f"{label}: " + "; ".join(found))
    return TaskResult(False, None, "Submitted, but not a valid report: " + " | ".join(reasons))


REPORT_TASKS: tuple[PracticalTask, ...] = (
    PracticalTask(
        task_id="submit-valid-periodic-report",
        title=N_("Submit a valid periodic report"),
        instructions=N_(
            "On the Periodic reports page, open the current report, fill it from your "
            "agency's data, type the figure that is typed in, validate it and submit it "
            "before its due date."
        ),
        evaluate=_submitted_valid_report,
    ),
)
