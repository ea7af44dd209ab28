"""Course completion records: one per learner and enrolled course, from the gradebooks.

``iter_completion_records`` is pure apart from reading the gradebooks (read-only, see
``grading.gradebook_totals``): the roster, catalog, overrides and certificate index are
passed in, nothing is written. It checks its input first (raising before the first row),
then yields rows lazily, one course at a time: a course's gradebook is read in one
aggregate query while the previous course's rows are being written, so memory holds the
roster and at most two courses' totals, however many courses there are.

Order: courses in catalog order, learners in roster order within a course.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from grading.competency_records import CompetencyPlan
from grading.completion import CompletionOverride, Score, course_completion
from grading.gradebook import GradebookError
from grading.gradebook_totals import CourseTotals, ModuleResult, read_course_totals

if TYPE_CHECKING:  # only types: the catalog, roster and certificates are passed in
    from course_kit.catalog import Course
    from grading.certificates import IssuedCertificate
    from people.roster import Person


_NONE: Mapping[str, ModuleResult] = {}


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
        if self.since is None and self.until is None:
            return True
        when = record.completion_date
        return when is not None and (self.since is None or when >= self.since) and (
            self.until is None or when <= self.until)


def course_title(course: Course) -> str:
    """The title HR sees: the Vietnamese title when the catalog has one."""
    return course.title_vi or course.title


@lru_cache(maxsize=65536)
def _birth_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


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


def build_record(
    person: Person,
    course: Course,
    totals: CourseTotals,
    override: CompletionOverride | None = None,
    certificate: IssuedCertificate | None = None,
) -> CompletionRecord:
    """The record of one learner in one course (the one rule: ``course_completion``)."""
    plan = CoursePlan.of(course, totals.max_scores)
    return _build(person, plan, totals.results.get(person.username, {}), override, certificate)


def _build(
    person: Person,
    plan: CoursePlan,
    results: Mapping[str, ModuleResult],
    override: CompletionOverride | None,
    certificate: IssuedCertificate | None,
) -> CompletionRecord:
    graded = 0
    points = 0.0
    stamps = []
    max_scores = plan.max_scores
    for m in plan.module_ids:
        r = results.get(m)
        if r is not None:
            points += r.score
            stamps.append(r.submitted_at)
            if r.graded and m in max_scores:
                graded += 1
    score = round(points, 4)
    total = Score(score, plan.max_total)
    completion = course_completion(
        total, bool(plan.module_ids) and graded == len(plan.module_ids),
        plan.course.pass_percent, stamps, override)
    percent = total.percent
    return CompletionRecord(
        person.employee_id, person.full_name, _birth_date(person.date_of_birth), person.agency,
        person.unit, person.job_title, plan.course.id, plan.title, graded,
        len(plan.module_ids), score, plan.max_total,
        None if percent is None else round(percent, 2),
        completion.completed, completion.overridden, completion.completion_date,
        plan.competencies.reached(results) if results else (),
        # a certificate counts only beside a completion (one not withdrawn yet never shows)
        certificate.certificate_id if certificate and completion.completed else "",
        certificate.verification_url if certificate and completion.completed else "",
        person.username,
    )


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
) -> Iterator[CompletionRecord]:
    """One record per learner (role "learner") per course in ``Person.courses``, lazily.

    ``catalog`` maps course id -> Course (``course_kit.catalog.load_catalog``);
    ``gradebook_urls`` maps course id -> nbgrader db URL (SQLite or PostgreSQL); a SQLite
    path that does not exist yet means "nobody has been graded". ``overrides``: the latest
    completion override per (username, course id); ``certificates``: issued certificates
    by (username, course id) (revoked ones are not shown).

    score = sum over the catalog's modules of the learner's nbgrader score (latest graded
    submission, late penalty deducted); max_score = sum of the modules' max scores in the
    gradebook; passed and completion_date follow ``grading.completion.course_completion``.

    Raises RecordsError (before yielding anything) when a learner is enrolled in a course
    missing from the catalog or from ``gradebook_urls``, or a filtered course is unknown;
    and when a gradebook cannot be read (while iterating).
    """
    learners = [p for p in roster if p.is_learner and where.keeps_person(p)]
    course_order = _check(learners, catalog, gradebook_urls, where.course_ids)
    return _generate(learners, catalog, gradebook_urls, course_order, overrides or {},
                     certificates or {}, where, read_totals)


def _generate(
    learners: list[Person], catalog: Mapping[str, Course], urls: Mapping[str, str],
    course_order: list[str], overrides: Mapping[tuple[str, str], CompletionOverride],
    certificates: Mapping[tuple[str, str], IssuedCertificate], where: RecordFilter,
    read_totals: Callable[[str, Iterable[str]], CourseTotals],
) -> Iterator[CompletionRecord]:
    def fetch(cid: str) -> CourseTotals:
        try:
            return read_totals(urls[cid], catalog[cid].module_ids)
        except GradebookError as exc:
            raise RecordsError(f"course {cid!r}: {exc}") from exc

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gradebook") as pool:
        pending: Future[CourseTotals] | None = (
            pool.submit(fetch, course_order[0]) if course_order else None)
        for index, cid in enumerate(course_order):
            assert pending is not None
            totals = pending.result()
            # read the next course's gradebook (SQLite and psycopg release the GIL) while
            # this one's rows are formatted and written
            pending = (pool.submit(fetch, course_order[index + 1])
                       if index + 1 < len(course_order) else None)
            plan = CoursePlan.of(catalog[cid], totals.max_scores)
            results = totals.results
            filtering = where.since is not None or where.until is not None
            for person in learners:
                if cid not in person.courses:
                    continue
                key = (person.username, cid)
                cert = certificates.get(key) if certificates else None
                record = _build(person, plan, results.get(person.username, _NONE),
                                overrides.get(key) if overrides else None,
                                cert if cert is not None and not cert.revoked else None)
                if not filtering or where.keeps_record(record):
                    yield record
            del totals, results


def completion_records(
    roster: Iterable[Person],
    catalog: Mapping[str, Course],
    gradebook_urls: Mapping[str, str],
    **options: object,
) -> list[CompletionRecord]:
    """``iter_completion_records`` as a list (small rosters, tests)."""
    return list(iter_completion_records(roster, catalog, gradebook_urls, **options))  # type: ignore[arg-type]
