"""What to do next in a course: one step, the one a learner should take now.

Pure logic over ``progress.CourseProgress``; the page turns the step into a sentence and,
where there is one, the button that takes it. The rules, first match wins:

1. completed           the course is completed (``CourseProgress.completed``, the one
                       completion rule): download the certificate
2. continue            a module is in progress: go back to it (the first one)
3. resubmit            the latest submission of a module could not be graded: read why,
                       then submit again
4. start               a module is open and not started: start the first one
5. wait for grading    a submission waits for grading
6. improve             every module is graded and the total is below the pass mark: the
                       learner can submit again; the step names the weakest module
7. all graded          every module is graded and the course has no pass mark (it is not
                       in the catalog): read the feedback
8. wait for opening    what is left has not been opened by the trainer yet
9. read feedback       a module is graded but its feedback gives no score (read it)
10. nothing open       the course has no module yet

Working on something the learner can do (2–4) comes before waiting (5), so that a learner
never waits for a grade while another module is ready for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .progress import CourseProgress, ModuleProgress, Status


class NextStepKind(StrEnum):
    COMPLETED = "completed"
    CONTINUE = "continue"
    RESUBMIT = "resubmit"
    START = "start"
    WAIT_FOR_GRADING = "wait_for_grading"
    IMPROVE = "improve"
    ALL_GRADED = "all_graded"
    WAIT_FOR_OPENING = "wait_for_opening"
    READ_FEEDBACK = "read_feedback"
    NOTHING_OPEN = "nothing_open"


@dataclass(frozen=True)
class NextStep:
    kind: NextStepKind
    module: ModuleProgress | None = None  # the module the step is about, if any


def next_step(course: CourseProgress) -> NextStep:
    """The one next step in ``course`` (see the module docstring for the rules)."""
    if not course.modules:
        return NextStep(NextStepKind.NOTHING_OPEN)
    if course.completed:
        return NextStep(NextStepKind.COMPLETED)
    for kind, status in (
        (NextStepKind.CONTINUE, Status.IN_PROGRESS),
        (NextStepKind.RESUBMIT, Status.NOT_GRADED),
        (NextStepKind.START, Status.NOT_STARTED),
        (NextStepKind.WAIT_FOR_GRADING, Status.SUBMITTED),
    ):
        module = _first(course, status)
        if module is not None:
            return NextStep(kind, module)
    if course.all_graded:
        if course.completion is None:
            return NextStep(NextStepKind.ALL_GRADED)
        return NextStep(NextStepKind.IMPROVE, _weakest(course))
    not_open = _first(course, Status.NOT_OPEN)
    if not_open is not None:
        return NextStep(NextStepKind.WAIT_FOR_OPENING, not_open)
    # left: graded modules, one at least with feedback that gives no score
    return NextStep(NextStepKind.READ_FEEDBACK, next(m for m in course.modules if m.score is None))


def _first(course: CourseProgress, status: Status) -> ModuleProgress | None:
    return next((m for m in course.modules if m.status is status), None)


def _weakest(course: CourseProgress) -> ModuleProgress | None:
    """The module with the lowest share of its points that the learner can open again (the
    first in course order on a tie); None when none can be opened."""
    candidates = [
        m for m in course.done_modules if m.can_open and m.score and m.score.percent is not None
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda m: m.score.percent if m.score else 0.0)
