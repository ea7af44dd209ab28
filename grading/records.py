"""Course completion records: one per learner and enrolled course, from the gradebooks.

``iter_completion_records`` is pure apart from reading the gradebooks (read-only, see
``grading.gradebook_totals``): the roster, catalog, overrides and certificate index are
passed in, nothing is written. It checks its input first (raising before the first row),
then yields rows lazily, one course at a time, so memory holds the roster and a few
courses' results, however many courses there are.

A course's records are worked out in one pass over its gradebook (``CoursePlan``: what the
course's records share; ``CoursePlan.standing``: what varies, per learner) into compact
``CourseRecords``, which the HR export formats directly (``CompletionRecords.by_course``)
and which ``CompletionRecord`` objects are made of for everyone else. A large export is
worked out by worker processes, a course each at a time (see ``iter_completion_records``).

Order: courses in catalog order, learners in roster order within a course.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from grading.competency_records import CompetencyPlan
from grading.completion import Completion, CompletionOverride, Score, course_completion
from grading.gradebook import GradebookError
from grading.gradebook_totals import CourseTotals, ModuleResult, read_course_totals

if TYPE_CHECKING:  # only types: the catalog, roster and certificates are passed in
    from course_kit.catalog import Course
    from grading.certificates import IssuedCertificate
    from people.roster import Person


_NONE: Mapping[str, ModuleResult] = {}
T = TypeVar("T")


class RecordsError(ValueError):
    """The roster, catalog and gradebooks do not fit together; the message says how."""


@dataclass(frozen=True)
class CompletionRecord:
    """One learner's standing in one course. Field order is the HR export's column order."""

    employee_id: str
    full_name: str
    date_of_birth: date | None
    agency: str
    unit: str
    job_title: str
    course_id: str
    course_title: str
    modules_completed: int
    modules_total: int
    score: float
    max_score: float
    percent: float | None
    passed: bool
    overridden: bool
    completion_date: date | None
    #: (competency code, level reached through this course), in course order
    competencies: tuple[tuple[str, int], ...] = ()
    certificate_id: str = ""
    certificate_url: str = ""
    #: The hub / nbgrader user name; not exported, kept for joining with other data.
    username: str = ""


@dataclass(frozen=True)
class RecordFilter:
    """Which rows to produce. ``agency`` matches the roster's agency exactly, ignoring
    case (``str.casefold``); ``since``/``until`` bound the completion date (inclusive): a
    row without a completion date is left out when either is set."""

    course_ids: tuple[str, ...] | None = None
    agency: str | None = None
    since: date | None = None
    until: date | None = None

    def keeps_person(self, person: Person) -> bool:
        return self.agency is None or person.agency.casefold() == self.agency.casefold()

    def keeps_record(self, record: CompletionRecord) -> bool:
        return self.keeps_date(record.completion_date)

    def keeps_date(self, when: date | None) -> bool:
        """Whether a record completed on ``when`` (None: not completed) is kept."""
        if self.since is None and self.until is None:
            return True
        return when is not None and (self.since is None or when >= self.since) and (
            self.until is None or when <= self.until)


def course_title(course: Course) -> str:
    """The title HR sees: the Vietnamese title when the catalog has one."""
    return course.title_vi or course.title


@lru_cache(maxsize=65536)
def birth_date(value: str) -> date | None:
    """The roster's ISO date of birth as a date; None when empty or not a date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class CourseGrades(NamedTuple):
    """A learner's grades in one course (``CoursePlan.grades``)."""

    graded: int  # modules submitted and fully graded
    total: Score  # points (rounded to 4 decimals) of max points
    all_graded: bool
    percent: float | None  # rounded to 2 decimals; None out of 0 points
    #: ``course_completion`` without an override and without submission times
    completion: Completion
    competencies: tuple[tuple[str, int], ...]


#: What varies between the records of one course, per learner: (index of the learner in
#: the export's learner list, modules_completed, score, percent, passed, overridden,
#: completion_date, competencies, certificate_id, certificate_url). The HR export formats
#: these directly; ``CompletionRecords`` makes CompletionRecord objects of them.
Standing = tuple[int, int, float, float | None, bool, bool, date | None,
                 tuple[tuple[str, int], ...], str, str]


@dataclass(frozen=True)
class CoursePlan:
    """What every record of one course shares, worked out once per course."""

    course: Course
    title: str
    module_ids: tuple[str, ...]
    max_scores: Mapping[str, float]
    max_total: float
    competencies: CompetencyPlan

    @classmethod
    def of(cls, course: Course, max_scores: Mapping[str, float]) -> CoursePlan:
        ids = course.module_ids
        return cls(course, course_title(course), ids, max_scores,
                   round(sum(max_scores.get(m, 0.0) for m in ids), 4),
                   CompetencyPlan.of(course, max_scores))

    def grades(self, results: Mapping[str, ModuleResult]) -> CourseGrades:
        """What a learner's scores and graded flags in this course make, before the
        submission times and any override are looked at."""
        graded = 0
        points = 0.0
        max_scores = self.max_scores
        for m in self.module_ids:
            r = results.get(m)
            if r is not None:
                points += r.score
                if r.graded and m in max_scores:
                    graded += 1
        score = round(points, 4)
        total = Score(score, self.max_total)
        all_graded = bool(self.module_ids) and graded == len(self.module_ids)
        percent = total.percent
        return CourseGrades(
            graded, total, all_graded, None if percent is None else round(percent, 2),
            course_completion(total, all_graded, self.course.pass_percent, (), None),
            self.competencies.reached(results) if results else ())

    def standing(
        self,
        results: Mapping[str, ModuleResult],
        override: CompletionOverride | None,
        certificate: IssuedCertificate | None,
        grades: CourseGrades | None = None,
    ) -> tuple[int, float, float | None, bool, bool, date | None,
               tuple[tuple[str, int], ...], str, str]:
        """One learner's (modules_completed, score, percent, passed, overridden,
        completion_date, competencies, certificate_id, certificate_url) in this course,
        from their module results (the one rule: ``course_completion``). ``grades``: the
        learner's ``grades(results)`` when known already."""
        if grades is None:
            grades = self.grades(results)
        completion = grades.completion
        if override is not None or completion.completed:
            # an override decides alone, and the submission times date a completion: the
            # rule again, with them (without an override, whether the course is completed
            # depends on the grades only, so a "not completed" from ``grades`` stands)
            stamps = [r.submitted_at for r in map(results.get, self.module_ids)
                      if r is not None]
            completion = course_completion(grades.total, grades.all_graded,
                                           self.course.pass_percent, stamps, override)
        # a certificate counts only beside a completion (one not withdrawn yet never shows)
        shown = certificate if certificate is not None and completion.completed else None
        return (grades.graded, grades.total.points, grades.percent, completion.completed,
                completion.overridden, completion.completion_date, grades.competencies,
                shown.certificate_id if shown else "", shown.verification_url if shown else "")

    def record(self, person: Person, standing: Standing) -> CompletionRecord:
        """The CompletionRecord of one of this course's standings."""
        (_, graded, score, percent, passed, overridden, when, competencies, certificate_id,
         certificate_url) = standing
        return CompletionRecord(
            person.employee_id, person.full_name, birth_date(person.date_of_birth),
            person.agency, person.unit, person.job_title, self.course.id, self.title, graded,
            len(self.module_ids), score, self.max_total, percent, passed, overridden, when,
            competencies, certificate_id, certificate_url, person.username)


def build_record(
    person: Person,
    course: Course,
    totals: CourseTotals,
    override: CompletionOverride | None = None,
    certificate: IssuedCertificate | None = None,
) -> CompletionRecord:
    """The record of one learner in one course (the one rule: ``course_completion``)."""
    plan = CoursePlan.of(course, totals.max_scores)
    standing = plan.standing(totals.results.get(person.username, _NONE), override, certificate)
    return plan.record(person, (0, *standing))


@dataclass(frozen=True)
class CourseRecords:
    """One course's records in compact form: the course's plan, the export's learners, and
    one ``Standing`` per record (in roster order, filters applied)."""

    plan: CoursePlan
    learners: Sequence[Person]
    standings: list[Standing]


def _check(
    learners: list[Person], catalog: Mapping[str, Course], gradebook_urls: Mapping[str, str],
    course_ids: Collection[str] | None,
) -> list[str]:
    problems = []
    if course_ids is not None:
        unknown = [c for c in course_ids if c not in catalog]
        if unknown:
            known = ", ".join(sorted(catalog)) or "none"
            raise RecordsError(f"unknown course {', '.join(map(repr, unknown))} "
                               f"(known courses: {known})")
    wanted: dict[str, None] = {}
    for person in learners:
        for cid in person.courses:
            if course_ids is not None and cid not in course_ids:
                continue
            if cid not in catalog:
                problems.append(f"{person.username} is enrolled in unknown course {cid!r}")
            elif cid not in gradebook_urls:
                problems.append(f"no gradebook URL given for course {cid!r}")
            wanted.setdefault(cid, None)
    if problems:
        known = ", ".join(sorted(catalog)) or "none"
        unique = list(dict.fromkeys(problems))
        more = f"; and {len(unique) - 10} more" if len(unique) > 10 else ""
        raise RecordsError("; ".join(unique[:10]) + more + f" (catalog courses: {known})")
    return [cid for cid in catalog if cid in wanted]


def iter_completion_records(
    roster: Iterable[Person],
    catalog: Mapping[str, Course],
    gradebook_urls: Mapping[str, str],
    *,
    overrides: Mapping[tuple[str, str], CompletionOverride] | None = None,
    certificates: Mapping[tuple[str, str], IssuedCertificate] | None = None,
    where: RecordFilter = RecordFilter(),  # noqa: B008 - frozen dataclass
    read_totals: Callable[[str, Iterable[str]], CourseTotals] = read_course_totals,
    processes: int | None = None,
) -> CompletionRecords:
    """One record per learner (role "learner") per course in ``Person.courses``, lazily.

    ``catalog`` maps course id -> Course (``course_kit.catalog.load_catalog``);
    ``gradebook_urls`` maps course id -> nbgrader db URL (SQLite or PostgreSQL); a SQLite
    path that does not exist yet means "nobody has been graded". ``overrides``: the latest
    completion override per (username, course id); ``certificates``: issued certificates
    by (username, course id) (revoked ones are not shown).

    score = sum over the catalog's modules of the learner's nbgrader score (latest graded
    submission, late penalty deducted); max_score = sum of the modules' max scores in the
    gradebook; passed and completion_date follow ``grading.completion.course_completion``.

    ``processes``: how many worker processes read the gradebooks and apply the rules, a
    course each at a time (0: all in this process). None chooses: the machine's cores for a
    large export (``PARALLEL_FROM`` learner-course pairs or more) with the default
    ``read_totals`` in a single-threaded program, else 0. Workers are forked: they start
    at once and share the roster with this process, and forking a program that runs other
    threads could deadlock a worker, hence the rule. The records and their order are the
    same either way.

    Raises RecordsError (before yielding anything) when a learner is enrolled in a course
    missing from the catalog or from ``gradebook_urls``, or a filtered course is unknown;
    and when a gradebook cannot be read (while iterating).
    """
    learners = [p for p in roster if p.is_learner and where.keeps_person(p)]
    course_order = _check(learners, catalog, gradebook_urls, where.course_ids)
    job = _Job(learners, catalog, gradebook_urls, _by_course(overrides or {}),
               _by_course({k: c for k, c in (certificates or {}).items() if not c.revoked}),
               where, read_totals)
    if processes is None:
        processes = _default_processes(job, course_order)
    return CompletionRecords(_courses(job, course_order, processes))


#: The smallest export (learner-course pairs) that is worth starting worker processes for:
#: below, forking and passing the rows back cost more than they save.
PARALLEL_FROM = 20_000


def _default_processes(job: _Job, course_order: list[str]) -> int:
    if job.read_totals is not read_course_totals or len(course_order) < 2:
        return 0  # a caller's own reader (tests, totals read already) stays in this process
    wanted = set(course_order)
    pairs = sum(1 for person in job.learners for cid in person.courses if cid in wanted)
    if pairs < PARALLEL_FROM or threading.active_count() > 1:
        return 0
    if not sys.platform.startswith("linux"):
        return 0  # fork is Linux's safe default; elsewhere it is not (macOS) or missing
    cores = len(os.sched_getaffinity(0))
    return min(cores, len(course_order)) if cores > 1 else 0


def _by_course(items: Mapping[tuple[str, str], T]) -> dict[str, dict[str, T]]:
    """(username, course id) -> item as course id -> username -> item."""
    out: dict[str, dict[str, T]] = {}
    for (username, cid), item in items.items():
        out.setdefault(cid, {})[username] = item
    return out


@dataclass(frozen=True)
class _Job:
    """Everything needed to work out one course's standings: what a worker process
    inherits when it is forked."""

    learners: list[Person]
    catalog: Mapping[str, Course]
    urls: Mapping[str, str]
    overrides: Mapping[str, Mapping[str, CompletionOverride]]  # course -> username -> ...
    certificates: Mapping[str, Mapping[str, IssuedCertificate]]  # not revoked
    where: RecordFilter
    read_totals: Callable[[str, Iterable[str]], CourseTotals]

    def enrolled(self, cid: str) -> list[int]:
        """Indexes (in ``learners``) of the learners enrolled in the course, in order."""
        return [i for i, person in enumerate(self.learners) if cid in person.courses]

    def read(self, cid: str) -> CourseTotals:
        try:
            return self.read_totals(self.urls[cid], self.catalog[cid].module_ids)
        except GradebookError as exc:
            raise RecordsError(f"course {cid!r}: {exc}") from exc

    def standings(self, plan: CoursePlan, results: Mapping[str, Mapping[str, ModuleResult]]
                  ) -> list[Standing]:
        """The course's standings, in roster order, with the date filter applied."""
        cid = plan.course.id
        overrides = self.overrides.get(cid, _NO_ONE)
        certificates = self.certificates.get(cid, _NO_ONE)
        where = self.where
        filtering = where.since is not None or where.until is not None
        # equal dates and competency tuples as one object each: fewer objects to keep and,
        # from a worker, to pickle (pickle writes a repeated object once)
        same: dict[object, object] = {}
        # Learners with the same scores and graded flags have the same grades: worked out
        # once per course for each such pair of tuples (there are far fewer than learners,
        # scores being points on a small scale).
        grades: dict[tuple[tuple[float, bool] | None, ...], CourseGrades] = {}
        out: list[Standing] = []
        learners = self.learners
        module_ids = plan.module_ids
        for index in self.enrolled(cid):
            username = learners[index].username
            mine = results.get(username, _NONE)
            key = tuple([None if r is None else (r.score, r.graded)
                         for r in map(mine.get, module_ids)])
            known = grades.get(key)
            if known is None:
                known = grades[key] = plan.grades(mine)
            (graded, score, percent, passed, overridden, when, competencies, certificate_id,
             certificate_url) = plan.standing(mine, overrides.get(username),
                                              certificates.get(username), known)
            if filtering and not where.keeps_date(when):
                continue
            out.append((index, graded, score, percent, passed, overridden,
                        same.setdefault(when, when), same.setdefault(competencies, competencies),
                        certificate_id, certificate_url))
        return out

    def course(self, cid: str) -> tuple[dict[str, float], list[Standing]]:
        """(the gradebook's max scores, the standings) of one course."""
        totals = self.read(cid)
        plan = CoursePlan.of(self.catalog[cid], totals.max_scores)
        return dict(totals.max_scores), self.standings(plan, totals.results)


_NO_ONE: Mapping[str, object] = {}

#: The export a forked worker process works for (set in the worker by ``_adopt``).
_worker_job: _Job | None = None


def _adopt(job: _Job) -> None:
    """A worker's start: keep the export's job, and no cyclic garbage collection. The
    worker makes no reference cycles (refcounting frees all it makes), and the collector's
    passes would walk the whole roster shared with the parent, at a cost in time and in
    memory (each object it touches is copied, page by page, into the worker)."""
    global _worker_job
    gc.disable()
    _worker_job = job


def _course_in_worker(cid: str) -> tuple[dict[str, float], list[Standing]]:
    assert _worker_job is not None
    return _worker_job.course(cid)


def _courses(job: _Job, course_order: list[str], processes: int) -> Iterator[CourseRecords]:
    """Each course's records in catalog order: computed here, the next course's gradebook
    read on a thread meanwhile (SQLite and psycopg release the GIL while they read); or by
    ``processes`` forked workers, a few courses ahead, collected in order. Either way at most
    a few courses' results are held at a time, however many courses there are."""
    if not course_order:
        return
    with _collector_spared():
        yield from _courses_now(job, course_order, processes)


@contextlib.contextmanager
def _collector_spared() -> Iterator[None]:
    """Keep the objects that exist now (the roster above all) out of the cyclic garbage
    collector's passes while the records are made: an export makes and drops millions of
    objects, which set off full collections, and each would walk the whole roster again
    (a third of the export's time with 30,000 learners, measured). The objects go back
    under the collector afterwards (``gc.unfreeze``); the records' own objects are
    collected as usual meanwhile."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _courses_now(job: _Job, course_order: list[str], processes: int
                 ) -> Iterator[CourseRecords]:
    if processes <= 0:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradebook") as pool:
            pending = pool.submit(job.read, course_order[0])
            for index, cid in enumerate(course_order):
                totals = pending.result()
                if index + 1 < len(course_order):
                    pending = pool.submit(job.read, course_order[index + 1])
                plan = CoursePlan.of(job.catalog[cid], totals.max_scores)
                yield CourseRecords(plan, job.learners, job.standings(plan, totals.results))
                del totals
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context,
                             initializer=_adopt, initargs=(job,)) as pool:
        ahead = 2 * processes  # courses submitted and not yet collected
        futures: deque[Future[tuple[dict[str, float], list[Standing]]]] = deque(
            pool.submit(_course_in_worker, cid) for cid in course_order[:ahead])
        try:
            for index, cid in enumerate(course_order):
                max_scores, standings = futures.popleft().result()
                if index + ahead < len(course_order):
                    futures.append(pool.submit(_course_in_worker, course_order[index + ahead]))
                yield CourseRecords(CoursePlan.of(job.catalog[cid], max_scores), job.learners,
                                    standings)
        finally:
            for future in futures:
                future.cancel()


class CompletionRecords(Iterator[CompletionRecord]):
    """The records ``iter_completion_records`` yields, made lazily. ``by_course`` gives the
    same records course by course in compact form, for the HR export (which formats
    600,000 rows without making an object of each): one way or the other, not both."""

    def __init__(self, courses: Iterator[CourseRecords]) -> None:
        self._courses = courses
        self._records = self._each(courses)
        self._taken = False

    @property
    def untouched(self) -> bool:
        """No record taken yet: ``by_course`` gives them all."""
        return not self._taken

    def by_course(self) -> Iterator[CourseRecords]:
        if self._taken:
            raise RuntimeError("the records are being taken one by one already")
        return self._courses

    @staticmethod
    def _each(courses: Iterator[CourseRecords]) -> Iterator[CompletionRecord]:
        for course in courses:
            record, learners = course.plan.record, course.learners
            for standing in course.standings:
                yield record(learners[standing[0]], standing)

    def __iter__(self) -> CompletionRecords:
        return self

    def __next__(self) -> CompletionRecord:
        self._taken = True
        return next(self._records)

    def close(self) -> None:
        """Stop early: worker processes and the reading thread are stopped and joined."""
        self._records.close()
        close = getattr(self._courses, "close", None)
        if close is not None:
            close()


def completion_records(
    roster: Iterable[Person],
    catalog: Mapping[str, Course],
    gradebook_urls: Mapping[str, str],
    **options: object,
) -> list[CompletionRecord]:
    """``iter_completion_records`` as a list (small rosters, tests)."""
    return list(iter_completion_records(roster, catalog, gradebook_urls, **options))  # type: ignore[arg-type]
