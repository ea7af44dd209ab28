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
    as_json: bool,
) -> None:
    """Collect, autograde in the sandbox, score practical tasks, release feedback.

    Safe to run again at any time: submissions already graded are not graded twice, and
    a run that was stopped picks up where it ended.
    """
    options = AutogradeOptions(workers, students or None, cell_timeout)
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
    from academy.supervisor import running_ports
    from grading.autograde import EvidenceAccess, autograde_assignment, check_assignment
    from grading.kernel_sandbox import SandboxLimits

    settings = InstallSettings.load(layout)
    course_id = course_of(layout, assignment, course_id)
    workspace = course_workspace(layout, settings, course_id)
    check_assignment(workspace, assignment)  # before anything else: nothing changes if unknown
    ports = running_ports(layout)
    if ports is None:
        raise RuntimeError(
            "the academy is not running from this data directory: start it with `academy up` "
            "(practical tasks are graded from the running e-office)"
        )
    evidence = EvidenceAccess(
        url=f"{ports.public_url}/services/{EOFFICE_SERVICE}",
        token=read_secret(layout, "grading_api_token"),
    )
    run_as = grader_account(course_id) if settings.isolated else None
    report = autograde_assignment(
        workspace,
        assignment,
        evidence,
        run_as=run_as,
        workers=options.workers,
        students=options.students,
        limits=SandboxLimits(cell_timeout=options.cell_timeout),
        progress=progress,
    )
    log(report.summary())
    return report
