"""Course completion records: one per learner and enrolled course, from the gradebooks.

``completion_records`` is pure apart from reading the gradebooks (read-only, see
``grading.gradebook``): the roster and the catalog are passed in, nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from grading.completion import Score, completion_date, course_completed
from grading.gradebook import GradebookError, GradebookSnapshot, read_gradebook

if TYPE_CHECKING:  # only types: the catalog and roster are passed in by the caller
    from course_kit.catalog import Course
    from people.roster import Person


class RecordsError(ValueError):
    """The roster, catalog and gradebooks do not fit together; the message says how."""


@dataclass(frozen=True)
class CompletionRecord:
    """One learner's standing in one course. Field order is the HR export's column order."""

    employee_id: str
    full_name: str
    agency: str
    course_id: str
    course_title: str
    score: float
    max_score: float
    passed: bool
    completion_date: date | None
    #: The hub / nbgrader user name; not exported, kept for joining with other data.
    username: str = ""


def course_title(course: Course) -> str:
    """The title HR sees: the Vietnamese title when the catalog has one."""
    return course.title_vi or course.title


def _record(person: Person, course: Course, book: GradebookSnapshot) -> CompletionRecord:
    modules = course.module_ids
    grades = [book.grades.get((person.username, m)) for m in modules]
    score = round(sum(g.score for g in grades if g is not None), 4)
    max_score = round(sum(book.max_scores.get(m, 0.0) for m in modules), 4)
    all_graded = bool(modules) and all(
        g is not None and g.graded and m in book.max_scores
        for m, g in zip(modules, grades, strict=True)
    )
    passed = course_completed(Score(score, max_score), all_graded, course.pass_percent)
    completed_on = completion_date(g.submitted_at for g in grades if g) if passed else None
    return CompletionRecord(
        employee_id=person.employee_id,
        full_name=person.full_name,
        agency=person.agency,
        course_id=course.id,
        course_title=course_title(course),
        score=score,
        max_score=max_score,
        passed=passed,
        completion_date=completed_on,
        username=person.username,
    )


def completion_records(
    roster: Iterable[Person],
    catalog: Mapping[str, Course],
    gradebook_urls: Mapping[str, str],
) -> list[CompletionRecord]:
    """One record per learner (role "learner") per course in ``Person.courses``.

    ``catalog`` maps course id -> Course (``course_kit.catalog.load_catalog``);
    ``gradebook_urls`` maps course id -> nbgrader db URL (SQLite or PostgreSQL), one
    gradebook per course; a SQLite path that does not exist yet means "nobody has been
    graded". Rows come in roster order, then in the learner's enrolment order.

    score = sum over the catalog's modules of the learner's nbgrader score (latest graded
    submission, late penalty deducted); max_score = sum of the modules' max scores in the
    gradebook; passed and completion_date follow ``grading.completion`` (the one rule).

    Raises RecordsError when a learner is enrolled in a course missing from the catalog
    or from ``gradebook_urls``, or when a gradebook cannot be read.
    """
    learners = [p for p in roster if p.is_learner]
    wanted: dict[str, None] = {}
    problems = []
    for person in learners:
        for cid in person.courses:
            if cid not in catalog:
                problems.append(f"{person.username} is enrolled in unknown course {cid!r}")
            elif cid not in gradebook_urls:
                problems.append(f"no gradebook URL given for course {cid!r}")
            wanted.setdefault(cid, None)
    if problems:
        known = ", ".join(sorted(catalog)) or "none"
        unique = list(dict.fromkeys(problems))
        raise RecordsError("; ".join(unique) + f" (catalog courses: {known})")

    books: dict[str, GradebookSnapshot] = {}
    for cid in wanted:
        try:
            books[cid] = read_gradebook(gradebook_urls[cid], catalog[cid].module_ids)
        except GradebookError as exc:
            raise RecordsError(f"course {cid!r}: {exc}") from exc

    records = []
    for person in learners:
        for cid in dict.fromkeys(person.courses):
            records.append(_record(person, catalog[cid], books[cid]))
    return records
