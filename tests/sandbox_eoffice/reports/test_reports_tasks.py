"""The practical task "submit a valid periodic report", from the e-office's own records:
done only for the learner's own on-time submission whose figures are in range and equal to
what the agency's data said at submission."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ, vietnam_now
from sandbox_eoffice.models import Tenant
from sandbox_eoffice.reports.models import PeriodicReport
from sandbox_eoffice.reports.periods import ReportKind, current_period
from sandbox_eoffice.reports.service import (
    Entry,
    fill_from_data,
    save_values,
    submit_report,
)
from sandbox_eoffice.reports.tasks import REPORT_TASKS
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.tasks import TASKS

MANUAL = "VNEID_ACTIVATED"
TASK = "submit-valid-periodic-report"


@pytest.fixture
def tenant(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị An", 11)
    session.commit()
    return tenant


def _evaluate(session: Session, tenant: Tenant):
    return TASKS[TASK].evaluate(session, tenant)


def _month(session: Session, tenant: Tenant, *, back: int = 0) -> PeriodicReport:
    period = current_period(ReportKind.MONTH, vietnam_now().date())
    for _ in range(back):
        period = period.previous()
    return session.scalars(select(PeriodicReport).where(
        PeriodicReport.tenant_id == tenant.id, PeriodicReport.kind == ReportKind.MONTH,
        PeriodicReport.period_start == period.start)).one()


def test_the_task_is_registered() -> None:
    assert [task.task_id for task in REPORT_TASKS] == [TASK]
    assert TASKS[TASK] is REPORT_TASKS[0]


def test_not_done_before_anything_nor_by_the_seeded_history(session: Session,
                                                            tenant: Tenant) -> None:
    result = _evaluate(session, tenant)
    assert not result.done and result.completed_at is None
    assert "No periodic report submitted by this learner" in result.detail


def test_done_for_a_valid_on_time_submission(session: Session, tenant: Tenant) -> None:
    report = _month(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("640")}, actor="alice")
    submit_report(session, tenant, report, actor="alice", submitted_by="An")
    session.commit()
    result = _evaluate(session, tenant)
    assert result.done and result.completed_at is not None
    assert report.period.label("en") in result.detail


def test_not_done_when_submitted_late(session: Session, tenant: Tenant) -> None:
    report = _month(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("640")}, actor="alice")
    after = report.due_date + timedelta(days=1)
    submit_report(session, tenant, report, actor="alice", submitted_by="An",
                  now=datetime(after.year, after.month, after.day, 8, tzinfo=VIETNAM_TZ))
    session.commit()
    result = _evaluate(session, tenant)
    assert not result.done and "after its due date" in result.detail


def test_not_done_when_a_figure_differs_from_the_data(session: Session,
                                                      tenant: Tenant) -> None:
    report = _month(session, tenant)
    figures = fill_from_data(session, tenant, report, actor="alice")
    received = figures["TTHC_RECEIVED"]
    assert received is not None
    save_values(session, tenant, report, {
        MANUAL: Entry("640"), "TTHC_RECEIVED": Entry(str(int(received) + 5), "ước tính")},
        actor="alice")
    submit_report(session, tenant, report, actor="alice", submitted_by="An")
    session.commit()
    result = _evaluate(session, tenant)
    assert not result.done and "TTHC_RECEIVED" in result.detail and "differs" in result.detail


def test_a_later_valid_submission_completes_it(session: Session, tenant: Tenant) -> None:
    overdue = _month(session, tenant, back=1)
    fill_from_data(session, tenant, overdue, actor="alice")
    save_values(session, tenant, overdue, {MANUAL: Entry("640")}, actor="alice")
    submit_report(session, tenant, overdue, actor="alice", submitted_by="An")
    session.commit()
    assert overdue.late and not _evaluate(session, tenant).done
    current = _month(session, tenant)
    fill_from_data(session, tenant, current, actor="alice")
    save_values(session, tenant, current, {MANUAL: Entry("700")}, actor="alice")
    submit_report(session, tenant, current, actor="alice", submitted_by="An")
    session.commit()
    assert _evaluate(session, tenant).done
