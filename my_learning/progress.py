"""What the learner has done so far: module statuses computed from nbgrader's listings.

Pure logic, no server and no exchange calls. Inputs are the dictionaries nbgrader's
`ExchangeList` returns (see nbgrader/exchange/default/list.py):

- the *released* listing (outbound): one dict per assignment with `course_id`,
  `assignment_id`, `status` ("released", or "fetched" when the learner's copy exists
  under the assignment directory), `path` and `notebooks`;
- the *cached* listing (the learner's own submission cache, `ExchangeList.cached`):
  one dict per assignment with a `submissions` list; each submission has `timestamp`,
  `has_local_feedback` and `local_feedback_path` (the folder the learner's fetched
  feedback HTML sits in).

Status of a module, first match wins:
  graded       the latest submission has feedback fetched into the learner's folder
  submitted    there is a submission (a newer one than any graded one)
  in progress  the assignment has been fetched into the learner's folder
  not started  released, not fetched
  not open yet listed in the course catalog but not released (and never submitted)
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dateutil import parser as date_parser

from course_kit.catalog import Course
from grading.completion import Score, meets_pass_mark
from grading.feedback import feedback_not_graded, feedback_notebook_ids, read_feedback_score

Listing = Sequence[Mapping[str, Any]]


class Status(enum.StrEnum):
    NOT_OPEN = "not_open"
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    GRADED = "graded"
    NOT_GRADED = "not_graded"  # the latest submission could not be graded (feedback: why)


@dataclass(frozen=True)
class ModuleProgress:
    course_id: str
    assignment_id: str
    title: str
    status: Status
    notebook: str | None  # file name of the notebook to open, inside the assignment folder
    open_path: str | None  # notebook path relative to the server root, once fetched
    last_submitted: datetime | None = None
    score: Score | None = None  # from the newest fetched feedback, possibly an older submission
    feedback_notebooks: tuple[str, ...] = ()  # notebook ids with fetched feedback HTML
    feedback_dir: str | None = None  # the folder holding those `<notebook_id>.html` files
    passed: bool | None = None  # None when there is no score or no pass mark

    @property
    def can_start(self) -> bool:
        return self.status is Status.NOT_STARTED

    @property
    def can_open(self) -> bool:
        return self.open_path is not None

    @property
    def can_submit(self) -> bool:
        return self.open_path is not None

    @property
    def has_feedback(self) -> bool:
        return bool(self.feedback_notebooks)


@dataclass(frozen=True)
class CourseProgress:
    course_id: str
    title: str
    title_vi: str
    modules: tuple[ModuleProgress, ...]
    grade_on_submit: bool = False  # graded by the grading service within a minute

    @property
    def grading_now(self) -> bool:
        """A submission waits for the grading service (the page refreshes itself)."""
        return self.grade_on_submit and any(m.status is Status.SUBMITTED for m in self.modules)

    def module(self, assignment_id: str) -> ModuleProgress | None:
        return next((m for m in self.modules if m.assignment_id == assignment_id), None)


def build_progress(
    released: Listing,
    submitted: Listing,
    catalog: Mapping[str, Course],
    root_dir: str | os.PathLike[str],
    enrolled: Iterable[str] | None = None,
) -> list[CourseProgress]:
    """Courses the learner sees, each with its modules' statuses.

    A course appears when it has released or submitted assignments, or when `enrolled`
    (the authenticator's course list, None when it does not restrict) names it.
    Titles come from `catalog`; a course or module missing there shows its id.
    """
    released_by_key = {(a["course_id"], a["assignment_id"]): a for a in released}
    submitted_by_key = {(a["course_id"], a["assignment_id"]): a for a in submitted}
    course_ids = {key[0] for key in released_by_key} | {key[0] for key in submitted_by_key}
    course_ids |= set(enrolled or ())

    def course_order(course_id: str) -> tuple[int, str]:
        course = catalog.get(course_id)
        return (0, course.title.casefold()) if course else (1, course_id)

    result = []
    for course_id in sorted(course_ids, key=course_order):
        course = catalog.get(course_id)
        known = {key[1] for key in released_by_key if key[0] == course_id}
        known |= {key[1] for key in submitted_by_key if key[0] == course_id}
        catalog_ids = list(course.module_ids) if course else []
        assignment_ids = catalog_ids + sorted(known - set(catalog_ids))
        modules = tuple(
            _module_progress(
                course,
                course_id,
                assignment_id,
                released_by_key.get((course_id, assignment_id)),
                submitted_by_key.get((course_id, assignment_id)),
                Path(root_dir),
            )
            for assignment_id in assignment_ids
        )
        result.append(
            CourseProgress(
                course_id=course_id,
                title=course.title if course else course_id,
                title_vi=course.title_vi if course else "",
                modules=modules,
                grade_on_submit=course.grade_on_submit if course else False,
            )
        )
    return result


def _module_progress(
    course: Course | None,
    course_id: str,
    assignment_id: str,
    release: Mapping[str, Any] | None,
    submission_info: Mapping[str, Any] | None,
    root_dir: Path,
) -> ModuleProgress:
    module = None
    if course is not None and assignment_id in course.module_ids:
        module = course.module(assignment_id)

    submissions = sorted(
        (submission_info or {}).get("submissions", []), key=lambda s: str(s["timestamp"])
    )
    latest = submissions[-1] if submissions else None
    graded = next((s for s in reversed(submissions) if _feedback_dir(s) is not None), None)
    fetched = release is not None and release.get("status") == "fetched"

    if latest is not None and graded is latest:
        status = Status.GRADED
    elif latest is not None:
        status = Status.SUBMITTED
    elif fetched:
        status = Status.IN_PROGRESS
    elif release is not None:
        status = Status.NOT_STARTED
    else:
        status = Status.NOT_OPEN

    notebook = _choose_notebook(module.notebook if module else None, release)
    open_path = None
    if fetched and notebook is not None and release is not None:
        relative = os.path.relpath(Path(release["path"]) / notebook, root_dir)
        if not relative.startswith(os.pardir):
            open_path = Path(relative).as_posix()

    score = None
    feedback_notebooks: tuple[str, ...] = ()
    feedback_dir = _feedback_dir(graded) if graded is not None else None
    if feedback_dir is not None:
        feedback_notebooks = feedback_notebook_ids(feedback_dir)
        score = read_feedback_score(feedback_dir)
        if status is Status.GRADED and feedback_not_graded(feedback_dir):
            status = Status.NOT_GRADED

    passed = None
    if score is not None and course is not None:
        passed = meets_pass_mark(score, course.pass_percent)

    return ModuleProgress(
        course_id=course_id,
        assignment_id=assignment_id,
        title=module.title if module else assignment_id,
        status=status,
        notebook=notebook,
        open_path=open_path,
        last_submitted=parse_timestamp(latest["timestamp"]) if latest else None,
        score=score,
        feedback_notebooks=feedback_notebooks,
        feedback_dir=str(feedback_dir) if feedback_dir is not None else None,
        passed=passed,
    )


def _choose_notebook(catalog_notebook: str | None, release: Mapping[str, Any] | None) -> str | None:
    """The catalog's notebook if the release has it, else the release's first notebook."""
    names = [Path(nb["path"]).name for nb in (release or {}).get("notebooks", [])]
    if catalog_notebook and (not names or catalog_notebook in names):
        return catalog_notebook
    return names[0] if names else None


def _feedback_dir(submission: Mapping[str, Any]) -> Path | None:
    if not submission.get("has_local_feedback") or not submission.get("local_feedback_path"):
        return None
    path = Path(submission["local_feedback_path"])
    return path if path.is_dir() else None


def parse_timestamp(timestamp: str) -> datetime | None:
    """An nbgrader timestamp ("2025-06-03 07:05:12.123456 UTC") as a datetime."""
    try:
        return date_parser.parse(str(timestamp))
    except (ValueError, OverflowError):
        return None
