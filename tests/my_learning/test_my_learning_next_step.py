"""A course's progress (modules done, score, completion) and its one next step: pure."""

from __future__ import annotations

from datetime import datetime

import pytest

from grading.completion import Score
from my_learning.next_step import NextStep, NextStepKind, next_step
from my_learning.progress import CourseProgress, ModuleProgress, Status

SUBMITTED_AT = datetime(2026, 11, 23, 17, 30)  # naive UTC, as nbgrader: 24/11 in Vietnam


def module(
    assignment_id: str, status: Status, score: Score | None = None, opened: bool = True
) -> ModuleProgress:
    fetched = opened and status not in (Status.NOT_OPEN, Status.NOT_STARTED)
    submitted = status in (Status.SUBMITTED, Status.GRADED, Status.NOT_GRADED)
    return ModuleProgress(
        course_id="cybersecurity",
        assignment_id=assignment_id,
        title=f"Module {assignment_id}",
        status=status,
        notebook="lesson.ipynb",
        open_path=f"cybersecurity/{assignment_id}/lesson.ipynb" if fetched else None,
        last_submitted=SUBMITTED_AT if submitted else None,
        score=score,
        feedback_notebooks=("lesson",) if status in (Status.GRADED, Status.NOT_GRADED) else (),
    )


def course(*modules: ModuleProgress, pass_percent: float | None = 70) -> CourseProgress:
    return CourseProgress(
        course_id="cybersecurity",
        title="Cybersecurity for civil servants",
        title_vi="An toàn thông tin cho cán bộ, công chức",
        modules=modules,
        pass_percent=pass_percent,
    )


def graded(assignment_id: str, points: float, max_points: float = 10) -> ModuleProgress:
    return module(assignment_id, Status.GRADED, Score(points, max_points))


# --- progress ------------------------------------------------------------------------------


def test_modules_done_and_the_score_count_graded_modules_only() -> None:
    progress = course(
        graded("cs01", 7),
        module("cs02", Status.SUBMITTED, Score(4, 5)),  # submitted again: earlier score kept
        module("cs03", Status.IN_PROGRESS),
        module("cs04", Status.NOT_GRADED),
        module("cs05", Status.GRADED),  # feedback without a score
    )
    assert [m.assignment_id for m in progress.done_modules] == ["cs01", "cs02"]
    assert progress.score == Score(11, 15)
    assert not progress.all_graded
    assert progress.completion is not None and not progress.completed  # 73 %, not all graded


def test_a_course_without_scores_has_no_score() -> None:
    progress = course(module("cs01", Status.NOT_STARTED))
    assert progress.score is None
    assert progress.completion is not None and not progress.completed
    assert course().all_graded is False  # no module: nothing to complete


def test_completion_is_the_one_rule_every_module_graded_and_the_total_passing() -> None:
    # 6/10 + 8/10 = 70 %: the pass mark reached exactly
    done = course(graded("cs01", 6), graded("cs02", 8))
    assert done.all_graded and done.completed
    completion = done.completion
    assert completion is not None
    assert completion.completion_date is not None
    assert completion.completion_date.isoformat() == "2026-11-24"  # the Vietnam date
    assert not course(graded("cs01", 6), graded("cs02", 7.9)).completed
    assert not course(graded("cs01", 10), module("cs02", Status.NOT_OPEN)).completed
    # the catalog's pass mark decides: the same scores under a pass mark of 80
    assert not course(graded("cs01", 6), graded("cs02", 8), pass_percent=80).completed


def test_a_course_missing_from_the_catalog_has_no_completion() -> None:
    progress = course(graded("cs01", 10), pass_percent=None)
    assert progress.completion is None and not progress.completed
    assert progress.score == Score(10, 10)


# --- what to do next -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("modules", "expected"),
    [
        # nothing in the course yet
        ((), NextStep(NextStepKind.NOTHING_OPEN)),
        # the first module not started
        (
            (module("cs01", Status.NOT_STARTED), module("cs02", Status.NOT_STARTED)),
            (NextStepKind.START, "cs01"),
        ),
        # in progress before anything else, even a module not started before it
        (
            (module("cs01", Status.NOT_STARTED), module("cs02", Status.IN_PROGRESS)),
            (NextStepKind.CONTINUE, "cs02"),
        ),
        # a submission that could not be graded: read why, submit again
        (
            (module("cs01", Status.NOT_GRADED), module("cs02", Status.NOT_STARTED)),
            (NextStepKind.RESUBMIT, "cs01"),
        ),
        # never wait while a module is ready to start
        (
            (module("cs01", Status.SUBMITTED), module("cs02", Status.NOT_STARTED)),
            (NextStepKind.START, "cs02"),
        ),
        (
            (graded("cs01", 9), module("cs02", Status.SUBMITTED), module("cs03", Status.NOT_OPEN)),
            (NextStepKind.WAIT_FOR_GRADING, "cs02"),
        ),
        # every open module done, the rest not opened by the trainer yet
        (
            (graded("cs01", 9), module("cs02", Status.NOT_OPEN), module("cs03", Status.NOT_OPEN)),
            (NextStepKind.WAIT_FOR_OPENING, "cs02"),
        ),
        # all graded, the total below the pass mark: the weakest module (by share of points)
        (
            (graded("cs01", 5), graded("cs02", 3, 10), graded("cs03", 1, 2)),
            (NextStepKind.IMPROVE, "cs02"),
        ),
        # a tie: the first in course order
        ((graded("cs01", 3), graded("cs02", 3)), (NextStepKind.IMPROVE, "cs01")),
        # graded, but the feedback gives no score: read it
        ((graded("cs01", 9), module("cs02", Status.GRADED)), (NextStepKind.READ_FEEDBACK, "cs02")),
        # completed: the certificate, even with a module submitted again
        ((graded("cs01", 9), module("cs02", Status.SUBMITTED, Score(9, 10))),
         NextStep(NextStepKind.COMPLETED)),
    ],
)
def test_the_next_step(
    modules: tuple[ModuleProgress, ...], expected: NextStep | tuple[NextStepKind, str]
) -> None:
    step = next_step(course(*modules))
    if isinstance(expected, NextStep):
        assert step == expected
    else:
        assert step.module is not None
        assert (step.kind, step.module.assignment_id) == expected


def test_improving_names_no_module_when_none_can_be_opened() -> None:
    """Graded modules whose folder is gone (the learner's copy removed): still a step."""
    step = next_step(course(module("cs01", Status.GRADED, Score(1, 10), opened=False)))
    assert step == NextStep(NextStepKind.IMPROVE, None)


def test_all_graded_without_a_pass_mark() -> None:
    step = next_step(course(graded("cs01", 1), pass_percent=None))
    assert step == NextStep(NextStepKind.ALL_GRADED)
