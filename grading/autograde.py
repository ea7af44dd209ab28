"""Autograde one assignment of a course with nbgrader's own commands, one learner at a time.

``academy grade autograde ASSIGNMENT`` runs exactly what a trainer would run by hand in
the course directory, so nbgrader knowledge transfers and the course stays usable with
plain nbgrader and the formgrader::

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
* all nbgrader output goes to one log file per run; error messages carry its tail;
* optionally (when called as root) nbgrader runs as the course's grader account, so every
  file it writes stays owned by that account.

The nbgrader processes get a minimal environment (PATH with the venv first, locale, HOME,
USER, ``JUPYTER_*``/``NBGRADER_*``/``PYTHONPATH`` if set, ``CourseWorkspace.nbgrader_env``
and the ``ACADEMY_*`` variables above): learners' code runs in those kernels and must not
see the caller's other secrets (JUPYTERHUB_* tokens, database passwords, ...).

Course layout assumed: nbgrader's default directory names (``submitted/``,
``autograded/``, ``feedback/``) under the course root, and ``nbgrader_config.py`` in the
course root setting CourseDirectory.root, course_id, db_url, Exchange.root and
Exchange.path_includes_course.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from grading.gradebook import GradebookError, assignment_names, read_gradebook
from grading.practical_tasks import fetch_evidence, score_practical_tasks

NBGRADER = Path(sys.executable).parent / "nbgrader"
TAIL_LINES = 25
#: Environment variables passed through to nbgrader (and so to the grading kernels).
PASSTHROUGH_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "PYTHONPATH")
PASSTHROUGH_PREFIXES = ("JUPYTER_", "NBGRADER_")
STUDENT_ENV = "ACADEMY_STUDENT_ID"


class GradingError(RuntimeError):
    """Autograding could not run; the message says why and what to do."""


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
class CourseWorkspace:
    """One nbgrader course directory, as the lead's CLI knows it from the DataLayout."""

    course_id: str
    root: Path  # the nbgrader course directory (holds nbgrader_config.py), cwd of nbgrader
    db_url: str | None = None  # default: sqlite:///<root>/gradebook.db
    log_dir: Path | None = None  # default: <root>/logs
    #: Extra environment for every nbgrader command of this course, on top of the minimal
    #: one (e.g. JUPYTER_CONFIG_PATH, ACADEMY_EXCHANGE_ROOT, ACADEMY_SERVER_ROLE).
    nbgrader_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def gradebook_url(self) -> str:
        return self.db_url or f"sqlite:///{Path(self.root) / 'gradebook.db'}"

    @property
    def logs(self) -> Path:
        return Path(self.log_dir) if self.log_dir else Path(self.root) / "logs"

    @property
    def config_file(self) -> Path:
        return Path(self.root) / "nbgrader_config.py"


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
class StepOutcome:
    """One nbgrader process: what ran, how it ended, the end of its output."""

    command: str
    returncode: int | None  # None: killed after the timeout
    seconds: float
    tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def describe_exit(self) -> str:
        if self.returncode is None:
            return "timed out and was stopped"
        return f"exit status {self.returncode}"


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


# --- unix account ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]
    home: Path


def _resolve_account(run_as: str | None) -> _Account | None:
    """The account to switch to, or None to run nbgrader as the calling user."""
    if run_as is None:
        return None
    try:
        pw = pwd.getpwnam(run_as)
    except KeyError:
        raise GradingError(f"run_as: no unix account named {run_as!r}") from None
    if os.geteuid() != 0:
        if pw.pw_uid == os.geteuid():
            return None  # already running as that account
        raise GradingError(f"run_as={run_as!r} needs root; run as root or as {run_as!r} itself")
    groups = tuple(g for g in os.getgrouplist(pw.pw_name, pw.pw_gid) if g != pw.pw_gid)
    return _Account(pw.pw_name, pw.pw_uid, pw.pw_gid, groups, Path(pw.pw_dir))


# --- running nbgrader --------------------------------------------------------------------


class _Runner:
    """Runs nbgrader commands in the course directory, all output into one log file."""

    def __init__(
        self,
        course: CourseWorkspace,
        log: IO[bytes],
        account: _Account | None,
        timeout: float | None,
    ):
        self.course = course
        self.log = log
        self.account = account
        self.timeout = timeout

    def _base_env(self) -> dict[str, str]:
        env = {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}
        env.update({k: v for k, v in os.environ.items() if k.startswith(PASSTHROUGH_PREFIXES)})
        env.pop("NBGRADER_EXECUTION", None)
        # nbgrader shells out to `alembic` when it creates a gradebook: venv bin first
        path = os.environ.get("PATH") or os.defpath
        env["PATH"] = os.pathsep.join([str(NBGRADER.parent), path])
        if self.account is not None:
            home = self.account.home if self.account.home.is_dir() else Path(self.course.root)
            env.update(HOME=str(home), USER=self.account.name, LOGNAME=self.account.name)
        else:
            env["HOME"] = os.environ.get("HOME") or str(self.course.root)
            for key in ("USER", "LOGNAME"):
                if key in os.environ:
                    env[key] = os.environ[key]
        env.update(self.course.nbgrader_env)
        return env

    def _write(self, text: str) -> None:
        self.log.write(text.encode("utf-8"))
        self.log.flush()

    def run(self, *args: str, extra_env: dict[str, str] | None = None) -> StepOutcome:
        command = "nbgrader " + " ".join(args)
        env = self._base_env()
        env.update(extra_env or {})
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        shown = sorted(k for k in (extra_env or {}))
        self._write(
            f"\n===== {stamp} $ {command}"
            + (f"  [env: {', '.join(shown)}]" if shown else "")
            + "\n"
        )
        start_offset = self.log.tell()
        kwargs: dict = {}
        if self.account is not None:
            kwargs.update(
                user=self.account.uid,
                group=self.account.gid,
                extra_groups=list(self.account.groups),
            )
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [str(NBGRADER), *args],
                cwd=self.course.root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a timeout stops all of it
                **kwargs,
            )
        except OSError as exc:  # e.g. the account cannot enter the course directory
            who = f" as {self.account.name!r}" if self.account else ""
            self._write(f"===== could not start: {exc}\n")
            raise GradingError(
                f"cannot start `{command}`{who} in {self.course.root}: {exc}"
            ) from exc
        try:
            returncode: int | None = proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            returncode = None
            self._stop(proc)
        seconds = time.monotonic() - started
        output = self._output_since(start_offset)
        status = returncode if returncode is not None else "timeout"
        newline = "" if not output or output.endswith("\n") else "\n"
        self._write(f"{newline}===== exit: {status} ({seconds:.1f} s)\n")
        tail = "\n".join(output.rstrip().splitlines()[-TAIL_LINES:])
        return StepOutcome(command, returncode, seconds, tail)

    @staticmethod
    def _stop(proc: subprocess.Popen) -> None:
        """Stop a timed-out nbgrader: SIGINT (nbgrader shuts its kernel down), then SIGKILL
        for whatever is left of its process group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def _output_since(self, offset: int) -> str:
        self.log.flush()
        self.log.seek(offset)
        text = self.log.read().decode("utf-8", errors="replace")
        self.log.seek(0, os.SEEK_END)
        return text


def _ensure_logs_dir(course: CourseWorkspace, account: _Account | None) -> Path:
    logs = course.logs
    created = not logs.exists()
    logs.mkdir(parents=True, exist_ok=True)
    if created and account is not None:
        os.chown(logs, account.uid, account.gid)
    return logs


@contextlib.contextmanager
def _course_lock(logs: Path, course_id: str, account: _Account | None) -> Iterator[None]:
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


def _open_log(logs: Path, assignment: str, account: _Account | None) -> tuple[Path, IO[bytes]]:
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
    runner: _Runner,
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
    account = _resolve_account(run_as)

    logs = _ensure_logs_dir(course, account)
    with _course_lock(logs, course.course_id, account):
        log_path, log = _open_log(logs, assignment, account)
        with log:
            collect, outcomes, generate, release = _run_all(
                _Runner(course, log, account, timeout_per_student),
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
