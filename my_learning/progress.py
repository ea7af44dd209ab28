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
  graded       the latest submission has feedback fetched into the learner's folder (and
               the feedback does not say a trainer still grades answers by hand: then it
               is "submitted", and its provisional score is not counted)
  submitted    there is a submission (a newer one than any graded one)
  in progress  the assignment has been fetched into the learner's folder
  not started  released, not fetched
  not open yet listed in the course catalog but not released (and never submitted)

A module has two language versions in its one assignment folder (course.toml: ``notebook``,
Vietnamese and graded, and ``notebook_en``, English and display only, writing the same
answers file): ``ModuleProgress.open_path_in`` is the one to open in the learner's language,
and the feedback links name only the graded notebook's feedback (nbgrader generates one for
every notebook of a submission; the English version's has no graded cell).

A course's progress: a module is *done* when the learner has a score for it (from the
newest feedback fetched into their folder); the course's score is the sum of those scores,
and whether the course is completed is ``grading.completion.course_completion``, the one
rule the HR records and the certificates follow too.
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

from common.i18n import Language
from course_kit.catalog import Course
from grading.completion import (
    Completion,
    CompletionOverride,
    Score,
    course_completion,
    meets_pass_mark,
)
from grading.feedback import (
    feedback_awaits_manual_grade,
    feedback_not_graded,
    feedback_notebook_ids,
    read_feedback_score,
)

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
    title_vi: str = ""  # the catalog's Vietnamese title ("": the English title shows)
    #: the English version, once fetched: relative to the server root like ``open_path``
    open_path_en: str | None = None
    minutes: int | None = None  # the catalog's estimated time
    #: graded automatically, a trainer still grades answers by hand (status "submitted")
    awaiting_manual_grade: bool = False

    def title_in(self, language: Language) -> str:
        return self.title_vi if language is Language.VIETNAMESE and self.title_vi else self.title

    def open_path_in(self, language: Language) -> str | None:
        """The notebook to open in ``language``: the English version when the learner reads
        English and it is in their folder, else the Vietnamese (graded) notebook."""
        if language is Language.ENGLISH and self.open_path_en is not None:
            return self.open_path_en
        return self.open_path

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
    pass_percent: float | None = None  # the catalog's pass mark; None: course not in it
    override: CompletionOverride | None = None  # a trainer's decision (my_learning.overrides)

    def title_in(self, language: Language) -> str:
        return self.title_vi if language is Language.VIETNAMESE and self.title_vi else self.title

    @property
    def done_modules(self) -> tuple[ModuleProgress, ...]:
        """Modules with a score: graded, the feedback in the learner's folder."""
        return tuple(m for m in self.modules if m.score is not None)

    @property
    def all_graded(self) -> bool:
        return bool(self.modules) and len(self.done_modules) == len(self.modules)

    @property
    def score(self) -> Score | None:
        """The sum of the done modules' scores (out of their maximum only: the maximum of a
        module is known once it is graded); None before the first score."""
        scores = [m.score for m in self.done_modules if m.score is not None]
        return sum(scores, Score(0, 0)) if scores else None

    @property
    def completion(self) -> Completion | None:
        """The one completion rule, on the grades this page knows and the trainer's
        override of the course, if any; None without a pass mark."""
        if self.pass_percent is None:
            return None
        return course_completion(
            self.score or Score(0, 0),
            self.all_graded,
            self.pass_percent,
            (m.last_submitted for m in self.done_modules),
            self.override,
        )

    @property
    def completed(self) -> bool:
        completion = self.completion
        return completion is not None and completion.completed

    @property
    def grading_now(self) -> bool:
        """A submission waits for the grading service (the page refreshes itself)."""
        return self.grade_on_submit and any(
            m.status is Status.SUBMITTED and not m.awaiting_manual_grade for m in self.modules)

    def module(self, assignment_id: str) -> ModuleProgress | None:
        return next((m for m in self.modules if m.assignment_id == assignment_id), None)


def build_progress(
    released: Listing,
    submitted: Listing,
    catalog: Mapping[str, Course],
    root_dir: str | os.PathLike[str],
    enrolled: Iterable[str] | None = None,
    overrides: Mapping[str, CompletionOverride] | None = None,
) -> list[CourseProgress]:
    """Courses the learner sees, each with its modules' statuses (and, from `overrides` by
    course id, the trainer's override of its completion).

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
                pass_percent=course.pass_percent if course else None,
                override=(overrides or {}).get(course_id),
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

    notebook = _choose_notebook(
        module.notebook if module else None, release, module.notebook_en if module else ""
    )
    open_path = open_path_en = None
    if fetched and notebook is not None and release is not None:
        open_path = _open_path(Path(release["path"]) / notebook, root_dir)
        if module is not None and module.notebook_en:
            english = Path(release["path"]) / module.notebook_en
            # only when it is in the learner's folder (a module fetched before the trainer
            # added its English version opens in Vietnamese)
            open_path_en = _open_path(english, root_dir) if english.is_file() else None

    score = None
    awaiting_manual_grade = False
    feedback_notebooks: tuple[str, ...] = ()
    feedback_dir = _feedback_dir(graded) if graded is not None else None
    if feedback_dir is not None:
        english_id = Path(module.notebook_en).stem if module and module.notebook_en else None
        # the graded (Vietnamese) notebook's feedback: the English one's has nothing graded
        feedback_notebooks = tuple(
            n for n in feedback_notebook_ids(feedback_dir) if n != english_id
        )
        score = read_feedback_score(feedback_dir)
        if status is Status.GRADED and feedback_not_graded(feedback_dir):
            status = Status.NOT_GRADED
        elif status is Status.GRADED and feedback_awaits_manual_grade(feedback_dir):
            # a trainer still grades answers by hand: like the records, not graded yet (the
            # feedback stays readable, its score is not counted)
            status, score, awaiting_manual_grade = Status.SUBMITTED, None, True

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
        title_vi=module.title_vi if module else "",
        open_path_en=open_path_en,
        minutes=module.minutes if module else None,
        awaiting_manual_grade=awaiting_manual_grade,
    )


def _open_path(notebook: Path, root_dir: Path) -> str | None:
    """``notebook`` relative to the server's root, None when it is outside the root."""
    relative = os.path.relpath(notebook, root_dir)
    return None if relative.startswith(os.pardir) else Path(relative).as_posix()


def _choose_notebook(
    catalog_notebook: str | None, release: Mapping[str, Any] | None, english: str = ""
) -> str | None:
    """The catalog's notebook if the release has it, else the release's first notebook that
    is not the English version."""
    names = [Path(nb["path"]).name for nb in (release or {}).get("notebooks", [])]
    names = [name for name in names if name != english] or names
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
