"""Grading jobs: what a trainer asks for on the dashboards, done by the grading service.

The dashboards service is a web worker: it never grades and never holds the certificate
signing key. A trainer's "grade now" (and the certificate that must follow a completion
override) is therefore written as a *job* into a spool in the data directory, and the
grading service (``academy grade watch``, started by ``academy up`` with the privileges
grading needs) takes the queued jobs, oldest first, and runs the same code as the CLI:

* ``JobKind.GRADE``: ``academy grade autograde MODULE --course C`` (new submissions only);
* ``JobKind.CERTIFICATES``: the certificates of one learner's course issued or withdrawn,
  as ``academy hr override`` does after an override.

The spool is a folder (``DataLayout.records_dir / "grading-jobs"``, 0700; 3770 with the
dashboards service's group in isolated mode) with one JSON file per job (0640), replaced
atomically (temporary file + ``os.replace``) at each change, so a
reader sees a whole job or the previous one. A lock file serialises the changes between the
processes (the dashboards' workers, the grading service): no duplicate grade job is queued
while one for the same module is queued or running, and a queued job is claimed once.

A job goes ``queued`` -> ``running`` -> ``done`` or ``failed``; while it runs, the grading
service writes its progress (submissions graded of the total) into the file, which the
trainer's page polls. A job left ``running`` by a grading service that died is marked failed
when the service looks again (its process id is recorded).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from common.clock import vietnam_now
from common.files import SHARED_LOG_MODE, SHARED_READ_MODE, atomic_write, open_shared
from common.processes import process_alive
from installation.layout import DataLayout

SPOOL_FOLDER = "grading-jobs"
LOCK_FILE = ".lock"
_JOB_ID = re.compile(r"^[0-9]{8}T[0-9]{12}-[0-9a-f]{8}$")
#: finished jobs older than this are removed when the grading service looks at the spool
KEEP_FINISHED = timedelta(days=30)


class JobKind(StrEnum):
    GRADE = "grade"
    CERTIFICATES = "certificates"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})


class JobError(ValueError):
    """A job file cannot be read, or a job cannot be asked for; the message says why."""


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job did, for the trainer's page (counts, never the log's text)."""

    #: grade jobs: submissions taken by the run, and the learners whose could not be graded
    submissions: int = 0
    not_graded: tuple[str, ...] = ()
    #: certificate jobs (and grade jobs, whose run issues the course's certificates too)
    certificates_issued: tuple[str, ...] = ()
    certificates_withdrawn: tuple[str, ...] = ()


@dataclass(frozen=True)
class GradingJob:
    job_id: str
    kind: JobKind
    course_id: str
    #: who asked (the hub user name) and when (Vietnam time)
    requested_by: str
    requested_at: datetime
    #: grade jobs: the module (nbgrader assignment) to grade
    module_id: str = ""
    #: certificate jobs: the learner, and the override's reason (said on a withdrawal)
    username: str = ""
    reason: str = ""
    state: JobState = JobState.QUEUED
    done: int = 0
    total: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: the grading service's process while it runs the job
    runner_pid: int = 0
    outcome: JobOutcome = field(default_factory=JobOutcome)
    #: the CLI's own report of the run (English, for whoever reads the logs)
    summary: str = ""
    #: why a failed job failed
    error: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def percent(self) -> int:
        """Progress in whole percent (a finished job is at 100)."""
        if self.state is JobState.DONE:
            return 100
        return 100 * self.done // self.total if self.total > 0 else 0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("requested_at", "started_at", "finished_at"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value is not None else None
        data["kind"], data["state"] = self.kind.value, self.state.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradingJob:
        outcome = data.get("outcome") or {}
        return cls(
            job_id=str(data["job_id"]), kind=JobKind(data["kind"]),
            course_id=str(data["course_id"]), requested_by=str(data["requested_by"]),
            requested_at=datetime.fromisoformat(data["requested_at"]),
            module_id=str(data.get("module_id") or ""), username=str(data.get("username") or ""),
            reason=str(data.get("reason") or ""), state=JobState(data["state"]),
            done=int(data.get("done") or 0), total=int(data.get("total") or 0),
            started_at=_moment(data.get("started_at")),
            finished_at=_moment(data.get("finished_at")),
            runner_pid=int(data.get("runner_pid") or 0),
            outcome=JobOutcome(
                submissions=int(outcome.get("submissions") or 0),
                not_graded=tuple(outcome.get("not_graded") or ()),
                certificates_issued=tuple(outcome.get("certificates_issued") or ()),
                certificates_withdrawn=tuple(outcome.get("certificates_withdrawn") or ())),
            summary=str(data.get("summary") or ""), error=str(data.get("error") or ""),
        )


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def spool_dir(layout: DataLayout) -> Path:
    """Where an installation's grading jobs are kept."""
    return layout.records_dir / SPOOL_FOLDER


def _new_job_id(now: datetime) -> str:
    """Sortable by time of asking (microseconds), unique by its random tail."""
    return f"{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"


def valid_job_id(job_id: str) -> bool:
    """A job id as ``_new_job_id`` makes them (never a path: it names the job's file)."""
    return bool(_JOB_ID.match(job_id))


class JobSpool:
    """The grading jobs of one installation (see the module's docstring)."""

    def __init__(self, directory: Path, clock: Callable[[], datetime] = vietnam_now) -> None:
        self.directory = directory
        self.clock = clock

    @classmethod
    def of(cls, layout: DataLayout) -> JobSpool:
        return cls(spool_dir(layout))

    # --- reading ------------------------------------------------------------------------

    def _path(self, job_id: str) -> Path:
        if not valid_job_id(job_id):
            raise JobError(f"{job_id!r} is not a grading job id")
        return self.directory / f"{job_id}.json"

    def _read(self, path: Path) -> GradingJob:
        """The job in ``path``, a regular file: never through a link or from a pipe (in
        isolated mode the dashboards' account may write in the spool, and the grading
        service reading it is root). FileNotFoundError when there is none."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise JobError(f"{path}: a link, not a grading job") from None
            raise
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise JobError(f"{path}: not a file, not a grading job")
            data = fh.read()
        try:
            return GradingJob.from_json(json.loads(data.decode("utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise JobError(f"{path}: not a grading job ({exc})") from exc

    def get(self, job_id: str) -> GradingJob | None:
        """The job, or None when there is no such job (or the id is not one)."""
        if not valid_job_id(job_id):
            return None
        try:
            return self._read(self._path(job_id))
        except FileNotFoundError:
            return None

    def jobs(self, course_ids: Iterable[str] | None = None) -> list[GradingJob]:
        """Every job (of these courses), oldest first."""
        wanted = None if course_ids is None else set(course_ids)
        found = []
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return []
        for name in names:
            stem = name.removesuffix(".json")
            if stem == name or not valid_job_id(stem):
                continue  # the lock, temporary files of a write in progress
            path = self.directory / name
            if path.is_symlink() or not path.is_file():
                continue  # not the spool's (only this module writes here): not a job
            try:
                job = self._read(path)
            except FileNotFoundError:  # pruned meanwhile
                continue
            if wanted is None or job.course_id in wanted:
                found.append(job)
        return found

    def queued(self) -> list[GradingJob]:
        """The jobs waiting for the grading service, oldest first."""
        return [job for job in self.jobs() if job.state is JobState.QUEUED]

    # --- writing ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # the dashboards service queues, the grading service claims: both lock
        fd = open_shared(self.directory / LOCK_FILE, os.O_RDWR, SHARED_LOG_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write(self, job: GradingJob) -> GradingJob:
        atomic_write(self._path(job.job_id),
                     json.dumps(job.to_json(), ensure_ascii=False, indent=1, sort_keys=True),
                     mode=SHARED_READ_MODE)
        return job

    def request_grading(self, course_id: str, module_id: str,
                        by: str) -> tuple[GradingJob, bool]:
        """Queue the grading of a module: (the job, True); or (the module's job already
        queued or running, False) — never two at once for one module."""
        if not course_id or not module_id or not by:
            raise JobError("a grade job needs a course, a module and who asks")
        with self._locked():
            for job in self.jobs([course_id]):
                if job.kind is JobKind.GRADE and job.module_id == module_id and job.active:
                    return job, False
            now = self.clock()
            return self._write(GradingJob(_new_job_id(now), JobKind.GRADE, course_id, by, now,
                                          module_id=module_id)), True

    def request_certificates(self, course_id: str, username: str, by: str,
                             reason: str) -> GradingJob:
        """Queue the certificate of ``username``'s course to follow a completion override
        (issued when now completed, withdrawn with ``reason`` when no longer)."""
        if not course_id or not username or not by:
            raise JobError("a certificate job needs a course, a learner and who asks")
        with self._locked():
            now = self.clock()
            return self._write(GradingJob(_new_job_id(now), JobKind.CERTIFICATES, course_id,
                                          by, now, username=username, reason=reason))

    def claim(self, job_id: str, pid: int | None = None) -> GradingJob | None:
        """Mark a queued job running for this process; None when it is no longer queued
        (another grading service took it)."""
        with self._locked():
            job = self.get(job_id)
            if job is None or job.state is not JobState.QUEUED:
                return None
            return self._write(replace(job, state=JobState.RUNNING, started_at=self.clock(),
                                       runner_pid=os.getpid() if pid is None else pid))

    def report_progress(self, job_id: str, done: int, total: int) -> None:
        with self._locked():
            job = self.get(job_id)
            if job is not None and job.state is JobState.RUNNING:
                self._write(replace(job, done=done, total=total))

    def finish(self, job_id: str, outcome: JobOutcome, summary: str = "") -> GradingJob:
        return self._end(job_id, JobState.DONE, outcome=outcome, summary=summary)

    def fail(self, job_id: str, error: str, outcome: JobOutcome | None = None,
             summary: str = "") -> GradingJob:
        return self._end(job_id, JobState.FAILED, error=error or "failed",
                         outcome=outcome or JobOutcome(), summary=summary)

    def _end(self, job_id: str, state: JobState, **changes: Any) -> GradingJob:
        with self._locked():
            job = self.get(job_id)
            if job is None:
                raise JobError(f"no grading job {job_id}")
            if state is JobState.DONE and job.total:
                changes.setdefault("done", job.total)
            return self._write(replace(job, state=state, finished_at=self.clock(), **changes))

    def fail_abandoned(self, alive: Callable[[int], bool]) -> list[GradingJob]:
        """Mark failed the running jobs whose grading service is gone (``alive(pid)`` is
        false): a service stopped mid-run leaves its job running, which would block the
        module's "grade now" for ever. The submissions are graded again by the next run."""
        failed = []
        for job in self.jobs():
            if job.state is JobState.RUNNING and not alive(job.runner_pid):
                failed.append(self.fail(job.job_id, "the grading service stopped during the "
                                                    "run; ask again"))
        return failed

    def prune(self, keep: timedelta = KEEP_FINISHED) -> int:
        """Remove finished jobs older than ``keep``; how many were removed."""
        cutoff = self.clock() - keep
        removed = 0
        with self._locked():
            for job in self.jobs():
                if not job.active and (job.finished_at or job.requested_at) < cutoff:
                    self._path(job.job_id).unlink(missing_ok=True)
                    removed += 1
        return removed


class JobRunner:
    """Takes the queued jobs of a spool, oldest first, and runs each: the grading service's
    part. ``grade`` and ``certificates`` do the work (the CLI's subclass,
    ``academy.cli.grade.ServiceJobRunner``, runs the CLI's own functions); a job whose work
    raises is marked failed with the message, and the runner goes on with the next."""

    def __init__(self, spool: JobSpool, log: Callable[[str], None] = print) -> None:
        self.spool = spool
        self.log = log

    def grade(self, job: GradingJob, progress: Callable[[int, int], None]) -> tuple[
            JobOutcome, str]:
        """Grade ``job.module_id`` of ``job.course_id``: (outcome, summary). Raise to fail
        the job (a run that could not grade some submissions raises ``PartlyGraded``)."""
        raise NotImplementedError

    def certificates(self, job: GradingJob) -> tuple[JobOutcome, str]:
        """Issue or withdraw ``job.username``'s certificate of ``job.course_id``."""
        raise NotImplementedError

    def run_queued(self) -> list[GradingJob]:
        """Run every queued job once; the finished jobs, in the order they ran."""
        for job in self.spool.fail_abandoned(process_alive):
            self.log(f"grading job {job.job_id} ({job.course_id}): {job.error}")
        finished = []
        for queued in self.spool.queued():
            job = self.spool.claim(queued.job_id)
            if job is None:
                continue
            finished.append(self._run(job))
        if finished:
            self.spool.prune()
        return finished

    def _run(self, job: GradingJob) -> GradingJob:
        what = (f"grade {job.course_id}/{job.module_id}" if job.kind is JobKind.GRADE
                else f"certificates of {job.username} in {job.course_id}")
        self.log(f"grading job {job.job_id}: {what}, asked by {job.requested_by}")
        try:
            if job.kind is JobKind.GRADE:
                outcome, summary = self.grade(
                    job, lambda done, total: self.spool.report_progress(job.job_id, done, total))
            else:
                outcome, summary = self.certificates(job)
        except PartlyGraded as exc:
            self.log(f"grading job {job.job_id}: {exc}")
            return self.spool.fail(job.job_id, str(exc), exc.outcome, exc.summary)
        except Exception as exc:  # noqa: BLE001 - the job fails, the service keeps serving
            message = str(exc) or type(exc).__name__
            self.log(f"grading job {job.job_id} failed: {message}")
            return self.spool.fail(job.job_id, message)
        self.log(f"grading job {job.job_id} done")
        return self.spool.finish(job.job_id, outcome, summary)


class PartlyGraded(RuntimeError):
    """A grading run that could not grade some submissions (as `academy grade autograde`
    exits with an error then): the job fails, with what the run did."""

    def __init__(self, message: str, outcome: JobOutcome, summary: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.summary = summary
