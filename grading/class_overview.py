"""A trainer's class overview: for a course, every learner × every module, and the course's
result for each learner by the one completion rule.

The cells come from the course's nbgrader gradebook (``grading.gradebook_totals``) and from
nbgrader's exchange (a submission not graded yet: ``grading.on_submit.waiting_submissions``,
the grading service's own queue; as the grading service last published it,
``published_waiting``, where this process may not list the exchange: the dashboards' own
account); the course results from ``grading.records`` (the same
records as the HR export and My learning: overrides and certificates applied). The
functions that build the overview are pure (their inputs are passed in) and the one that
reads an installation, ``load_class_overview``, only gathers those inputs: the dashboards'
page renders what it returns.

A cell's status:

* not submitted: nothing in the gradebook and nothing waiting in the exchange;
* waiting for grading: submitted, not graded yet (or submitted again since the last grade);
* waiting for manual grading: graded automatically, but a trainer must still grade some
  cells in formgrader (nbgrader's ``needs_manual_grade``);
* graded: the score of the module's maximum.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from common.roles import Role
from common.text import ascii_fold
from grading.completion import CompletionOverride
from grading.gradebook_totals import CourseTotals, ModuleResult
from grading.records import CompletionRecord, course_title

if TYPE_CHECKING:
    from course_kit.catalog import Course
    from installation.layout import DataLayout
    from people.roster import Person


class CellStatus(StrEnum):
    """Where one learner stands in one module."""

    NOT_SUBMITTED = "not-submitted"
    WAITING_FOR_GRADING = "waiting-for-grading"
    WAITING_FOR_MANUAL_GRADING = "waiting-for-manual-grading"
    GRADED = "graded"


class LearnerStatus(StrEnum):
    """What a trainer filters the class by; a learner may be in several (not completed and
    waiting for grading, say)."""

    COMPLETED = "completed"
    NOT_COMPLETED = "not-completed"
    #: nothing submitted in any module of the course
    NOT_STARTED = "not-started"
    #: a module submitted and not graded yet, automatically or by hand
    WAITING_FOR_GRADING = "waiting-for-grading"
    #: a module waiting for the trainer's manual grade in formgrader
    WAITING_FOR_MANUAL_GRADING = "waiting-for-manual-grading"
    #: the completion was overridden by a trainer (or an admin)
    OVERRIDDEN = "overridden"


@dataclass(frozen=True)
class ModuleCell:
    module_id: str
    status: CellStatus
    #: the gradebook's score (late penalty deducted); None when nothing was graded yet
    score: float | None = None
    #: the module's maximum in the gradebook; None when the gradebook does not have it yet
    max_score: float | None = None
    #: the latest submission (naive UTC, as nbgrader's)
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class LearnerRow:
    username: str
    employee_id: str
    full_name: str
    agency: str
    cells: tuple[ModuleCell, ...]
    #: the course's result by the one rule (modules completed, score, completed, certificate)
    record: CompletionRecord
    #: the latest override of this learner's course, if any
    override: CompletionOverride | None
    statuses: frozenset[LearnerStatus]


@dataclass(frozen=True)
class ClassOverview:
    course: Course
    title: str
    rows: tuple[LearnerRow, ...]

    @property
    def module_ids(self) -> tuple[str, ...]:
        return self.course.module_ids

    @property
    def agencies(self) -> tuple[str, ...]:
        """The agencies of the class's learners, in alphabetical order (diacritics folded)."""
        return tuple(sorted({row.agency for row in self.rows if row.agency},
                            key=lambda name: (ascii_fold(name).casefold(), name)))

    def filtered(self, agency: str | None = None,
                 status: LearnerStatus | None = None) -> tuple[LearnerRow, ...]:
        """The rows of learners of ``agency`` (exactly) in ``status``; all rows for None."""
        return tuple(row for row in self.rows
                     if (agency is None or row.agency == agency)
                     and (status is None or status in row.statuses))

    def modules_waiting_for_manual_grading(self) -> tuple[str, ...]:
        """The modules (course order) where some learner waits for a manual grade."""
        return tuple(m for index, m in enumerate(self.module_ids)
                     if any(row.cells[index].status is CellStatus.WAITING_FOR_MANUAL_GRADING
                            for row in self.rows))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def module_cell(module_id: str, result: ModuleResult | None, max_score: float | None,
                waiting_since: datetime | None = None) -> ModuleCell:
    """One learner's cell of one module: ``result`` from the gradebook, ``waiting_since``
    the learner's newest submission waiting in the exchange (both naive UTC or aware)."""
    newer = waiting_since is not None and (
        result is None or result.submitted_at is None
        or _utc(waiting_since) > _utc(result.submitted_at))
    if newer:
        return ModuleCell(module_id, CellStatus.WAITING_FOR_GRADING,
                          result.score if result is not None else None, max_score,
                          waiting_since)
    if result is None:
        return ModuleCell(module_id, CellStatus.NOT_SUBMITTED, None, max_score)
    status = CellStatus.GRADED if result.graded else CellStatus.WAITING_FOR_MANUAL_GRADING
    return ModuleCell(module_id, status, result.score, max_score, result.submitted_at)


def learner_statuses(cells: Sequence[ModuleCell], record: CompletionRecord) -> frozenset[
        LearnerStatus]:
    """The filter statuses of a learner's row."""
    statuses = {LearnerStatus.COMPLETED if record.passed else LearnerStatus.NOT_COMPLETED}
    if record.overridden:
        statuses.add(LearnerStatus.OVERRIDDEN)
    kinds = {cell.status for cell in cells}
    if kinds <= {CellStatus.NOT_SUBMITTED}:
        statuses.add(LearnerStatus.NOT_STARTED)
    if kinds & {CellStatus.WAITING_FOR_GRADING, CellStatus.WAITING_FOR_MANUAL_GRADING}:
        statuses.add(LearnerStatus.WAITING_FOR_GRADING)
    if CellStatus.WAITING_FOR_MANUAL_GRADING in kinds:
        statuses.add(LearnerStatus.WAITING_FOR_MANUAL_GRADING)
    return frozenset(statuses)


def build_class_overview(
    course: Course,
    learners: Iterable[Person],
    totals: CourseTotals,
    records: Iterable[CompletionRecord],
    overrides: Mapping[tuple[str, str], CompletionOverride] | None = None,
    waiting: Mapping[str, Mapping[str, datetime]] | None = None,
) -> ClassOverview:
    """The overview of ``course``: a row per learner (in the order given) with a record in
    ``records`` (``grading.records``' for this course), a cell per module in catalog order.
    ``waiting``: {module: {learner: submission time}} of the submissions not graded yet."""
    by_user = {r.username: r for r in records if r.course_id == course.id}
    overrides = overrides or {}
    waiting = waiting or {}
    rows = []
    for person in learners:
        record = by_user.get(person.username)
        if record is None:
            continue
        results = totals.results.get(person.username, {})
        cells = tuple(
            module_cell(m, results.get(m), totals.max_scores.get(m),
                        waiting.get(m, {}).get(person.username))
            for m in course.module_ids)
        rows.append(LearnerRow(person.username, person.employee_id, person.full_name,
                               person.agency, cells, record,
                               overrides.get((person.username, course.id)),
                               learner_statuses(cells, record)))
    return ClassOverview(course, course_title(course), tuple(rows))


def taught_courses(roster: Iterable[Person], catalog: Mapping[str, Course],
                   username: str) -> list[Course]:
    """The courses ``username`` teaches (a trainer of the roster), in catalog order."""
    person = next((p for p in roster if p.username == username), None)
    if person is None or person.role is not Role.TRAINER:
        return []
    return [course for cid, course in catalog.items() if cid in person.courses]


def course_learners(roster: Iterable[Person], course_id: str) -> list[Person]:
    """The learners of the roster enrolled in the course, in roster order."""
    return [p for p in roster if p.is_learner and course_id in p.courses]


def override_history(path: Path, course_ids: Collection[str]) -> list[CompletionOverride]:
    """Every override of these courses, newest first (``load_overrides`` keeps the latest
    of each learner's course; the class's history is every line of the same file)."""
    from grading.completion_overrides import iter_overrides

    history = [o for o in iter_overrides(path) if o.course_id in course_ids]
    history.reverse()
    return history


def load_class_overview(layout: DataLayout, course: Course,
                        roster: Sequence[Person]) -> ClassOverview:
    """The overview of one course of an installation: its gradebook (read-only), its
    submissions waiting in the exchange, the overrides and the certificates."""
    from grading.certificates import certificate_index
    from grading.completion_overrides import load_overrides
    from grading.gradebook_totals import read_course_totals
    from grading.nbgrader_runner import CourseWorkspace
    from grading.on_submit import published_waiting, waiting_submissions
    from grading.records import RecordFilter, iter_completion_records
    from installation.settings import InstallSettings

    url = InstallSettings.load(layout).gradebook_url(layout, course.id)
    totals = read_course_totals(url, course.module_ids)
    overrides = load_overrides(layout.completion_overrides_file)
    learners = course_learners(roster, course.id)
    records = iter_completion_records(
        learners, {course.id: course}, {course.id: url}, overrides=overrides,
        certificates=certificate_index(layout.certificates_dir),
        where=RecordFilter(course_ids=(course.id,)),
        read_totals=lambda _url, _modules: totals)  # read once, above
    try:
        waiting = waiting_submissions(CourseWorkspace(
            course.id, layout.course_dir(course.id), exchange_dir=layout.exchange_dir))
    except PermissionError:  # the dashboards' own account (isolated mode): as published
        waiting = published_waiting(layout, course.id) or {}
    return build_class_overview(course, learners, totals, records, overrides, waiting)
