"""Autograde one assignment of a course: nbgrader's workflow, answers as data, in a sandbox.

``academy grade autograde MODULE`` does what a trainer would do by hand in the course
folder, with nbgrader's own commands and pieces, so nbgrader knowledge transfers and the
course stays usable with plain nbgrader and formgrader::

    nbgrader collect --update MODULE          # as the course's grader account
    (autograde)                               # grading.engine: parallel, sandboxed
    practical tasks from e-office evidence    # grading.practical_tasks, in this process
    nbgrader generate_feedback MODULE         # feedback for learners: no code, no tests
    nbgrader release_feedback MODULE

The autograde step is ``grading.engine.AutogradeEngine``: each submission is rebuilt from
the trainer's notebook, only its checked answers file is used, and the hidden tests run in
a sandboxed kernel. An unknown module raises ``UnknownAssignmentError`` and changes
nothing; a per-course lock stops two runs overlapping; a submission that cannot be graded
is reported with the reason and the others are graded; a run that is killed is resumed by
running it again (only what is missing is graded). nbgrader's output goes to one log file
per run; error messages carry its tail.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from common.files import atomic_write
from grading.completion import format_points
from grading.engine import AutogradeEngine, GradeStatus, GradingOutcome, Owner, Progress
from grading.feedback import not_graded_page
from grading.gradebook import GradebookError, assignment_names, read_gradebook
from grading.kernel_sandbox import SandboxError, SandboxLimits, sandbox_account
from grading.nbgrader_runner import (
    NBGRADER,
    Account,
    CourseWorkspace,
    GradingError,
    NbgraderRunner,
    StepOutcome,
    resolve_account,
)
from grading.practical_tasks import PracticalScore, fetch_evidence, score_practical_tasks

__all__ = [
    "AutogradeReport",
    "CourseWorkspace",
    "EvidenceAccess",
    "GradingBusyError",
    "GradingError",
    "NbgraderStepError",
    "StepOutcome",
    "UnknownAssignmentError",
    "FeedbackRefresh",
    "autograde_assignment",
    "refresh_feedback",
    "check_assignment",
]

class UnknownAssignmentError(GradingError, LookupError):
    """The assignment is not in the course's gradebook. Nothing was changed."""

    def __init__(self, course_id: str, assignment: str, known: list[str]):
        self.course_id = course_id
        self.assignment = assignment
        self.known = known
        listing = ", ".join(known) if known else "none yet"
        super().__init__(
            f"course {course_id!r} has no assignment {assignment!r} in its gradebook "
            f"(known assignments: {listing}). A new assignment must first be created with "
            f"`nbgrader generate_assignment {assignment}` in the course directory."
        )


class GradingBusyError(GradingError):
    """Another autograde run holds this course's lock."""


class NbgraderStepError(GradingError):
    """An nbgrader step that everything else depends on (collect) failed."""

    def __init__(self, step: StepOutcome, log_file: Path):
        self.step = step
        self.log_file = log_file
        super().__init__(
            f"`{step.command}` failed ({step.describe_exit()}); full log: {log_file}\n"
            f"--- last lines ---\n{step.tail}"
        )


@dataclass(frozen=True)
class EvidenceAccess:
    """Where the grader reads the sandbox e-office's evidence, and with which token.

    Used only in the grading process (never passed to a learner's kernel). ``token`` is
    one token for the whole run or a function giving a token per learner.
    """

    url: str
    token: str | Callable[[str], str] = field(repr=False)

    def token_for(self, student_id: str) -> str:
        return self.token(student_id) if callable(self.token) else self.token


@dataclass(frozen=True)
class AutogradeReport:
    course_id: str
    assignment: str
    log_file: Path
    collect: StepOutcome
    students: tuple[GradingOutcome, ...]
    generate_feedback: StepOutcome | None  # None: nothing autograded to give feedback on
    release_feedback: StepOutcome | None
    practical_tasks: tuple[PracticalScore, ...] = ()
    seconds: float = 0.0

    @property
    def failed_students(self) -> list[str]:
        """Learners whose submission could not be graded."""
        return [s.student_id for s in self.students if s.status is GradeStatus.NOT_GRADED]

    @property
    def failed(self) -> list[str]:
        """Same as ``failed_students``."""
        return self.failed_students

    @property
    def feedback_ok(self) -> bool:
        return all(s is None or s.ok for s in (self.generate_feedback, self.release_feedback))

    @property
    def ok(self) -> bool:
        return not self.failed_students and self.feedback_ok

    def summary(self) -> str:
        """Human-readable lines for the trainer's terminal."""
        lines = [f"{self.course_id} / {self.assignment}: {len(self.students)} submission(s)"]
        for s in self.students:
            score = (
                f" {format_points(s.score)}/{format_points(s.max_score)}"
                if s.score is not None and s.max_score is not None
                else ""
            )
            extra = f": {s.reason}" if s.reason else ""
            lines.append(f"  {s.student_id}: {s.status.value}{score}{extra}")
            lines.extend(f"    - {problem}" for problem in s.problems)
        for name, step in (
            ("generate_feedback", self.generate_feedback),
            ("release_feedback", self.release_feedback),
        ):
            if step is None:
                lines.append(f"  {name}: skipped (nothing autograded)")
            elif not step.ok:
                lines.append(f"  {name}: FAILED ({step.describe_exit()})")
        if self.failed_students:
            lines.append("COULD NOT GRADE: " + ", ".join(self.failed_students))
        lines.append(f"log: {self.log_file}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The machine-readable summary (``academy grade autograde --json``)."""
        return {
            "course": self.course_id,
            "module": self.assignment,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "counts": {
                status.value: sum(1 for s in self.students if s.status is status)
                for status in GradeStatus
            },
            "students": [s.as_json() for s in self.students],
            "practical_tasks": [
                {"student": p.student_id, "task": p.task_id, "done": p.done, "points": p.points}
                for p in self.practical_tasks
            ],
            "feedback": {
                "generate": None if self.generate_feedback is None else self.generate_feedback.ok,
                "release": None if self.release_feedback is None else self.release_feedback.ok,
            },
            "log": str(self.log_file),
        }


def _ensure_logs_dir(course: CourseWorkspace, account: Account | None) -> Path:
    logs = course.logs
    created = not logs.exists()
    logs.mkdir(parents=True, exist_ok=True)
    if created and account is not None:
        os.chown(logs, account.uid, account.gid)
    return logs


@contextlib.contextmanager
def _course_lock(
    logs: Path,
    course_id: str,
    account: Account | None,
    wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """One autograde run per course at a time (flock; released when the process ends).

    When another run holds it: GradingBusyError, or, with ``wait``, say so through
    ``wait`` and block until that run ends."""
    path = logs / "autograde.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if account is not None:
            os.fchown(fd, account.uid, account.gid)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = (
                f"another autograde run is in progress for course {course_id!r} "
                f"(lock {path})"
            )
            if wait is None:
                raise GradingBusyError(message + "; wait for it to finish") from None
            wait(message + ": waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _open_log(logs: Path, assignment: str, account: Account | None) -> tuple[Path, IO[bytes]]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = logs / f"autograde-{assignment}-{stamp}-{os.getpid()}.log"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
    if account is not None:
        os.fchown(fd, account.uid, account.gid)
    return path, os.fdopen(fd, "a+b")


# --- public API --------------------------------------------------------------------------


def list_assignments(course: CourseWorkspace) -> list[str]:
    """The assignments in the course's gradebook, sorted. Reads only; [] if no gradebook."""
    try:
        return assignment_names(course.gradebook_url)
    except GradebookError as exc:
        raise GradingError(f"course {course.course_id!r}: {exc}") from exc


def submitted_students(course: CourseWorkspace, assignment: str) -> list[str]:
    """Learners with a collected submission of ``assignment`` (``submitted/<id>/<a>/``)."""
    submitted = Path(course.root) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(d.name for d in submitted.iterdir() if (d / assignment).is_dir())


def _autograded_any(course: CourseWorkspace, assignment: str) -> bool:
    autograded = Path(course.root) / "autograded"
    return autograded.is_dir() and any((d / assignment).is_dir() for d in autograded.iterdir())


def _not_graded_feedback(
    course: CourseWorkspace,
    assignment: str,
    outcome: GradingOutcome,
    notebook_ids: Sequence[str],
    account: Account | None,
) -> None:
    """The learner's feedback for a submission that could not be graded: why, in nbgrader's
    feedback folder with the submission's timestamp and secret, so ``release_feedback``
    hands it to the learner like any feedback."""
    submitted = Path(course.root) / "submitted" / outcome.student_id / assignment
    folder = Path(course.root) / "feedback" / outcome.student_id / assignment
    try:
        timestamp = (submitted / "timestamp.txt").read_text(encoding="utf-8")
        secret = (submitted / "submission_secret.txt").read_text(encoding="utf-8")
    except OSError:
        return  # not submitted through the exchange: nothing to release to
    created = []
    path = folder
    while not path.exists():
        created.append(path)
        path = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    files = {"timestamp.txt": timestamp, "submission_secret.txt": secret}
    reason = outcome.reason or "unknown"
    for notebook_id in notebook_ids:
        files[f"{notebook_id}.html"] = not_graded_page(notebook_id, reason)
    for name, text in files.items():
        atomic_write(folder / name, text, mode=0o644)
    if account is not None:
        for path in [*created, *(folder / name for name in files)]:
            os.chown(path, account.uid, account.gid)


def check_assignment(course: CourseWorkspace, assignment: str) -> None:
    """Raise UnknownAssignmentError unless ``assignment`` is in the gradebook. Read-only."""
    known = list_assignments(course)
    if assignment not in known:
        raise UnknownAssignmentError(course.course_id, assignment, known)


def _score_practical_tasks(
    course: CourseWorkspace,
    assignment: str,
    evidence: EvidenceAccess,
    students: list[str],
    log_path: Path,
) -> list[PracticalScore]:
    by_student = {
        s: fetch_evidence(evidence.url, evidence.token_for(s), s) for s in students
    }
    scores = score_practical_tasks(course.gradebook_url, course.course_id, assignment, by_student)
    with open(log_path, "a", encoding="utf-8") as log:
        for score in scores:
            log.write(
                f"practical task {score.task_id} for {score.student_id}: "
                f"{score.points:g} points ({score.detail})\n"
            )
    return scores


def autograde_assignment(
    course: CourseWorkspace,
    assignment: str,
    evidence: EvidenceAccess,
    run_as: str | None = None,
    *,
    workers: int = 2,
    students: Sequence[str] | None = None,
    limits: SandboxLimits = SandboxLimits(),  # noqa: B008 - frozen dataclass
    progress: Callable[[Progress], None] | None = None,
    timeout_per_step: float | None = 1800,
    regrade: bool = False,
    wait_if_busy: Callable[[str], None] | None = None,
) -> AutogradeReport:
    """Collect, autograde (``grading.engine``), score practical tasks, release feedback.

    ``students`` limits grading to those learners (default: every collected submission).
    ``regrade`` grades again submissions already graded (default: only new ones).
    ``wait_if_busy``: when another run holds the course, wait for it (told through this
    function) instead of raising GradingBusyError.
    Raises UnknownAssignmentError (nothing changed), GradingError for set-up problems
    (no nbgrader_config.py, bad run_as, no sandbox), GradingBusyError when another run
    holds the course lock, NbgraderStepError when `nbgrader collect` fails. Submissions
    that cannot be graded do not raise: see ``AutogradeReport.ok`` and ``summary()``.
    """
    started = time.monotonic()
    check_assignment(course, assignment)
    if not course.config_file.is_file():
        raise GradingError(
            f"{course.config_file} is missing: nbgrader would not find the course, "
            f"exchange and gradebook"
        )
    if not NBGRADER.exists():
        raise GradingError(f"nbgrader is not installed in this environment ({NBGRADER})")
    account = resolve_account(run_as)
    try:
        sandbox = sandbox_account()
    except SandboxError as exc:
        raise GradingError(str(exc)) from exc

    logs = _ensure_logs_dir(course, account)
    with _course_lock(logs, course.course_id, account, wait_if_busy):
        log_path, log = _open_log(logs, assignment, account)
        with log:
            runner = NbgraderRunner(course, log, account, timeout_per_step)
            collect = runner.run("collect", "--update", assignment)
            if not collect.ok:
                raise NbgraderStepError(collect, log_path)
            collected = submitted_students(course, assignment)
            if students is not None:
                unknown = sorted(set(students) - set(collected))
                if unknown:
                    raise GradingError(
                        f"no collected submission of {assignment!r} for: {', '.join(unknown)}"
                    )
                collected = [s for s in collected if s in set(students)]
            engine = AutogradeEngine(
                Path(course.root),
                course.course_id,
                course.gradebook_url,
                assignment,
                workers=workers,
                limits=limits,
                account=sandbox,
                owner=Owner(account.uid, account.gid) if account is not None else None,
                progress=progress,
                log=lambda line: log.write((line + "\n").encode()),
            )
            outcomes = engine.run(collected, force=regrade)
            graded = [o.student_id for o in outcomes if o.status is not GradeStatus.NOT_GRADED]
            practical: list[PracticalScore] = []
            if graded:
                practical = _score_practical_tasks(course, assignment, evidence, graded, log_path)
            generate = release = None
            # feedback for everyone graded; for one learner only when only one was asked for
            # (grade on submit), since nbgrader renders every learner's feedback otherwise
            only = [f"--student={graded[0]}"] if students is not None and len(graded) == 1 else []
            for outcome in outcomes:  # nbgrader keeps feedback of the same timestamp: a
                if outcome.status is GradeStatus.GRADED:  # regraded submission gets new
                    shutil.rmtree(
                        Path(course.root) / "feedback" / outcome.student_id / assignment,
                        ignore_errors=True,
                    )
            if graded and _autograded_any(course, assignment):
                generate = runner.run("generate_feedback", assignment, *only)
            failed = [o for o in outcomes if o.status is GradeStatus.NOT_GRADED]
            for outcome in failed:  # after generate_feedback, which must not replace it
                _not_graded_feedback(course, assignment, outcome, engine.notebook_ids, account)
            if failed and len(failed) + len(graded) > 1:
                only = []
            elif failed:
                only = [f"--student={failed[0].student_id}"]
            if graded or failed:
                release = runner.run("release_feedback", assignment, *only)

    # practical tasks changed the totals: read the final scores
    final = []
    for outcome in outcomes:
        if outcome.status is not GradeStatus.NOT_GRADED:
            outcome.score, outcome.max_score = engine.score_of(outcome.student_id)
        final.append(outcome)
    return AutogradeReport(
        course_id=course.course_id,
        assignment=assignment,
        log_file=log_path,
        collect=collect,
        students=tuple(final),
        generate_feedback=generate,
        release_feedback=release,
        practical_tasks=tuple(practical),
        seconds=time.monotonic() - started,
    )


@dataclass(frozen=True)
class FeedbackRefresh:
    """What ``refresh_feedback`` did for one learner's submission."""

    course_id: str
    assignment: str
    student: str
    generate_feedback: StepOutcome | None  # None: not refreshed (still waiting, no submission)
    release_feedback: StepOutcome | None
    reason: str = ""  # why it was not refreshed

    @property
    def ok(self) -> bool:
        return all(step is None or step.ok
                   for step in (self.generate_feedback, self.release_feedback))


def refresh_feedback(
    course: CourseWorkspace,
    assignment: str,
    student: str,
    run_as: str | None = None,
    *,
    timeout_per_step: float | None = 600,
    wait_if_busy: Callable[[str], None] | None = None,
) -> FeedbackRefresh:
    """A learner's feedback made again from the gradebook as it is now and released, once a
    trainer's manual grades leave nothing of the submission waiting (the feedback released
    after autograding said "your trainer still grades some answers by hand"; My learning
    counts the module only from a feedback that no longer says so). Nothing is done while a
    grade still waits, or when there is no autograded submission. nbgrader's own
    ``generate_feedback`` and ``release_feedback`` for that one learner, as the course's
    grader account, under the course's grading lock."""
    def skipped(reason: str) -> FeedbackRefresh:
        return FeedbackRefresh(course.course_id, assignment, student, None, None, reason)

    try:  # read-only: nbgrader's Gradebook() would create a missing gradebook
        grade = read_gradebook(course.gradebook_url, [assignment]).grades.get(
            (student, assignment))
    except GradebookError as exc:
        raise GradingError(str(exc)) from exc
    if grade is None:
        return skipped("no submission in the gradebook")
    if not grade.graded:
        return skipped("a grade still waits for the trainer")
    if not (Path(course.root) / "autograded" / student / assignment).is_dir():
        return skipped("not autograded")
    account = resolve_account(run_as)
    logs = _ensure_logs_dir(course, account)
    with _course_lock(logs, course.course_id, account, wait_if_busy):
        log_path, log = _open_log(logs, assignment, account)
        with log:
            runner = NbgraderRunner(course, log, account, timeout_per_step)
            # nbgrader keeps a feedback file of the same timestamp: the old one goes first
            shutil.rmtree(Path(course.root) / "feedback" / student / assignment,
                          ignore_errors=True)
            only = f"--student={student}"
            generate = runner.run("generate_feedback", assignment, only)
            release = runner.run("release_feedback", assignment, only) if generate.ok else None
    return FeedbackRefresh(course.course_id, assignment, student, generate, release)
