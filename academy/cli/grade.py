"""`academy grade …`: the trainers' nbgrader workflow, with practical tasks from evidence."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from academy.cli.context import AcademyContext, pass_academy
from academy.courses import course_of, course_workspace
from common.roles import EOFFICE_SERVICE
from installation.layout import DataLayout
from installation.settings import InstallSettings, grader_account, read_secret

if TYPE_CHECKING:
    import threading

    from grading.autograde import AutogradeReport
    from grading.engine import Progress
    from grading.grading_jobs import GradingJob, JobOutcome, JobRunner
    from grading.on_submit import GradingTarget, SubmissionWatcher

#: how often the grading service looks for the jobs trainers ask for on their page (a
#: "grade now" starts within this time, however long the interval between submission looks)
JOB_POLL_SECONDS = 2.0


@click.group()
def grade() -> None:
    """Grading with nbgrader (the trainers' workflow)."""


@grade.command("autograde")
@click.argument("assignment", metavar="MODULE")
@click.option("--course", "course_id", default=None,
              help="Course id (needed only when several courses have this module).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Submissions graded at once, each in its own sandboxed kernel.")
@click.option("--student", "students", multiple=True, metavar="ID",
              help="Grade only this learner (repeat for several). Default: every submission.")
@click.option("--cell-timeout", type=click.IntRange(1, 3600), default=30, show_default=True,
              help="Seconds one cell may run before the submission is 'could not be graded'.")
@click.option("--regrade", is_flag=True,
              help="Grade again submissions that are already graded (default: only new ones).")
@click.option("--json", "as_json", is_flag=True,
              help="Print a machine-readable summary on stdout (progress goes to stderr).")
@pass_academy
def grade_autograde(
    academy: AcademyContext,
    assignment: str,
    course_id: str | None,
    workers: int,
    students: tuple[str, ...],
    cell_timeout: int,
    regrade: bool,
    as_json: bool,
) -> None:
    """Collect, autograde in the sandbox, score practical tasks, release feedback.

    Safe to run again at any time: submissions already graded are not graded twice, and
    a run that was stopped picks up where it ended.
    """
    options = AutogradeOptions(workers, students or None, cell_timeout, regrade)
    try:
        report = autograde(academy.layout, assignment, course_id, options,
                           log=(lambda _line: None) if as_json else click.echo,
                           progress=_progress_bar())
    except (OSError, RuntimeError, ValueError, LookupError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
    if report.failed:
        raise click.ClickException(
            "could not grade: " + ", ".join(sorted(report.failed)) + " (reasons above)"
        )


@dataclass(frozen=True)
class AutogradeOptions:
    workers: int = 2
    students: tuple[str, ...] | None = None
    cell_timeout: int = 30
    regrade: bool = False


def _progress_bar() -> Callable[[Progress], None]:
    """done / total and the time left, on stderr (stdout stays clean for --json)."""

    def show(progress: Progress) -> None:
        width = 30
        filled = width * progress.done // max(progress.total, 1)
        left = (
            f", about {progress.seconds_left:.0f} s left"
            if progress.seconds_left is not None and progress.done < progress.total
            else ""
        )
        click.echo(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {progress.done}/{progress.total}"
            f"{left}   ",
            nl=progress.done == progress.total,
            err=True,
        )

    return show


def autograde(
    layout: DataLayout,
    assignment: str,
    course_id: str | None,
    options: AutogradeOptions = AutogradeOptions(),  # noqa: B008 - frozen dataclass
    log: Callable[[str], None] = click.echo,
    progress: Callable[[Progress], None] | None = None,
) -> AutogradeReport:
    """Autograde ``assignment`` of an installation (see ``grading.autograde``)."""
    from grading.autograde import autograde_assignment, check_assignment
    from grading.kernel_sandbox import SandboxLimits

    settings = InstallSettings.load(layout)
    course_id = course_of(layout, assignment, course_id)
    workspace = course_workspace(layout, settings, course_id)
    check_assignment(workspace, assignment)  # before anything else: nothing changes if unknown
    target = grading_target(layout, settings, course_id)
    if target is None:
        raise RuntimeError(
            "the academy is not running from this data directory: start it with `academy up` "
            "(practical tasks are graded from the running e-office)"
        )
    report = autograde_assignment(
        target.course,
        assignment,
        target.evidence,
        run_as=target.run_as,
        workers=options.workers,
        students=options.students,
        limits=SandboxLimits(cell_timeout=options.cell_timeout),
        progress=progress,
        regrade=options.regrade,
        wait_if_busy=lambda message: click.echo(message, err=True),
    )
    log(report.summary())
    if options.regrade:  # grades already recorded may change: audited
        _audit_regrade(layout, report)
    from academy.cli.certificate import issue_after_grading  # completion certificates

    issue_after_grading(layout, course_id, log)
    return report


def _audit_regrade(layout: DataLayout, report: AutogradeReport) -> None:
    """Who regraded which course, module and learners (``grading.audit``)."""
    import getpass
    import os

    from grading.audit import AuditAction, append_entry

    append_entry(layout.audit_log_file, AuditAction.REGRADE,
                 os.environ.get("SUDO_USER") or getpass.getuser(),
                 {"course": report.course_id, "module": report.assignment,
                  "students": [s.student_id for s in report.students],
                  "not_graded": report.failed_students})


def grading_target(
    layout: DataLayout, settings: InstallSettings, course_id: str
) -> GradingTarget | None:
    """How a course of this installation is graded; None while the academy is not running
    (practical tasks are graded from the running e-office)."""
    from academy.supervisor import running_ports
    from grading.autograde import EvidenceAccess
    from grading.on_submit import GradingTarget

    ports = running_ports(layout)
    if ports is None:
        return None
    return GradingTarget(
        course=course_workspace(layout, settings, course_id),
        evidence=EvidenceAccess(
            url=f"{ports.public_url}/services/{EOFFICE_SERVICE}",
            token=read_secret(layout, "grading_api_token"),
        ),
        run_as=grader_account(course_id) if settings.isolated else None,
    )


@grade.command("watch")
@click.option("--interval", type=click.FloatRange(1, 600), default=10, show_default=True,
              help="Seconds between two looks at the exchange for new submissions.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Submissions graded at once, each in its own sandboxed kernel.")
@click.option("--once", is_flag=True, help="Grade what is waiting now, then stop.")
@pass_academy
def grade_watch(academy: AcademyContext, interval: float, workers: int, once: bool) -> None:
    """Grade on submit: grade each new submission of the courses that have
    `grade_on_submit = true` in course.toml, within a minute (the grading service).

    It also runs the grading jobs trainers ask for on their class overview (dashboards):
    "grade now" (the same run as `academy grade autograde MODULE --course C`) and the
    certificate that follows a completion override; and it audits the grades trainers
    change in formgrader, then makes that learner's feedback again and releases it once
    nothing of the submission waits for a manual grade.

    `academy up` runs this as a service of the hub; a trainer can still grade or regrade
    with `academy grade autograde` at any time.
    """
    import signal
    import threading

    from academy.cli.certificate import certifying_watcher  # certificates after each run
    from course_kit.catalog import load_catalog

    layout = academy.layout

    def targets() -> list[GradingTarget]:
        settings = InstallSettings.load(layout)
        found = []
        for course in load_catalog(layout.catalog_dir).values():
            if course.grade_on_submit:
                target = grading_target(layout, settings, course.id)
                if target is not None:
                    found.append(target)
        return found

    watcher = certifying_watcher(layout, targets, workers=workers,
                                 log=lambda line: click.echo(line))
    # the trainers' "grade now" and the certificates after an override (dashboards)
    jobs = service_job_runner(layout, workers, log=lambda line: click.echo(line))

    def audit_changes() -> None:  # the manual grades trainers changed in formgrader
        audit_grade_changes(layout, log=jobs.log)

    def keep_crl_current() -> None:
        # the dashboards service checks certificates against the root's CRL but may not
        # read the root's key (isolated mode): this service signs it again in time
        from signing.academy_identity import keep_crl_current as refresh

        if layout.pki_dir.exists():
            refresh(layout.pki_dir)

    def publish() -> None:  # what waits, for the dashboards (it may not list the exchange)
        from grading.on_submit import publish_waiting

        settings = InstallSettings.load(layout)
        publish_waiting(layout, [course_workspace(layout, settings, course_id)
                                 for course_id in settings.course_ids])

    if once:
        jobs.run_queued()
        watcher.tick()
        publish()
        audit_changes()
        keep_crl_current()
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"grading service: looking for new submissions every {interval:g} s, for "
               f"trainers' grading jobs every {JOB_POLL_SECONDS:g} s")
    serve(stop, watcher, jobs, interval, every_poll=(audit_changes, keep_crl_current),
          every_tick=(publish,))


def serve(stop: threading.Event, watcher: SubmissionWatcher, jobs: JobRunner,
          interval: float, job_poll: float = JOB_POLL_SECONDS,
          every_poll: Sequence[Callable[[], object]] = (),
          every_tick: Sequence[Callable[[], object]] = ()) -> None:
    """The grading service's loop until ``stop`` is set: the queued grading jobs (then
    ``every_poll``) every ``job_poll`` seconds, the submissions waiting in the exchange
    (then ``every_tick``) every ``interval``."""
    import time

    next_tick = 0.0
    while not stop.is_set():
        steps = [jobs.run_queued, *every_poll]
        ticking = time.monotonic() >= next_tick
        if ticking:
            steps += [watcher.tick, *every_tick]
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - the service keeps serving the others
                jobs.log(f"grading service: {type(exc).__name__}: {exc}")
        if ticking:
            next_tick = time.monotonic() + interval
        stop.wait(min(job_poll, interval))


def audit_grade_changes(layout: DataLayout, log: Callable[[str], None] = click.echo) -> None:
    """The grade changes journalled by the courses' formgraders, into the audit log
    (``grading.grade_changes``); said in the service's log when there were any. Then the
    feedback of each learner whose grades changed follows, once nothing of the submission
    waits for a manual grade any more (``grading.autograde.refresh_feedback``)."""
    from grading.grade_changes import ingest_grade_changes

    report = ingest_grade_changes(layout)
    if report.changes or report.unreadable or report.errors:
        log(f"grading service: {report.summary()}")
    for course_id, module_id, student in sorted(report.submissions):
        follow_manual_grades(layout, course_id, module_id, student, log)


def follow_manual_grades(layout: DataLayout, course_id: str, module_id: str, student: str,
                         log: Callable[[str], None] = click.echo) -> None:
    """A learner's feedback made again and released after a trainer's manual grade (the
    gradebook decides: the journal line only says whose to look at). Said in the log."""
    from grading.autograde import GradingError, refresh_feedback

    settings = InstallSettings.load(layout)
    if course_id not in settings.course_ids:
        log(f"grading service: feedback of {student} in {course_id}/{module_id}: "
            "not a course of this installation")
        return
    course = course_workspace(layout, settings, course_id)
    try:
        done = refresh_feedback(course, module_id, student,
                                grader_account(course_id) if settings.isolated else None,
                                wait_if_busy=log)
    except GradingError as exc:
        log(f"grading service: feedback of {student} in {course_id}/{module_id}: {exc}")
        return
    if done.generate_feedback is None:
        log(f"grading service: feedback of {student} in {course_id}/{module_id} not made "
            f"again: {done.reason}")
    else:
        log(f"grading service: feedback of {student} in {course_id}/{module_id} made again "
            f"after a manual grade and released: {'ok' if done.ok else 'FAILED, see the log'}")


def service_job_runner(layout: DataLayout, workers: int = 2,
                       log: Callable[[str], None] = click.echo) -> JobRunner:
    """The grading service's runner of the jobs in the installation's spool
    (``grading.grading_jobs``): a grade job is `academy grade autograde MODULE --course C`
    (``autograde``, new submissions only), a certificates job what `academy hr override`
    does after recording an override (``issue_certificates`` for the learner's course)."""
    from grading.grading_jobs import JobOutcome, JobRunner, JobSpool, PartlyGraded

    class ServiceJobRunner(JobRunner):
        def grade(self, job: GradingJob,
                  progress: Callable[[int, int], None]) -> tuple[JobOutcome, str]:
            report = autograde(layout, job.module_id, job.course_id,
                               AutogradeOptions(workers=workers), log=self.log,
                               progress=lambda p: progress(p.done, p.total))
            outcome = JobOutcome(submissions=len(report.students),
                                 not_graded=tuple(sorted(report.failed)))
            if report.failed:
                raise PartlyGraded("could not grade: " + ", ".join(sorted(report.failed)),
                                   outcome, report.summary())
            return outcome, report.summary()

        def certificates(self, job: GradingJob) -> tuple[JobOutcome, str]:
            return follow_override(layout, job)

    return ServiceJobRunner(JobSpool.of(layout), log)


def follow_override(layout: DataLayout, job: GradingJob) -> tuple[JobOutcome, str]:
    """The certificate of a learner's course after a completion override, as `academy hr
    override` does it: issued when the course now counts as completed, withdrawn (with the
    override's reason) when it no longer does."""
    from academy.cli.certificate import issue_certificates
    from grading.grading_jobs import JobOutcome

    by = job.requested_by
    try:
        run = issue_certificates(layout, job.course_id, job.username, actor=by,
                                 withdraw_reason=f"Completion overridden by {by}: {job.reason}")
    except click.ClickException as exc:
        raise RuntimeError(exc.format_message()) from exc
    issued = tuple(cert.certificate_id for cert in run.issued)
    withdrawn = tuple(record.certificate_id for record in run.withdrawn)
    summary = (f"{job.username} in {job.course_id}: {len(issued)} certificate(s) issued, "
               f"{len(withdrawn)} withdrawn")
    return JobOutcome(certificates_issued=issued, certificates_withdrawn=withdrawn), summary
