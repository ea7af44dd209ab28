"""Periodic reports: fill from the agency's data, type, validate, submit (then locked).

The computed indicators come from the agency's own records at the moment they are asked for:
the one-stop desk's dossiers (`desk_indicators`) and the e-office's incoming documents. A
computed figure may be changed only with a note saying why; it is then flagged as differing
from the system's data. Submission re-reads the data: it is refused while a figure is
missing, out of its range, or differs from the data without a note; a submission after the
due date is accepted and flagged late. A submitted report is locked: every later change is
refused (`ReportLocked`). Functions take a session; the caller commits (or rolls back a
refusal: nothing of a refused step is kept).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from common.clock import VIETNAM_TZ
from sandbox_eoffice.activity import record_activity
from sandbox_eoffice.models import IncomingDocument, Tenant, utc_now
from sandbox_eoffice.one_stop.indicators import DeskIndicators, desk_indicators
from sandbox_eoffice.reports.catalogue import BY_CODE, INDICATORS, Indicator
from sandbox_eoffice.reports.models import PeriodicReport, ReportStatus, ReportValue
from sandbox_eoffice.reports.periods import (
    Period,
    ReportKind,
    current_period,
    period_of,
    periods_between,
)

PERIODIC_REPORT = "periodic_report"

# action names of the activity log
REPORT_LIST_VIEWED = "report.list_viewed"
REPORT_VIEWED = "report.viewed"
REPORT_FILLED = "report.filled"
REPORT_SAVED = "report.saved"
REPORT_VALIDATED = "report.validated"
REPORT_SUBMITTED = "report.submitted"
REPORT_ACTION_REFUSED = "report.action_refused"

MAX_NOTE = 1000
MAX_DIGITS = 12  # before the decimal point (the column holds 14 digits, 2 after the point)
MAX_DECIMALS = 2

Figure = Decimal | None


class ProblemKind(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    TOO_MANY_DECIMALS = "too_many_decimals"
    NOTE_TOO_LONG = "note_too_long"
    UNKNOWN_INDICATOR = "unknown_indicator"
    MISSING = "missing"
    OUT_OF_RANGE = "out_of_range"
    DIFFERS_WITHOUT_NOTE = "differs_without_note"
    DIFFERS_EXPLAINED = "differs_explained"  # a warning: it will be flagged, not refused

    @property
    def blocking(self) -> bool:
        return self is not ProblemKind.DIFFERS_EXPLAINED


@dataclass(frozen=True)
class Problem:
    """What is wrong with one indicator's figure (`typed` as the learner typed it)."""

    kind: ProblemKind
    indicator: str
    typed: str = ""
    value: Figure = None
    system_value: Figure = None

    @property
    def blocking(self) -> bool:
        return self.kind.blocking

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "indicator": self.indicator, "typed": self.typed,
                "value": None if self.value is None else str(self.value),
                "system_value": None if self.system_value is None else str(self.system_value),
                "blocking": self.blocking}


class ReportRefused(Exception):
    """The step is refused; `problems` say which indicator and why. Nothing was changed."""

    def __init__(self, reason: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problems = list(problems)


LOCKED = "locked"  # the report is submitted: nothing in it can change
INVALID_INPUT = "invalid_input"  # a figure is not a number, a note too long...
NOT_READY = "not_ready"  # submission: a figure missing, out of range, or unexplained


@dataclass(frozen=True)
class Entry:
    """What the learner typed for one indicator."""

    value: str | int | float | Decimal | None
    note: str = ""


# --- the figures of the agency's own data --------------------------------------------------


def _as_figure(number: float | int | None) -> Figure:
    return None if number is None else Decimal(str(number))


def _one_stop_figures(desk: DeskIndicators) -> dict[str, Figure]:
    return {
        "TTHC_RECEIVED": Decimal(desk.received),
        "TTHC_ONLINE_RATE": _as_figure(desk.online_percent),
        "TTHC_PAID_ONLINE_RATE": _as_figure(desk.paid_online_percent),
        "TTHC_DIGITISED_RATE": _as_figure(desk.digitised_percent),
        "TTHC_ON_TIME_RATE": _as_figure(desk.on_time_percent),
        "TTHC_SATISFACTION_RATE": _as_figure(desk.satisfaction_percent),
    }


def _vietnam_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), VIETNAM_TZ)


def incoming_on_time(session: Session, tenant: Tenant, start: date, end: date) -> Figure:
    """Of the incoming documents assigned with a deadline and completed from `start` to `end`
    (Vietnam dates): the share completed by their deadline, in percent (one decimal)."""
    completed = session.execute(
        select(IncomingDocument.completed_at, IncomingDocument.deadline).where(
            IncomingDocument.tenant_id == tenant.id,
            IncomingDocument.deadline.is_not(None),
            IncomingDocument.completed_at >= _vietnam_midnight(start),
            IncomingDocument.completed_at < _vietnam_midnight(end + timedelta(days=1)),
        )).all()
    on_time = sum(1 for done, deadline in completed
                  if done.astimezone(VIETNAM_TZ).date() <= deadline)
    return _as_figure(DeskIndicators.share(on_time, len(completed)))


def system_figures(session: Session, tenant: Tenant, period: Period) -> dict[str, Figure]:
    """The computed indicators of `period` from the agency's data as it is now (None: the
    data hold nothing to count, e.g. no dossier with a fee for the paid-online share)."""
    figures = _one_stop_figures(desk_indicators(session, tenant, period.start, period.end))
    figures["DOC_ON_TIME_RATE"] = incoming_on_time(session, tenant, period.start, period.end)
    return {indicator.code: figures[indicator.code]
            for indicator in INDICATORS if indicator.source.computed}


# --- reading and typing ------------------------------------------------------------------


def parse_figure(indicator: Indicator, typed: str | int | float | Decimal | None,
                 ) -> tuple[Figure, ProblemKind | None]:
    """The figure the learner typed: digits with one decimal mark, a comma (Vietnamese) or a
    point; empty is no figure. Anything else is refused, never guessed (a thousands separator
    would be read as a decimal mark, so whole numbers are typed without one)."""
    if isinstance(typed, bool):
        return None, ProblemKind.NOT_A_NUMBER
    if typed is None:
        return None, None
    text = str(typed).strip().replace(",", ".")
    if not text:
        return None, None
    if any(ch not in "0123456789.-+" for ch in text):
        return None, ProblemKind.NOT_A_NUMBER
    try:
        figure = Decimal(text)
    except InvalidOperation:
        return None, ProblemKind.NOT_A_NUMBER
    if not figure.is_finite():
        return None, ProblemKind.NOT_A_NUMBER
    exponent = figure.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    # "16.00" is a whole number (as the API gives figures back), "1.000" is not read as one
    if -exponent > MAX_DECIMALS or (
            -exponent > indicator.unit.decimals
            and figure != figure.quantize(Decimal(1).scaleb(-indicator.unit.decimals))):
        return None, ProblemKind.TOO_MANY_DECIMALS
    figure = figure.quantize(Decimal(1).scaleb(-indicator.unit.decimals)) \
        if -exponent > indicator.unit.decimals else figure
    if figure.adjusted() >= MAX_DIGITS:
        return figure, ProblemKind.OUT_OF_RANGE
    return figure, None


def ensure_reports(session: Session, tenant: Tenant, today: date) -> None:
    """Open a draft for every period up to today's current one that has none yet (a sandbox
    kept for months gets its new periods as time goes by)."""
    for kind in ReportKind:
        latest = session.scalars(
            select(PeriodicReport.period_start).where(PeriodicReport.tenant_id == tenant.id,
                                                      PeriodicReport.kind == kind)
            .order_by(PeriodicReport.period_start.desc())).first()
        last = current_period(kind, today)
        first = last if latest is None else period_of(kind, latest).next()
        periods = list(periods_between(first, last))
        if not periods:
            continue
        try:
            with session.begin_nested():
                for period in periods:
                    new_report(session, tenant, period)
        except IntegrityError:
            pass  # opened at the same moment by another request (a second tab): theirs stand
    session.flush()


def new_report(session: Session, tenant: Tenant, period: Period) -> PeriodicReport:
    """An empty draft for `period`, with a row for each indicator."""
    report = PeriodicReport(tenant_id=tenant.id, kind=period.kind, period_start=period.start,
                            period_end=period.end, due_date=period.due_date,
                            status=ReportStatus.DRAFT)
    report.values = [ReportValue(tenant_id=tenant.id, indicator=indicator.code,
                                 source=indicator.source, value=None, note="")
                     for indicator in INDICATORS]
    session.add(report)
    return report


def list_reports(session: Session, tenant: Tenant) -> Sequence[PeriodicReport]:
    """Every report of the agency: the drafts by due date, then the history, newest first."""
    reports = session.scalars(
        select(PeriodicReport).where(PeriodicReport.tenant_id == tenant.id)
        .options(selectinload(PeriodicReport.values))
        .order_by(PeriodicReport.due_date, PeriodicReport.kind)).all()
    drafts = [r for r in reports if not r.locked]
    history = sorted((r for r in reports if r.locked),
                     key=lambda r: (r.period_end, r.kind), reverse=True)
    return drafts + history


def get_report(session: Session, tenant: Tenant, report_id: int, *,
               for_update: bool = False) -> PeriodicReport | None:
    query = select(PeriodicReport).where(PeriodicReport.tenant_id == tenant.id,
                                         PeriodicReport.id == report_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def _editable(session: Session, tenant: Tenant, report: PeriodicReport) -> None:
    """Refuse unless the report is a draft in the database itself, and keep it one until the
    caller's transaction ends: a conditional UPDATE claims the row (a row lock on
    PostgreSQL, the write lock on SQLite, where SELECT ... FOR UPDATE does nothing), so a
    submission committed by another request a moment ago is seen, and none can slip in."""
    if report.tenant_id != tenant.id:
        raise ValueError("report belongs to another tenant")
    if report.locked:
        raise ReportRefused(LOCKED)
    claimed = session.execute(
        update(PeriodicReport)
        .where(PeriodicReport.id == report.id, PeriodicReport.status == ReportStatus.DRAFT)
        .values(status=ReportStatus.DRAFT)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise ReportRefused(LOCKED)


def _row(report: PeriodicReport, indicator: Indicator) -> ReportValue:
    row = report.value_of(indicator.code)
    if row is None:
        row = ReportValue(tenant_id=report.tenant_id, indicator=indicator.code,
                          source=indicator.source, value=None, note="")
        report.values.append(row)
    return row


def _log(session: Session, tenant: Tenant, actor: str, action: str, report: PeriodicReport,
         **details: object) -> None:
    record_activity(session, tenant, actor, action, object_type=PERIODIC_REPORT,
                    object_id=report.id, details={"kind": report.kind.value,
                                                  "period_start": report.period_start.isoformat(),
                                                  **details})


def _flag(row: ReportValue, indicator: Indicator) -> None:
    row.out_of_range = row.value is not None and not indicator.in_range(row.value)
    row.differs = indicator.source.computed and row.value != row.system_value


def fill_from_data(session: Session, tenant: Tenant, report: PeriodicReport, *,
                   actor: str) -> dict[str, Figure]:
    """Prefill the computed indicators from the agency's data for the report's period (the
    manual one is kept); a computed figure changed before is replaced, its note cleared."""
    _editable(session, tenant, report)
    figures = system_figures(session, tenant, report.period)
    for indicator in INDICATORS:
        if indicator.code not in figures:
            continue
        row = _row(report, indicator)
        row.value = row.system_value = figures[indicator.code]
        row.note = ""
        _flag(row, indicator)
    report.filled_at = utc_now()
    session.flush()
    _log(session, tenant, actor, REPORT_FILLED, report,
         figures={code: _text(figure) for code, figure in figures.items()})
    return figures


def _text(figure: Figure) -> str | None:
    return None if figure is None else str(figure)


def read_entries(entries: Mapping[str, Entry]) -> tuple[dict[str, tuple[Figure, str]],
                                                         list[Problem]]:
    """The typed figures and notes, and what cannot be taken at all (nothing is kept of a
    refused input)."""
    taken: dict[str, tuple[Figure, str]] = {}
    problems: list[Problem] = []
    for code, entry in entries.items():
        indicator = BY_CODE.get(code)
        if indicator is None:
            problems.append(Problem(ProblemKind.UNKNOWN_INDICATOR, code))
            continue
        typed = "" if entry.value is None else str(entry.value)
        figure, kind = parse_figure(indicator, entry.value)
        if kind is not None:  # not a number, too many decimals, too many digits to keep
            problems.append(Problem(kind, code, typed=typed[:100]))
            continue
        note = (entry.note or "").strip()
        if len(note) > MAX_NOTE:
            problems.append(Problem(ProblemKind.NOTE_TOO_LONG, code, typed=typed[:100]))
            continue
        taken[code] = (figure, note)
    return taken, problems


def save_values(session: Session, tenant: Tenant, report: PeriodicReport,
                entries: Mapping[str, Entry], *, actor: str) -> PeriodicReport:
    """Keep the typed figures in the draft. A figure that is not a number is refused with
    the others (nothing is kept); one out of its range, or a computed one changed, is kept
    and flagged (validation lists it, submission refuses it unless explained)."""
    _editable(session, tenant, report)
    taken, problems = read_entries(entries)
    if problems:
        raise ReportRefused(INVALID_INPUT, problems)
    changed: dict[str, str | None] = {}
    for code, (figure, note) in taken.items():
        indicator = BY_CODE[code]
        row = _row(report, indicator)
        if row.value != figure or row.note != note:
            changed[code] = _text(figure)
        row.value, row.note = figure, note
        _flag(row, indicator)
    session.flush()
    _log(session, tenant, actor, REPORT_SAVED, report, changed=changed)
    return report


def check_report(session: Session, tenant: Tenant, report: PeriodicReport,
                 figures: Mapping[str, Figure] | None = None) -> list[Problem]:
    """Every problem of the report against the agency's data as it is now, in the report's
    order: a figure missing, out of range, or differing from the data (without a note:
    blocking; with one: a warning)."""
    if figures is None:
        figures = system_figures(session, tenant, report.period)
    problems: list[Problem] = []
    for indicator in INDICATORS:
        row = report.value_of(indicator.code)
        value = row.value if row else None
        note = row.note.strip() if row else ""
        computed = indicator.source.computed
        figure = figures.get(indicator.code)
        if value is None:
            if not computed or figure is not None:
                problems.append(Problem(ProblemKind.MISSING, indicator.code,
                                        system_value=figure))
            continue
        if not indicator.in_range(value):
            problems.append(Problem(ProblemKind.OUT_OF_RANGE, indicator.code, value=value))
        if computed and value != figure:
            kind = ProblemKind.DIFFERS_EXPLAINED if note else ProblemKind.DIFFERS_WITHOUT_NOTE
            problems.append(Problem(kind, indicator.code, value=value, system_value=figure))
    return problems


def validate_report(session: Session, tenant: Tenant, report: PeriodicReport, *,
                    actor: str) -> list[Problem]:
    """Check the report (nothing in it changes); the check is logged."""
    problems = check_report(session, tenant, report)
    _log(session, tenant, actor, REPORT_VALIDATED, report,
         problems=[p.as_dict() for p in problems])
    return problems


def is_late(report: PeriodicReport, moment: datetime) -> bool:
    """After the end of the due day, Vietnam time."""
    return moment.astimezone(VIETNAM_TZ).date() > report.due_date


def submit_report(session: Session, tenant: Tenant, report: PeriodicReport, *, actor: str,
                  submitted_by: str, now: datetime | None = None) -> PeriodicReport:
    """Nộp báo cáo: refused while a figure is missing, out of range or differs from the
    data without a note; the data's figures at this moment are kept with the report; late
    (after the due day) is flagged, not refused. The report is then locked."""
    _editable(session, tenant, report)
    figures = system_figures(session, tenant, report.period)
    problems = check_report(session, tenant, report, figures)
    if any(problem.blocking for problem in problems):
        raise ReportRefused(NOT_READY, problems)
    now = now or utc_now()
    for indicator in INDICATORS:
        row = _row(report, indicator)
        if indicator.code in figures:
            row.system_value = figures[indicator.code]
        _flag(row, indicator)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = submitted_by
    report.late = is_late(report, now)
    session.flush()
    _log(session, tenant, actor, REPORT_SUBMITTED, report, late=report.late,
         due_date=report.due_date.isoformat(),
         values={row.indicator: _text(row.value) for row in report.values},
         system_values={code: _text(figure) for code, figure in figures.items()},
         differs=[row.indicator for row in report.values if row.differs])
    return report


def log_refusal(session: Session, tenant: Tenant, actor: str, report: PeriodicReport,
                refusal: ReportRefused, step: str) -> None:
    """A refused step, for the evidence (the caller has rolled the step back)."""
    _log(session, tenant, actor, REPORT_ACTION_REFUSED, report, step=step,
         reason=refusal.reason, problems=[p.as_dict() for p in refusal.problems])
