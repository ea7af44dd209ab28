"""The HR records dashboard's numbers (docs/dashboards-hr.md): completion rates by agency and
by course, competency coverage by agency, and who is overdue or has not started.

Why a module of its own: the numbers must be the export's numbers, so they come from the
same records (``grading.records.iter_completion_records``, the one completion rule), read
once and folded as they stream (``summarise``). A province has 30,000 learners in 20
courses: 600,000 records, never held in memory. What is kept while folding is bounded by
the number of learners (one small integer per learner: the competencies they reached), of
agencies and courses (counters), and by ``cap`` (the rows of the two lists).

Two things the records do not carry come from the gradebook beside them, read-only, one
course at a time (``read_course_schedule``): each module's due date (nbgrader's
``assignment.duedate``, set by trainers in formgrader) and which modules each learner
submitted at all (graded or not).

The rules, in one place:

* completion rate = completed enrolments / enrolments (an enrolment is one learner in one
  course, a row of the export); with a completion period (``since``/``until``), a completion
  counts only when its date is in the period, and every enrolment still counts below the
  line (a period never turns a rate into 100 % by dropping those who have not finished);
* coverage of a competency in an agency = the agency's enrolled learners who reached the
  competency at some level in any course / the agency's enrolled learners;
* not started = enrolled in a course (not completed) without a submission of any module;
* overdue = a module whose due date has passed, not submitted by a learner whose course is
  not completed; days overdue count Vietnam calendar days.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from nbgrader.api import Assignment, SubmittedAssignment
from sqlalchemy import inspect, make_url, select
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from common.clock import to_vietnam
from grading.gradebook import GradebookError, _fail, _readonly_engine
from grading.records import CompletionRecord, RecordFilter, RecordsError

if TYPE_CHECKING:
    from course_kit.catalog import Course
    from installation.layout import DataLayout

#: Rows kept in each list (overdue modules, not started): enough to act on, light to show.
DEFAULT_LIST_CAP = 200

_T = TypeVar("_T")


class PendingKind(StrEnum):
    """Why a learner shows in the dashboard's lists."""

    NOT_STARTED = "not_started"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class CompletionRate:
    """Completions among enrolments of one agency or one course."""

    key: str  # the agency's name, or the course id
    label: str  # the agency's name, or the course title
    enrolled: int
    completed: int

    @property
    def rate(self) -> float | None:
        """completed / enrolled, 0..1; None without enrolments."""
        return self.completed / self.enrolled if self.enrolled else None


@dataclass(frozen=True)
class CoverageRow:
    """One agency's row of the coverage heatmap."""

    agency: str
    learners: int  # the agency's enrolled learners (distinct people)
    reached: tuple[int, ...]  # per competency code (``RecordsDashboard.competency_codes``)

    def share(self, index: int) -> float | None:
        """Learners who reached the code at ``index`` / learners, 0..1; None without any."""
        return self.reached[index] / self.learners if self.learners else None


@dataclass(frozen=True)
class Learner:
    """Who, as HR names them."""

    username: str
    full_name: str
    employee_id: str
    agency: str


@dataclass(frozen=True)
class NotStarted:
    learner: Learner
    course_id: str
    course_title: str
    kind: PendingKind = PendingKind.NOT_STARTED


@dataclass(frozen=True)
class OverdueModule:
    learner: Learner
    course_id: str
    course_title: str
    module_id: str
    module_title: str
    due: datetime  # Vietnam time
    days_overdue: int  # Vietnam calendar days since the due date (0: due earlier today)
    kind: PendingKind = PendingKind.OVERDUE


@dataclass(frozen=True)
class CappedList(Generic[_T]):
    """The first rows of a list and how many there are in all."""

    items: tuple[_T, ...]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class RecordsDashboard:
    """Everything the HR page shows, for one set of filters at one moment."""

    enrolments: int
    completed: int
    learners: int
    by_agency: tuple[CompletionRate, ...]  # agencies by name
    by_course: tuple[CompletionRate, ...]  # courses in catalog order
    competency_codes: tuple[str, ...]  # heatmap columns, in the framework's order
    coverage: tuple[CoverageRow, ...]  # heatmap rows, agencies by name
    overdue: CappedList[OverdueModule]  # most days overdue first
    not_started: CappedList[NotStarted]  # courses in catalog order, learners in roster order
    computed_at: datetime
    #: the earliest due date still ahead at ``computed_at``: the overdue list changes then
    next_due: datetime | None = None

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolments if self.enrolments else None


@dataclass(frozen=True)
class CourseSchedule:
    """What a course's gradebook says beyond the records: due dates and who submitted."""

    #: module id -> due moment (timezone-aware); modules without a due date are absent
    due: Mapping[str, datetime] = field(default_factory=dict)
    #: the learners with a submission (graded or not) of at least one of the course's modules
    started: frozenset[str] = frozenset()
    #: module id -> the learners who submitted it, for the modules with a due date
    submitted: Mapping[str, frozenset[str]] = field(default_factory=dict)


NO_SCHEDULE = CourseSchedule()


def _aware(moment: datetime) -> datetime:
    """nbgrader's naive UTC as an aware moment."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class _Fold:
    """The one pass over the records (``summarise``)."""

    def __init__(self, catalog: Mapping[str, Course], codes: Sequence[str], period: RecordFilter,
                 now: datetime, cap: int) -> None:
        self.catalog = catalog
        self.codes = tuple(codes)
        self.bit = {code: 1 << i for i, code in enumerate(self.codes)}
        self.period = period
        self.now = _aware(now)
        self.today = to_vietnam(self.now).date()
        self.cap = cap
        self.enrolments = self.completed = 0
        self.agency_counts: dict[str, list[int]] = {}  # agency -> [enrolled, completed]
        self.course_counts: dict[str, list[int]] = {}
        self.course_titles: dict[str, str] = {}
        self.reached: dict[str, int] = {}  # learner -> bits of the codes reached
        self.agency_of: dict[str, str] = {}
        self.overdue_heap: list[tuple[int, int, OverdueModule]] = []  # (days, -seq, row)
        self.overdue_total = 0
        self.not_started: list[NotStarted] = []
        self.not_started_total = 0
        self.next_due: datetime | None = None
        self.courses_seen: set[str] = set()

    def add(self, record: CompletionRecord, schedule: CourseSchedule) -> None:
        self.enrolments += 1
        done = record.passed and self.period.keeps_record(record)
        self.completed += done
        counts = self.agency_counts.setdefault(record.agency, [0, 0])
        counts[0] += 1
        counts[1] += done
        counts = self.course_counts.setdefault(record.course_id, [0, 0])
        counts[0] += 1
        counts[1] += done
        self.course_titles.setdefault(record.course_id, record.course_title)
        who = record.username or record.employee_id
        bits = self.reached.get(who, 0)
        for code, _level in record.competencies:
            bits |= self.bit.get(code, 0)
        self.reached[who] = bits
        self.agency_of.setdefault(who, record.agency)
        if record.course_id not in self.courses_seen:
            self.courses_seen.add(record.course_id)
            for due in schedule.due.values():
                due = _aware(due)
                if due > self.now and (self.next_due is None or due < self.next_due):
                    self.next_due = due
        if record.passed:  # a completed course (by grades or by override) is nobody's worry
            return
        learner = None
        if record.username not in schedule.started and record.modules_completed == 0:
            learner = self._learner(record)
            self.not_started_total += 1
            if len(self.not_started) < self.cap:
                self.not_started.append(NotStarted(learner, record.course_id,
                                                   record.course_title))
        if not schedule.due:
            return
        course = self.catalog.get(record.course_id)
        for module in course.modules if course is not None else ():
            due = schedule.due.get(module.id)
            if due is None or _aware(due) > self.now or record.username in (
                    schedule.submitted.get(module.id) or ()):
                continue
            self.overdue_total += 1
            due_vn = to_vietnam(_aware(due))
            days = (self.today - due_vn.date()).days
            key = (days, -self.overdue_total)
            if len(self.overdue_heap) >= self.cap and key <= self.overdue_heap[0][:2]:
                continue  # fewer days than every row kept (or as many, and later)
            learner = learner or self._learner(record)
            row = (days, -self.overdue_total, OverdueModule(
                learner, record.course_id, record.course_title, module.id, module.title,
                due_vn, days))
            if len(self.overdue_heap) < self.cap:
                heapq.heappush(self.overdue_heap, row)
            else:
                heapq.heapreplace(self.overdue_heap, row)

    @staticmethod
    def _learner(record: CompletionRecord) -> Learner:
        return Learner(record.username, record.full_name, record.employee_id, record.agency)

    def result(self) -> RecordsDashboard:
        by_agency = tuple(CompletionRate(a, a, n, c) for a, (n, c) in sorted(
            self.agency_counts.items(), key=lambda item: (item[0].casefold(), item[0])))
        order = {cid: i for i, cid in enumerate(self.catalog)}
        by_course = tuple(
            CompletionRate(cid, self.course_titles[cid], n, c)
            for cid, (n, c) in sorted(self.course_counts.items(),
                                      key=lambda item: (order.get(item[0], len(order)), item[0])))
        learners: dict[str, int] = {}
        reached: dict[str, list[int]] = {}
        for who, bits in self.reached.items():
            agency = self.agency_of[who]
            learners[agency] = learners.get(agency, 0) + 1
            row = reached.setdefault(agency, [0] * len(self.codes))
            if bits:
                for i in range(len(self.codes)):
                    if bits >> i & 1:
                        row[i] += 1
        coverage = tuple(CoverageRow(rate.key, learners.get(rate.key, 0),
                                     tuple(reached.get(rate.key, [0] * len(self.codes))))
                         for rate in by_agency)
        overdue = tuple(row for _d, _s, row in sorted(self.overdue_heap, reverse=True))
        return RecordsDashboard(
            enrolments=self.enrolments, completed=self.completed, learners=len(self.reached),
            by_agency=by_agency, by_course=by_course, competency_codes=self.codes,
            coverage=coverage, overdue=CappedList(overdue, self.overdue_total),
            not_started=CappedList(tuple(self.not_started), self.not_started_total),
            computed_at=self.now, next_due=self.next_due)


def competency_codes(catalog: Mapping[str, Course], course_ids: Iterable[str] | None = None,
                     framework_order: Sequence[str] = ()) -> tuple[str, ...]:
    """The codes the (chosen) courses' modules train: in ``framework_order`` (the framework
    file's order, which groups related codes), then any other in catalog order."""
    wanted = set(course_ids) if course_ids is not None else None
    used: dict[str, None] = {}
    for cid, course in catalog.items():
        if wanted is None or cid in wanted:
            for module in course.modules:
                for code, _level in module.competencies:
                    used.setdefault(code, None)
    rank = {code: i for i, code in enumerate(framework_order)}
    return tuple(sorted(used, key=lambda code: rank.get(code, len(rank))))


def summarise(
    rows: Iterable[tuple[CompletionRecord, CourseSchedule]],
    catalog: Mapping[str, Course],
    codes: Sequence[str],
    *,
    period: RecordFilter = RecordFilter(),  # noqa: B008 - frozen dataclass
    now: datetime,
    cap: int = DEFAULT_LIST_CAP,
) -> RecordsDashboard:
    """The dashboard from the records (each with its course's schedule), in one pass.

    ``period``: only its ``since``/``until`` are used, to count a completion; the records
    themselves should be filtered by course and agency only (see the module's rules).
    ``codes``: the heatmap's columns (``competency_codes``). ``now``: what "overdue" is
    measured against (a naive value is UTC)."""
    fold = _Fold(catalog, codes, period, now, cap)
    for record, schedule in rows:
        fold.add(record, schedule)
    return fold.result()


# --- reading an installation ------------------------------------------------------------

def read_course_schedule(db_url: str, module_ids: Iterable[str]) -> CourseSchedule:
    """The modules' due dates and who submitted, read-only (SQLite ``mode=ro`` or a
    PostgreSQL READ ONLY transaction, as ``grading.gradebook``); empty when the gradebook
    does not exist yet. Raises GradebookError when it cannot be read.

    The database does the work (``DISTINCT``; one more scan per module with a due date):
    a province's course has 60,000 submissions, which Python would walk row by row."""
    modules = sorted(set(module_ids))
    engine = _readonly_engine(db_url)
    if engine is None or not modules:
        if engine is not None:
            engine.dispose()
        return NO_SCHEDULE
    student = SubmittedAssignment.student_id
    try:
        if not inspect(engine).has_table(SubmittedAssignment.__tablename__):
            return NO_SCHEDULE
        with Session(engine) as session:
            rows = session.execute(select(Assignment.id, Assignment.name, Assignment.duedate)
                                   .where(Assignment.name.in_(modules))).all()
            ids = [aid for aid, _name, _due in rows]
            started = frozenset(session.scalars(
                select(student).distinct().where(SubmittedAssignment.assignment_id.in_(ids))))
            submitted = {
                name: frozenset(session.scalars(
                    select(student).where(SubmittedAssignment.assignment_id == aid)))
                for aid, name, due in rows if due is not None}
    except SQLAlchemyError as exc:
        raise _fail(db_url, exc) from exc
    finally:
        engine.dispose()
    due = {name: _aware(moment if isinstance(moment, datetime)
                        else datetime.fromisoformat(str(moment)))
           for _aid, name, moment in rows if moment is not None}
    return CourseSchedule(due, started, submitted)


def _with_schedules(records: Iterable[CompletionRecord], catalog: Mapping[str, Course],
                    urls: Mapping[str, str]) -> Iterator[tuple[CompletionRecord, CourseSchedule]]:
    """Each record with its course's schedule. The records come one course at a time, so
    one schedule is held at a time (a course met again is read again: correct, if slower)."""
    current: tuple[str, CourseSchedule] | None = None
    for record in records:
        if current is None or current[0] != record.course_id:
            current = None  # let the previous course's go before reading the next
            course = catalog[record.course_id]
            try:
                schedule = read_course_schedule(urls[record.course_id], course.module_ids)
            except GradebookError as exc:  # as the records say it
                raise RecordsError(f"course {record.course_id!r}: {exc}") from exc
            current = (record.course_id, schedule)
        yield record, current[1]


def installation_dashboard(layout: DataLayout, where: RecordFilter, now: datetime, *,
                           cap: int = DEFAULT_LIST_CAP) -> RecordsDashboard:
    """The dashboard of an installation, loaded as ``installation_records.write_records``
    loads the export (roster, checked catalog, gradebook URLs, overrides, certificates).
    ``where``: course and agency narrow the records; since/until the completions counted.
    Raises RecordsError (a gradebook that cannot be read included) as the export does."""
    from grading.certificates import certificate_index
    from grading.competencies import load_framework
    from grading.competency_records import load_checked_catalog
    from grading.completion_overrides import load_overrides
    from grading.records import iter_completion_records
    from installation.settings import InstallSettings
    from people.roster import load_roster

    settings = InstallSettings.load(layout)
    catalog = load_checked_catalog(layout.catalog_dir)
    urls = {cid: settings.gradebook_url(layout, cid) for cid in catalog}
    records = iter_completion_records(
        load_roster(layout.roster_file), catalog, urls,
        overrides=load_overrides(layout.completion_overrides_file),
        certificates=certificate_index(layout.certificates_dir),
        where=RecordFilter(course_ids=where.course_ids, agency=where.agency),
    )
    codes = competency_codes(catalog, where.course_ids, tuple(load_framework().platform))
    return summarise(_with_schedules(records, catalog, urls), catalog, codes, period=where,
                     now=now, cap=cap)


#: A file's identity for caching: (path, modification time in ns, size), or (path, -1, -1)
#: when it does not exist or cannot be read.
FileStamp = tuple[str, int, int]


@dataclass(frozen=True)
class SourceStamps:
    """What the dashboard of an installation is computed from, as file stamps: equal stamps,
    equal dashboard (for the same filters, on the same day, before ``next_due``)."""

    files: tuple[FileStamp, ...]
    #: False when a gradebook is not a file (PostgreSQL): its changes cannot be seen here
    complete: bool


def _stamp(path: Path) -> FileStamp:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1)
    return (str(path), st.st_mtime_ns, st.st_size)


def source_stamps(layout: DataLayout) -> SourceStamps:
    """Stamps of the roster, the settings, the catalog's files, the overrides, the
    certificate registry and every SQLite gradebook (with its journal and WAL files)."""
    from grading.certificates import REGISTRY_FILE
    from installation.settings import InstallSettings

    paths = [layout.settings_file, layout.databases_file, layout.roster_file,
             layout.completion_overrides_file, layout.certificates_dir / REGISTRY_FILE]
    paths += sorted(layout.catalog_dir.glob("*.toml")) + sorted(
        layout.catalog_dir.glob("*/course.toml"))
    complete = True
    try:
        settings = InstallSettings.load(layout)
        from course_kit.catalog import load_catalog

        course_ids = sorted(load_catalog(layout.catalog_dir))
        urls = [settings.gradebook_url(layout, cid) for cid in course_ids]
    except Exception:  # the dashboard's own load will say what is wrong
        urls, complete = [], False
    for url in urls:
        try:
            parsed = make_url(url)
        except ArgumentError:
            complete = False
            continue
        if parsed.get_backend_name() != "sqlite" or not parsed.database:
            complete = False
            continue
        db = Path(parsed.database)
        paths += [db, db.with_name(db.name + "-journal"), db.with_name(db.name + "-wal")]
    return SourceStamps(tuple(_stamp(p) for p in paths), complete)


def vietnam_today(now: datetime) -> date:
    """The Vietnam calendar date of ``now`` (naive: UTC)."""
    return to_vietnam(_aware(now)).date()


__all__ = [
    "DEFAULT_LIST_CAP", "NO_SCHEDULE", "CappedList", "CompletionRate", "CourseSchedule",
    "CoverageRow", "Learner", "NotStarted", "OverdueModule", "PendingKind", "RecordsDashboard",
    "SourceStamps", "competency_codes", "installation_dashboard", "read_course_schedule",
    "source_stamps", "summarise", "vietnam_today",
]
