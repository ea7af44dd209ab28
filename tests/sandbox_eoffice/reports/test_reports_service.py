"""The reports' service functions, on SQLite and PostgreSQL: seeding, fill from the agency's
data, typed figures, validation, submission (late flagged, never refused), the lock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from common.clock import VIETNAM_TZ, vietnam_now
from sandbox_eoffice.database import make_session_factory
from sandbox_eoffice.models import ActivityLog, IncomingDocument, Tenant
from sandbox_eoffice.reports.catalogue import INDICATORS, IndicatorSource
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus, ReportValue
from sandbox_eoffice.reports.periods import Period, ReportKind, current_period
from sandbox_eoffice.reports.seeding import seed_reports
from sandbox_eoffice.reports.service import (
    INVALID_INPUT,
    LOCKED,
    NOT_READY,
    REPORT_SUBMITTED,
    Entry,
    ProblemKind,
    ReportRefused,
    check_report,
    ensure_reports,
    fill_from_data,
    incoming_on_time,
    list_reports,
    parse_figure,
    save_values,
    submit_report,
    system_figures,
)
from sandbox_eoffice.seeding import provision_tenant

MANUAL = "VNEID_ACTIVATED"
TODAY = vietnam_now().date()


@pytest.fixture
def tenant(session: Session) -> Tenant:
    tenant = provision_tenant(session, "alice", "Nguyễn Thị An", 7)
    session.commit()
    return tenant


def _report(session: Session, tenant: Tenant, period: Period) -> PeriodicReport:
    return session.scalars(select(PeriodicReport).where(
        PeriodicReport.tenant_id == tenant.id, PeriodicReport.kind == period.kind,
        PeriodicReport.period_start == period.start)).one()


def _current(session: Session, tenant: Tenant) -> PeriodicReport:
    return _report(session, tenant, current_period(ReportKind.MONTH, TODAY))


def _overdue(session: Session, tenant: Tenant) -> PeriodicReport:
    return _report(session, tenant, current_period(ReportKind.MONTH, TODAY).previous())


def _snapshot(session: Session, report: PeriodicReport) -> list[tuple[object, ...]]:
    session.expire_all()
    return [tuple(row) for row in session.execute(select(
        ReportValue.indicator, ReportValue.value, ReportValue.system_value, ReportValue.note,
        ReportValue.out_of_range, ReportValue.differs).where(
        ReportValue.report_id == report.id).order_by(ReportValue.indicator)).all()]


# --- seeding ----------------------------------------------------------------------------


def test_a_new_agency_has_history_an_overdue_report_and_a_current_one(
    session: Session, tenant: Tenant
) -> None:
    reports = list_reports(session, tenant)
    drafts = [r for r in reports if r.status is ReportStatus.DRAFT]
    history = [r for r in reports if r.status is ReportStatus.SUBMITTED]
    month = current_period(ReportKind.MONTH, TODAY)
    quarter = current_period(ReportKind.QUARTER, TODAY)
    assert {(r.kind, r.period_start) for r in drafts} == {
        (ReportKind.MONTH, month.start), (ReportKind.MONTH, month.previous().start),
        (ReportKind.QUARTER, quarter.start)}
    assert _overdue(session, tenant).due_date < TODAY <= _current(session, tenant).due_date
    assert len(history) == 5 and sum(r.late for r in history) == 1
    for report in history:
        assert report.submitted_by and report.submitted_at
        assert report.late == (report.submitted_at.astimezone(VIETNAM_TZ).date()
                               > report.due_date)
        # the history agrees with the agency's own data
        figures = system_figures(session, tenant, report.period)
        assert {row.indicator: row.value for row in report.values
                if row.indicator in figures} == figures
        manual = report.value_of(MANUAL)
        assert manual is not None and manual.value is not None and manual.value > 0
    assert all(len(r.values) == 8 for r in reports)


def test_seeding_is_deterministic_per_seed(session: Session, tenant: Tenant) -> None:
    other = provision_tenant(session, "bob", "Bob", 7)
    session.flush()

    def shape(t: Tenant) -> list[tuple[object, ...]]:
        return [(r.kind, r.period_start, r.status, r.late, r.submitted_at,
                 tuple(v.value for v in r.values)) for r in list_reports(session, t)]

    assert shape(other) == shape(tenant)


def test_new_periods_open_as_time_goes_by(session: Session) -> None:
    tenant = Tenant(username="carol", full_name="Carol", seed=3)
    session.add(tenant)
    session.flush()
    seed_reports(session, tenant, 3, date(2026, 8, 20))
    ensure_reports(session, tenant, date(2026, 11, 24))
    months = [r.period_start for r in list_reports(session, tenant)
              if r.kind is ReportKind.MONTH]
    assert sorted(months)[-4:] == [date(2026, 8, 15), date(2026, 9, 15), date(2026, 10, 15),
                                   date(2026, 11, 15)]
    ensure_reports(session, tenant, date(2026, 11, 24))  # idempotent
    assert session.scalar(select(func.count()).select_from(PeriodicReport).where(
        PeriodicReport.tenant_id == tenant.id, PeriodicReport.kind == ReportKind.MONTH)) == \
        len(months)


# --- typing figures ---------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "figure", "problem"), [
    ("77,53", Decimal("77.53"), None),
    (" 77.5 ", Decimal("77.5"), None),
    (45, Decimal(45), None),
    ("", None, None),
    (None, None, None),
    ("-3", Decimal(-3), None),  # a number: out of range, flagged later
    ("77,536", None, ProblemKind.TOO_MANY_DECIMALS),
    ("bảy mươi", None, ProblemKind.NOT_A_NUMBER),
    ("1e3", None, ProblemKind.NOT_A_NUMBER),
    ("NaN", None, ProblemKind.NOT_A_NUMBER),
    ("12.3.4", None, ProblemKind.NOT_A_NUMBER),
    (True, None, ProblemKind.NOT_A_NUMBER),
])
def test_reading_a_percentage(typed: object, figure: Decimal | None,
                              problem: ProblemKind | None) -> None:
    percent = next(i for i in INDICATORS if i.code == "TTHC_ONLINE_RATE")
    assert parse_figure(percent, typed) == (figure, problem)  # type: ignore[arg-type]


def test_a_count_is_a_whole_number_typed_without_separators() -> None:
    count = next(i for i in INDICATORS if i.code == MANUAL)
    assert parse_figure(count, "1234") == (Decimal(1234), None)
    # "1.234" (Vietnamese thousands) is refused rather than read as 1.234
    assert parse_figure(count, "1.234")[1] is ProblemKind.TOO_MANY_DECIMALS
    assert parse_figure(count, "9" * 13)[1] is ProblemKind.OUT_OF_RANGE
    # the figure as the API gives it back is a whole number; a thousands group is not
    assert parse_figure(count, "1234.00") == (Decimal(1234), None)
    assert parse_figure(count, "1.000")[1] is ProblemKind.TOO_MANY_DECIMALS
    assert parse_figure(count, "12.50")[1] is ProblemKind.TOO_MANY_DECIMALS


def test_the_catalogue_has_eight_indicators_with_ranges() -> None:
    assert [i.number for i in INDICATORS] == list(range(1, 9))
    assert len({i.code for i in INDICATORS}) == 8
    assert {i.source for i in INDICATORS} == set(IndicatorSource)
    for indicator in INDICATORS:
        assert indicator.minimum < indicator.maximum and indicator.name_vi and indicator.name_en


# --- fill, save, check, submit ------------------------------------------------------------


def test_fill_takes_the_figures_of_the_agency_data(session: Session, tenant: Tenant) -> None:
    report = _current(session, tenant)
    figures = fill_from_data(session, tenant, report, actor="alice")
    assert set(figures) == {i.code for i in INDICATORS if i.source.computed}
    for row in report.values:
        if row.indicator in figures:
            assert row.value == row.system_value == figures[row.indicator]
            assert not row.differs and not row.out_of_range
    assert report.value_of(MANUAL).value is None  # type: ignore[union-attr]
    assert report.filled_at is not None
    problems = check_report(session, tenant, report)
    assert [(p.kind, p.indicator) for p in problems] == [(ProblemKind.MISSING, MANUAL)]


def test_a_value_out_of_range_is_kept_in_the_draft_flagged_and_blocks_submission(
    session: Session, tenant: Tenant
) -> None:
    report = _current(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("60000")}, actor="alice")
    row = report.value_of(MANUAL)
    assert row is not None and row.value == 60000 and row.out_of_range
    session.commit()
    before = _snapshot(session, report)
    with pytest.raises(ReportRefused) as refused:
        submit_report(session, tenant, report, actor="alice", submitted_by="An")
    session.rollback()
    assert refused.value.reason == NOT_READY
    assert [(p.kind, p.indicator) for p in refused.value.problems] == [
        (ProblemKind.OUT_OF_RANGE, MANUAL)]
    assert _snapshot(session, report) == before
    assert _current(session, tenant).status is ReportStatus.DRAFT


def test_a_value_that_is_not_a_number_saves_nothing(session: Session,
                                                    tenant: Tenant) -> None:
    report = _current(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    session.commit()
    before = _snapshot(session, report)
    with pytest.raises(ReportRefused) as refused:
        save_values(session, tenant, report, {MANUAL: Entry("1500"),
                                              "TTHC_RECEIVED": Entry("mười hai")},
                    actor="alice")
    session.rollback()
    assert refused.value.reason == INVALID_INPUT
    assert [(p.kind, p.indicator, p.typed) for p in refused.value.problems] == [
        (ProblemKind.NOT_A_NUMBER, "TTHC_RECEIVED", "mười hai")]
    assert _snapshot(session, report) == before


def test_a_computed_figure_changed_needs_a_note_and_is_flagged(
    session: Session, tenant: Tenant
) -> None:
    report = _current(session, tenant)
    figures = fill_from_data(session, tenant, report, actor="alice")
    session.commit()
    received = figures["TTHC_RECEIVED"]
    assert received is not None
    save_values(session, tenant, report, {MANUAL: Entry("1500"),
                                          "TTHC_RECEIVED": Entry(str(received + 3))},
                actor="alice")
    assert report.value_of("TTHC_RECEIVED").differs  # type: ignore[union-attr]
    with pytest.raises(ReportRefused) as refused:
        submit_report(session, tenant, report, actor="alice", submitted_by="An")
    assert [(p.kind, p.system_value) for p in refused.value.problems] == [
        (ProblemKind.DIFFERS_WITHOUT_NOTE, received)]
    session.rollback()
    report = _current(session, tenant)
    save_values(session, tenant, report, {
        MANUAL: Entry("1500"),
        "TTHC_RECEIVED": Entry(str(received + 3), "3 hồ sơ nhận bản giấy chưa nhập hệ thống")},
        actor="alice")
    submit_report(session, tenant, report, actor="alice", submitted_by="An")
    row = report.value_of("TTHC_RECEIVED")
    assert row is not None and row.differs and row.system_value == received
    assert report.locked


def test_submission_rereads_the_data(session: Session, tenant: Tenant) -> None:
    """Filled, then the agency's data change: the figure no longer matches, submission is
    refused until it is filled again."""
    report = _current(session, tenant)
    period = report.period
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("800")}, actor="alice")
    before = incoming_on_time(session, tenant, period.start, period.end)
    late = session.scalars(select(IncomingDocument).where(
        IncomingDocument.tenant_id == tenant.id, IncomingDocument.completed_at.is_(None))
    ).first()
    assert late is not None
    # completed inside the period, two days after its deadline
    day = min(period.end, TODAY)
    late.deadline = day - timedelta(days=2)
    late.completed_at = datetime(day.year, day.month, day.day, 9, tzinfo=VIETNAM_TZ)
    session.flush()
    after = incoming_on_time(session, tenant, period.start, period.end)
    assert after != before and after is not None and after < 100
    with pytest.raises(ReportRefused) as refused:
        submit_report(session, tenant, report, actor="alice", submitted_by="An")
    assert [(p.kind, p.indicator, p.system_value) for p in refused.value.problems] == [
        (ProblemKind.DIFFERS_WITHOUT_NOTE, "DOC_ON_TIME_RATE", after)]
    fill_from_data(session, tenant, report, actor="alice")
    submit_report(session, tenant, report, actor="alice", submitted_by="An")
    assert report.value_of("DOC_ON_TIME_RATE").system_value == after  # type: ignore[union-attr]


def test_late_submission_is_flagged_not_refused(session: Session, tenant: Tenant) -> None:
    report = _current(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("800")}, actor="alice")
    due = report.due_date
    # 23:59 on the due day, Vietnam time, is still on time
    submit_report(session, tenant, report, actor="alice", submitted_by="An",
                  now=datetime(due.year, due.month, due.day, 23, 59, tzinfo=VIETNAM_TZ))
    assert report.locked and not report.late
    overdue = _overdue(session, tenant)
    fill_from_data(session, tenant, overdue, actor="alice")
    save_values(session, tenant, overdue, {MANUAL: Entry("800")}, actor="alice")
    day_after = overdue.due_date + timedelta(days=1)
    submit_report(session, tenant, overdue, actor="alice", submitted_by="An",
                  now=datetime(day_after.year, day_after.month, day_after.day, 0, 1,
                               tzinfo=VIETNAM_TZ))
    assert overdue.locked and overdue.late
    entry = session.scalars(select(ActivityLog).where(
        ActivityLog.tenant_id == tenant.id, ActivityLog.action == REPORT_SUBMITTED,
        ActivityLog.object_id == overdue.id)).one()
    assert entry.actor == "alice" and entry.details["late"] is True


def test_a_submitted_report_is_locked(session: Session, tenant: Tenant) -> None:
    report = _current(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("800")}, actor="alice")
    submit_report(session, tenant, report, actor="alice", submitted_by="An")
    session.commit()
    before = _snapshot(session, report)
    for step in (
        lambda: fill_from_data(session, tenant, report, actor="alice"),
        lambda: save_values(session, tenant, report, {MANUAL: Entry("900")}, actor="alice"),
        lambda: submit_report(session, tenant, report, actor="alice", submitted_by="An"),
    ):
        with pytest.raises(ReportRefused) as refused:
            step()
        assert refused.value.reason == LOCKED
        session.rollback()
    assert _snapshot(session, report) == before


def test_a_report_submitted_by_another_request_is_not_changed_afterwards(
        engine: Engine, session: Session, tenant: Tenant) -> None:
    """Two tabs: the second holds a copy of the draft read before the first submitted; its
    save, fill and submit are refused as locked, and the submitted figures stay."""
    report = _current(session, tenant)
    fill_from_data(session, tenant, report, actor="alice")
    save_values(session, tenant, report, {MANUAL: Entry("800")}, actor="alice")
    session.commit()
    with make_session_factory(engine)() as first, make_session_factory(engine)() as second:
        stale_tenant = second.get(Tenant, tenant.id)
        stale = second.get(PeriodicReport, report.id)
        assert stale.status is ReportStatus.DRAFT and len(stale.values) == len(INDICATORS)
        fresh_tenant = first.get(Tenant, tenant.id)
        submit_report(first, fresh_tenant, first.get(PeriodicReport, report.id),
                      actor="alice", submitted_by="An")
        first.commit()
        before = _snapshot(session, report)
        for step in (
            lambda: save_values(second, stale_tenant, stale, {MANUAL: Entry("99999")},
                                actor="alice"),
            lambda: fill_from_data(second, stale_tenant, stale, actor="alice"),
            lambda: submit_report(second, stale_tenant, stale, actor="alice",
                                  submitted_by="An"),
        ):
            with pytest.raises(ReportRefused) as refused:
                step()
            assert refused.value.reason == LOCKED
            second.rollback()
    assert _snapshot(session, report) == before
    assert session.scalar(select(func.count()).select_from(ActivityLog).where(
        ActivityLog.action == REPORT_SUBMITTED, ActivityLog.object_id == report.id)) == 1
