"""`academy grade …`: the trainers' nbgrader workflow, with practical tasks from evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from academy.cli.context import AcademyContext, pass_academy
from academy.courses import course_of, course_workspace
from common.roles import EOFFICE_SERVICE
from installation.layout import DataLayout
from installation.settings import InstallSettings, grader_account, read_secret

if TYPE_CHECKING:
    from grading.autograde import AutogradeReport
    from grading.engine import Progress
    from grading.on_submit import GradingTarget


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
    if once:
        watcher.tick()
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"grading service: looking for new submissions every {interval:g} s")
    watcher.run(stop, interval)
