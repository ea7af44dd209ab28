"""The grading jobs' spool (``grading.grading_jobs``): one 0600 JSON file per job written
atomically, no second grade job for a module while one is queued or running, a queued job
claimed once, progress, the end of a job, a job abandoned by a dead grading service; and the
runner, with a real subclass doing real work on files (the grading service's own subclass,
which runs the CLI's autograde, is tested in tests/academy/test_cli_grade_jobs.py)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grading.grading_jobs import (
    GradingJob,
    JobError,
    JobKind,
    JobOutcome,
    JobRunner,
    JobSpool,
    JobState,
    PartlyGraded,
    process_alive,
    spool_dir,
    valid_job_id,
)
from installation.layout import DataLayout

DS, MODULE = "digital-signatures", "ds01-what-a-signature-proves"


class Clock:
    """A clock the test moves (job ids and order follow it)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def spool(tmp_path: Path) -> JobSpool:
    return JobSpool(spool_dir(DataLayout.at(tmp_path)), clock=Clock())


def test_a_job_is_one_private_json_file_in_the_records(spool: JobSpool, tmp_path: Path) -> None:
    job, created = spool.request_grading(DS, MODULE, "giang")
    assert created and job.state is JobState.QUEUED and job.kind is JobKind.GRADE
    assert spool.directory == tmp_path / "records" / "grading-jobs"
    path = spool.directory / f"{job.job_id}.json"
    # the owner writes, the group reads (in isolated mode the folder is setgid to the
    # dashboards' group: it queues, the grading service claims); no one else
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(spool.directory.stat().st_mode) == 0o700
    assert stat.S_IMODE((spool.directory / ".lock").stat().st_mode) == 0o660  # not the umask's
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["course_id"], data["module_id"], data["requested_by"], data["state"]) == (
        DS, MODULE, "giang", "queued")
    assert spool.get(job.job_id) == job  # read back whole
    assert sorted(p.name for p in spool.directory.iterdir()) == [".lock", path.name]


def test_no_second_grade_job_for_a_module_while_one_is_queued_or_running(
        spool: JobSpool) -> None:
    first, _ = spool.request_grading(DS, MODULE, "giang")
    again, created = spool.request_grading(DS, MODULE, "khoa")
    assert not created and again == first
    other, created = spool.request_grading(DS, "ds02-verify", "giang")
    assert created and other.job_id != first.job_id
    spool.claim(first.job_id)
    assert spool.request_grading(DS, MODULE, "giang") == (spool.get(first.job_id), False)
    spool.finish(first.job_id, JobOutcome(submissions=2))
    new, created = spool.request_grading(DS, MODULE, "giang")
    assert created and new.job_id not in (first.job_id, other.job_id)


def test_a_certificates_job_keeps_the_learner_and_the_reason(spool: JobSpool) -> None:
    job = spool.request_certificates(DS, "binh", "giang", "Đã học bù, đạt yêu cầu")
    read = spool.get(job.job_id)
    assert read is not None
    assert (read.kind, read.username, read.reason, read.requested_by) == (
        JobKind.CERTIFICATES, "binh", "Đã học bù, đạt yêu cầu", "giang")
    with pytest.raises(JobError):
        spool.request_certificates(DS, "", "giang", "x")


def test_claimed_once_then_progress_then_done(spool: JobSpool) -> None:
    job, _ = spool.request_grading(DS, MODULE, "giang")
    running = spool.claim(job.job_id, pid=4242)
    assert running is not None and running.state is JobState.RUNNING
    assert running.runner_pid == 4242 and running.started_at is not None
    assert spool.claim(job.job_id) is None  # not twice
    spool.report_progress(job.job_id, 1, 4)
    mid = spool.get(job.job_id)
    assert mid is not None and (mid.done, mid.total, mid.percent) == (1, 4, 25)
    done = spool.finish(job.job_id, JobOutcome(submissions=4), "4 submission(s)")
    assert (done.state, done.done, done.percent, done.outcome.submissions, done.summary) == (
        JobState.DONE, 4, 100, 4, "4 submission(s)")
    spool.report_progress(job.job_id, 2, 4)  # too late: a finished job is not changed
    assert spool.get(job.job_id) == done
    assert not done.active and done.finished_at is not None


def test_jobs_are_listed_oldest_first_and_by_course(spool: JobSpool) -> None:
    a, _ = spool.request_grading(DS, MODULE, "giang")
    b, _ = spool.request_grading("cybersecurity", "cs01", "khoa")
    c = spool.request_certificates(DS, "an", "giang", "x")
    assert [j.job_id for j in spool.jobs()] == [a.job_id, b.job_id, c.job_id]
    assert [j.job_id for j in spool.jobs([DS])] == [a.job_id, c.job_id]
    spool.claim(a.job_id)
    assert [j.job_id for j in spool.queued()] == [b.job_id, c.job_id]


def test_ids_are_never_paths(spool: JobSpool) -> None:
    job, _ = spool.request_grading(DS, MODULE, "giang")
    assert valid_job_id(job.job_id)
    for bad in ("../../secrets/roster", "", "x", job.job_id + "/..", job.job_id.upper()):
        assert not valid_job_id(bad)
        assert spool.get(bad) is None


def test_a_damaged_job_file_is_said(spool: JobSpool) -> None:
    job, _ = spool.request_grading(DS, MODULE, "giang")
    (spool.directory / f"{job.job_id}.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(JobError, match="not a grading job"):
        spool.jobs()


def test_a_job_left_running_by_a_dead_service_fails(spool: JobSpool) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    gone_pid = int(dead.stdout)
    job, _ = spool.request_grading(DS, MODULE, "giang")
    spool.claim(job.job_id, pid=gone_pid)
    mine, _ = spool.request_grading(DS, "ds02", "giang")
    spool.claim(mine.job_id, pid=os.getpid())
    assert not process_alive(gone_pid) and process_alive(os.getpid())
    [failed] = spool.fail_abandoned(process_alive)
    assert failed.job_id == job.job_id and failed.state is JobState.FAILED
    assert "stopped during the run" in failed.error
    assert spool.get(mine.job_id).state is JobState.RUNNING  # type: ignore[union-attr]
    assert spool.request_grading(DS, MODULE, "giang")[1]  # the module can be asked again


def test_finished_jobs_are_pruned_after_a_month(spool: JobSpool) -> None:
    old, _ = spool.request_grading(DS, MODULE, "giang")
    spool.finish(old.job_id, JobOutcome())
    waiting, _ = spool.request_grading(DS, "ds02", "giang")
    spool.clock.now += timedelta(days=31)  # type: ignore[attr-defined]
    recent, _ = spool.request_grading(DS, MODULE, "giang")
    spool.finish(recent.job_id, JobOutcome())
    assert spool.prune() == 1
    assert [j.job_id for j in spool.jobs()] == [waiting.job_id, recent.job_id]


# --- the runner ----------------------------------------------------------------------------


class FileGrader(JobRunner):
    """A runner whose "grading" counts the submission files of a folder, one at a time,
    reporting progress after each as the autograde run does; a module named "broken"
    raises, "partly" leaves a learner ungraded."""

    def __init__(self, spool: JobSpool, submissions: Path) -> None:
        self.lines: list[str] = []
        super().__init__(spool, log=self.lines.append)
        self.submissions = submissions
        self.seen: list[tuple[str, str, list[tuple[int, int]]]] = []

    def grade(self, job: GradingJob,
              progress: Callable[[int, int], None]) -> tuple[JobOutcome, str]:
        if job.module_id == "broken":
            raise RuntimeError("the module is not in the gradebook")
        files = sorted((self.submissions / job.module_id).iterdir())
        states = []
        for done, _file in enumerate(files, start=1):
            progress(done, len(files))
            read = self.spool.get(job.job_id)
            assert read is not None
            states.append((read.done, read.total))
        self.seen.append((job.kind, job.module_id, states))
        outcome = JobOutcome(submissions=len(files))
        if job.module_id == "partly":
            raise PartlyGraded("could not grade: an", JobOutcome(submissions=len(files),
                                                                 not_graded=("an",)), "log")
        return outcome, f"{len(files)} submission(s)"

    def certificates(self, job: GradingJob) -> tuple[JobOutcome, str]:
        self.seen.append((job.kind, job.username, []))
        return JobOutcome(certificates_issued=("7K3M-Q9TZ-XXXX",)), "issued"


def test_the_runner_takes_queued_jobs_oldest_first_and_writes_progress(
        spool: JobSpool, tmp_path: Path) -> None:
    for module, count in (("m1", 3), ("partly", 1)):
        (tmp_path / "subs" / module).mkdir(parents=True)
        for n in range(count):
            (tmp_path / "subs" / module / f"learner{n}.ipynb").write_text("{}")
    first, _ = spool.request_grading(DS, "m1", "giang")
    broken, _ = spool.request_grading(DS, "broken", "giang")
    cert = spool.request_certificates(DS, "binh", "giang", "học bù")
    partly, _ = spool.request_grading(DS, "partly", "giang")
    runner = FileGrader(spool, tmp_path / "subs")
    finished = runner.run_queued()
    assert [j.job_id for j in finished] == [first.job_id, broken.job_id, cert.job_id,
                                            partly.job_id]
    # progress was in the job's file while it ran, submission by submission
    assert runner.seen[0] == (JobKind.GRADE, "m1", [(1, 3), (2, 3), (3, 3)])
    assert runner.seen[1] == (JobKind.CERTIFICATES, "binh", [])
    states = {j.job_id: j for j in spool.jobs()}
    assert states[first.job_id].state is JobState.DONE
    assert states[first.job_id].outcome.submissions == 3
    assert states[broken.job_id].state is JobState.FAILED
    assert states[broken.job_id].error == "the module is not in the gradebook"
    assert states[cert.job_id].outcome.certificates_issued == ("7K3M-Q9TZ-XXXX",)
    assert states[partly.job_id].state is JobState.FAILED
    assert states[partly.job_id].outcome.not_graded == ("an",)
    assert any("failed: the module is not in the gradebook" in line for line in runner.lines)
    assert runner.run_queued() == []  # nothing left


def test_a_link_or_a_pipe_in_the_spool_is_never_read_as_a_job(spool: JobSpool,
                                                               tmp_path: Path) -> None:
    """In isolated mode the dashboards' account may write in the spool and the grading
    service, root, reads it: a link to a file only root may read, or a pipe that would
    block it, is no job."""
    job, _ = spool.request_grading(DS, MODULE, "giang")
    private = tmp_path / "root-only.json"
    private.write_text(json.dumps(job.to_json()))  # a job's shape, even
    link_id = job.job_id[:-1] + ("0" if job.job_id[-1] != "0" else "1")
    (spool.directory / f"{link_id}.json").symlink_to(private)
    os.mkfifo(spool.directory / f"{job.job_id[:-2]}ab.json")
    assert [j.job_id for j in spool.jobs()] == [job.job_id]
    with pytest.raises(JobError, match="a link"):
        spool._read(spool.directory / f"{link_id}.json")
    with pytest.raises(JobError, match="not a file"):
        spool._read(spool.directory / f"{job.job_id[:-2]}ab.json")
