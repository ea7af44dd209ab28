"""Autograde one assignment of a course with nbgrader's own commands, one learner at a time.

``academy grade autograde ASSIGNMENT`` runs the commands a trainer would run by hand in
the course directory (the course's nbgrader_config.py carries the same settings), so
nbgrader knowledge transfers and the course stays usable with plain nbgrader and the
formgrader::

    nbgrader collect --update ASSIGNMENT
    nbgrader autograde ASSIGNMENT --student S      # once per learner, in its own process
    nbgrader generate_feedback ASSIGNMENT
    nbgrader release_feedback ASSIGNMENT

What it adds:

* the assignment is checked against the gradebook first (read-only); an unknown name
  raises ``UnknownAssignmentError`` listing the known ones and changes nothing on disk;
* each learner is graded in its own process whose environment carries
  ``ACADEMY_STUDENT_ID`` (nbgrader does not tell the kernel whose notebook it runs);
* practical tasks (task cells named ``practical-<task_id>``) are scored after autograde
  from the sandbox e-office's evidence API, in this process, never in a learner's kernel
  (``grading.practical_tasks``): the grader token never reaches learner code;
* learners are graded strictly one after another (SQLite gradebooks do not support
  concurrent writers) and a per-course lock stops two runs overlapping; a failure for
  one learner is recorded and the others are still graded;
* all nbgrader output goes to one log file per run; error messages carry its tail.

How each nbgrader command runs (account, environment, log) is ``grading.nbgrader_runner``.

Course layout assumed: nbgrader's default directory names (``submitted/``,
``autograded/``, ``feedback/``) under the course root, and ``nbgrader_config.py`` in the
course root setting CourseDirectory.root, course_id and db_url.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from grading.gradebook import GradebookError, assignment_names, read_gradebook
from grading.nbgrader_runner import (
    NBGRADER,
    Account,
    CourseWorkspace,
    GradingError,
    NbgraderRunner,
    StepOutcome,
    resolve_account,
)
from grading.practical_tasks import fetch_evidence, score_practical_tasks

__all__ = [
    "AutogradeReport",
    "CourseWorkspace",
    "EvidenceAccess",
    "GradingBusyError",
    "GradingError",
    "NbgraderStepError",
    "StepOutcome",
    "StudentResult",
    "UnknownAssignmentError",
    "autograde_assignment",
    "check_assignment",
]

STUDENT_ENV = "ACADEMY_STUDENT_ID"


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
class StudentResult:
    student_id: str
    status: str  # "graded", "unchanged" (already graded, nothing newer), "failed"
    step: StepOutcome
    score: float | None = None  # from the gradebook after the run
    max_score: float | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass(frozen=True)
class AutogradeReport:
    course_id: str
    assignment: str
    log_file: Path
    collect: StepOutcome
    students: tuple[StudentResult, ...]
    generate_feedback: StepOutcome | None  # None: nothing autograded to give feedback on
    release_feedback: StepOutcome | None

    @property
    def failed_students(self) -> list[str]:
        return [s.student_id for s in self.students if not s.ok]

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
                f" {s.score:g}/{s.max_score:g}"
                if s.score is not None and s.max_score is not None
                else ""
            )
            extra = f" ({s.step.describe_exit()})" if not s.ok else ""
            lines.append(f"  {s.student_id}: {s.status}{score}{extra}")
        for name, step in (
            ("generate_feedback", self.generate_feedback),
            ("release_feedback", self.release_feedback),
        ):
            if step is None:
                lines.append(f"  {name}: skipped (nothing autograded)")
            elif not step.ok:
                lines.append(f"  {name}: FAILED ({step.describe_exit()})")
        if self.failed_students:
            lines.append("FAILED for: " + ", ".join(self.failed_students))
        lines.append(f"log: {self.log_file}")
        return "\n".join(lines)


def _ensure_logs_dir(course: CourseWorkspace, account: Account | None) -> Path:
    logs = course.logs
    created = not logs.exists()
    logs.mkdir(parents=True, exist_ok=True)
    if created and account is not None:
        os.chown(logs, account.uid, account.gid)
    return logs


@contextlib.contextmanager
def _course_lock(logs: Path, course_id: str, account: Account | None) -> Iterator[None]:
    """One autograde run per course at a time (flock; released when the process ends)."""
    path = logs / "autograde.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if account is not None:
            os.fchown(fd, account.uid, account.gid)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GradingBusyError(
                f"another autograde run is in progress for course {course_id!r} "
                f"(lock {path}); wait for it to finish"
            ) from None
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


def check_assignment(course: CourseWorkspace, assignment: str) -> None:
    """Raise UnknownAssignmentError unless ``assignment`` is in the gradebook. Read-only."""
    known = list_assignments(course)
    if assignment not in known:
        raise UnknownAssignmentError(course.course_id, assignment, known)


def _run_all(
    runner: NbgraderRunner,
    course: CourseWorkspace,
    assignment: str,
    evidence: EvidenceAccess,
    log_path: Path,
) -> tuple[StepOutcome, list[tuple[str, str, StepOutcome]], StepOutcome | None, StepOutcome | None]:
    collect = runner.run("collect", "--update", assignment)
    if not collect.ok:
        raise NbgraderStepError(collect, log_path)

    outcomes = []
    for student in submitted_students(course, assignment):
        env = {STUDENT_ENV: student}
        step = runner.run("autograde", assignment, f"--student={student}", extra_env=env)
        if not step.ok:
            status = "failed"
        elif "Skipping existing assignment" in step.tail:
            status = "unchanged"
        else:
            status = "graded"
        outcomes.append((student, status, step))

    graded = [student for student, status, step in outcomes if status != "failed"]
    if graded:
        _score_practical_tasks(course, assignment, evidence, graded, log_path)

    generate = release = None
    if _autograded_any(course, assignment):
        generate = runner.run("generate_feedback", assignment)
        release = runner.run("release_feedback", assignment)
    return collect, outcomes, generate, release


def _score_practical_tasks(
    course: CourseWorkspace,
    assignment: str,
    evidence: EvidenceAccess,
    students: list[str],
    log_path: Path,
) -> None:
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


def autograde_assignment(
    course: CourseWorkspace,
    assignment: str,
    evidence: EvidenceAccess,
    run_as: str | None = None,
    *,
    timeout_per_student: float | None = 1800,
) -> AutogradeReport:
    """Collect, autograde (one process per learner), generate and release feedback.

    Raises UnknownAssignmentError (nothing changed), GradingError for set-up problems
    (no nbgrader_config.py, bad run_as), GradingBusyError when another run holds the
    course lock, NbgraderStepError when `nbgrader collect` fails. Failures of single
    learners or of the feedback steps do not raise: see ``AutogradeReport.ok``,
    ``failed_students`` and ``summary()``.
    """
    check_assignment(course, assignment)
    if not course.config_file.is_file():
        raise GradingError(
            f"{course.config_file} is missing: nbgrader would not find the course, "
            f"exchange and gradebook"
        )
    if not NBGRADER.exists():
        raise GradingError(f"nbgrader is not installed in this environment ({NBGRADER})")
    account = resolve_account(run_as)

    logs = _ensure_logs_dir(course, account)
    with _course_lock(logs, course.course_id, account):
        log_path, log = _open_log(logs, assignment, account)
        with log:
            collect, outcomes, generate, release = _run_all(
                NbgraderRunner(course, log, account, timeout_per_student),
                course,
                assignment,
                evidence,
                log_path,
            )

    try:
        book = read_gradebook(course.gradebook_url, [assignment])
        max_score = book.max_scores.get(assignment)
    except GradebookError:  # the report is still useful without the scores
        book, max_score = None, None
    students = []
    for student, status, step in outcomes:
        grade = book.grades.get((student, assignment)) if book else None
        students.append(
            StudentResult(
                student_id=student,
                status=status,
                step=step,
                score=grade.score if grade and grade.graded and status != "failed" else None,
                max_score=max_score,
            )
        )
    return AutogradeReport(
        course_id=course.course_id,
        assignment=assignment,
        log_file=log_path,
        collect=collect,
        students=tuple(students),
        generate_feedback=generate,
        release_feedback=release,
    )
