"""What a new sandbox agency starts with in the reports feature (deterministic per seed).

Relative to `today`: the monthly report of the current period is open (a draft, not yet
filled), the one before it is overdue (a draft past its due date), and the three before that
were submitted by a colleague of the office (the history; one of them a few working days
late). Quarterly: the current quarter is open, the two before it submitted. The history's
computed figures are what the agency's seeded data give for their periods (the one-stop
desk's dossiers are seeded first), so the history agrees with the agency's own records.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ
from common.working_days import add_working_days, working_days_between
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.models import Colleague, Tenant
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus
from sandbox_eoffice.reports.periods import Period, ReportKind, current_period
from sandbox_eoffice.reports.service import (
    PERIODIC_REPORT,
    REPORT_SUBMITTED,
    new_report,
    system_figures,
)

MONTHLY_HISTORY = 3
QUARTERLY_HISTORY = 2
VNEID_PER_MONTH = (120, 2400)  # accounts activated in a month, in a district or department


def _office_hours(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), VIETNAM_TZ)


def _submitted_history(session: Session, tenant: Tenant, period: Period, rng: random.Random,
                       clerk: str, *, late: bool) -> PeriodicReport:
    report = new_report(session, tenant, period)
    figures = system_figures(session, tenant, period)
    months = 1 if period.kind is ReportKind.MONTH else 3
    for row in report.values:
        if row.indicator in figures:
            row.value = row.system_value = figures[row.indicator]
        else:
            row.value = Decimal(sum(rng.randint(*VNEID_PER_MONTH) for _ in range(months)))
    allowed = working_days_between(period.end, period.due_date)
    day = (add_working_days(period.due_date, rng.randint(1, 3)) if late
           else add_working_days(period.end, rng.randint(1, max(1, allowed))))
    report.status = ReportStatus.SUBMITTED
    report.filled_at = report.submitted_at = _office_hours(day, rng)
    report.submitted_by = clerk
    report.late = late
    session.flush()
    entry = record_activity(session, tenant, clerk, REPORT_SUBMITTED,
                            object_type=PERIODIC_REPORT, object_id=report.id, details={
                                "kind": period.kind.value,
                                "period_start": period.start.isoformat(),
                                "late": late, "due_date": period.due_date.isoformat()})
    entry.created_at = report.submitted_at
    return report


def seed_reports(session: Session, tenant: Tenant, seed: int, today: date) -> None:
    """Called by `provision_tenant` for every new tenant; the caller commits."""
    rng = random.Random(f"reports-{seed}")
    colleagues = session.scalars(select(Colleague.full_name).where(
        Colleague.tenant_id == tenant.id).order_by(Colleague.id)).all()
    clerk = rng.choice(colleagues) if colleagues else tenant.full_name
    current = current_period(ReportKind.MONTH, today)
    overdue = current.previous()
    history = [overdue]
    for _ in range(MONTHLY_HISTORY):
        history.insert(0, history[0].previous())
    history.pop()  # the overdue one stays a draft
    late_one = rng.randrange(len(history))
    for index, period in enumerate(history):
        _submitted_history(session, tenant, period, rng, clerk, late=index == late_one)
    new_report(session, tenant, overdue)
    new_report(session, tenant, current)

    quarter = current_period(ReportKind.QUARTER, today)
    quarters = [quarter]
    for _ in range(QUARTERLY_HISTORY):
        quarters.insert(0, quarters[0].previous())
    for period in quarters[:-1]:
        _submitted_history(session, tenant, period, rng, clerk, late=False)
    new_report(session, tenant, quarter)
