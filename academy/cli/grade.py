"""`academy grade …`: the trainers' nbgrader workflow, with practical tasks from evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from academy.cli.context import AcademyContext, pass_academy
from academy.courses import course_of, course_workspace
from common.roles import EOFFICE_SERVICE
from installation.layout import DataLayout
from installation.settings import InstallSettings, grader_account, read_secret

if TYPE_CHECKING:
    from grading.autograde import AutogradeReport


@click.group()
def grade() -> None:
    """Grading with nbgrader (the trainers' workflow)."""


@grade.command("autograde")
@click.argument("assignment")
@click.option("--course", "course_id", default=None,
              help="Course id (needed only when several courses have this module).")
@pass_academy
def grade_autograde(academy: AcademyContext, assignment: str, course_id: str | None) -> None:
    """Collect, autograde, score practical tasks from e-office evidence, release feedback."""
    try:
        report = autograde(academy.layout, assignment, course_id, log=click.echo)
    except (OSError, RuntimeError, ValueError, LookupError) as exc:
        raise click.ClickException(str(exc)) from exc
    if report.failed:
        raise click.ClickException(
            "autograding failed for: " + ", ".join(sorted(report.failed))
        )


def autograde(
    layout: DataLayout, assignment: str, course_id: str | None, log: Callable[[str], None]
) -> AutogradeReport:
    """Autograde ``assignment`` of an installation (see ``grading.autograde``)."""
    from academy.supervisor import running_ports
    from grading.autograde import EvidenceAccess, autograde_assignment, check_assignment

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
    report = autograde_assignment(workspace, assignment, evidence, run_as=run_as)
    log(report.summary())
    return report
