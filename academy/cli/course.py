"""`academy course …`: the trainers' course sources, checked before they are released."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from academy.cli.context import courses_option


@click.group()
def course() -> None:
    """Course sources (courses/<course>/): the quality gate before a release."""


@course.command("lint")
@click.argument("course_ids", nargs=-1, metavar="[COURSE]...")
@courses_option
@click.option("--module", "module_ids", multiple=True, metavar="ID",
              help="Only this module (repeat for several). Default: every module.")
@click.option("--cell-timeout", type=click.IntRange(1, 3600), default=30, show_default=True,
              help="Seconds one cell may run when grading or rendering.")
def course_lint(course_ids: tuple[str, ...], courses_dir: Path, module_ids: tuple[str, ...],
                cell_timeout: int) -> None:
    """Check every module of COURSE (default: every course of --courses-dir).

    For each module: nbgrader validates it; every graded cell has known competency codes
    and points; the solution answers (<course>/solutions/<module>.json) score full marks
    and a blank submission zero with the academy's grader (practical tasks left out: they
    are scored from the e-office); no answer key reaches the release; the English version
    asks the same questions; both versions render in Voila without errors. Prints each
    problem as FILE:CELL: MESSAGE and exits 1 if there is any (docs/course-lint.md).
    Grading runs in the sandbox: as root, like `academy grade`.
    """
    from grading.course_lint import LintOptions, ModuleLint, lint_courses
    from hub_config import CONFIG_DIR

    def progress(module: ModuleLint) -> None:
        verdict = "ok" if module.ok else f"{len(module.problems)} problem(s)"
        click.echo(f"{module.course_id}/{module.module_id}: {verdict} ({module.seconds:.1f} s)",
                   err=True)

    # nbgrader's preprocessors warn through traitlets' logger while grading (a test cell's
    # checksum differs in the release, as it always does): the problems are the output
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    options = LintOptions(nbgrader_config_dir=CONFIG_DIR, cell_timeout=cell_timeout)
    try:
        report = lint_courses(courses_dir, course_ids, module_ids, options, progress)
    except (LookupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    base = Path.cwd()
    for problem in report.problems:
        click.echo(problem.line(base))
    courses = len({m.course_id for m in report.modules})
    if report.ok:
        click.echo(f"{len(report.modules)} module(s) of {courses} course(s): no problems")
        return
    failing = sum(1 for m in report.modules if not m.ok)
    click.echo(f"{len(report.problems)} problem(s) in {failing} of {len(report.modules)} "
               "module(s)" + (" and in course.toml" if report.course_problems else ""), err=True)
    click.get_current_context().exit(1)
