"""The `academy` command: initialise, start, grade and export.

Every command works on one data directory (`--data-dir` or ACADEMY_DATA_DIR). Errors are
reported as one clear line on stderr with a non-zero exit code. One module per command
group: ``academy.cli.platform`` (init, up, reset, backup, restore), ``academy.cli.accounts``,
``academy.cli.grade``, ``academy.cli.hr``, ``academy.cli.roster``, ``academy.cli.eoffice``,
``academy.cli.course``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from academy.cli.accounts import accounts
from academy.cli.audit import audit
from academy.cli.certificate import certificate
from academy.cli.context import AcademyContext
from academy.cli.course import course
from academy.cli.eoffice import eoffice
from academy.cli.grade import grade
from academy.cli.hr import hr
from academy.cli.platform import backup, init, reset, restore, up
from academy.cli.roster import roster
from academy.cli.sign import sign
from installation.layout import DATA_DIR_ENV, default_data_dir


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Where this installation keeps all its state (env {DATA_DIR_ENV}).",
)
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """Digital Civil Service Academy: training platform for civil servants."""
    # nbgrader calls `alembic` and friends by name: they live beside this interpreter
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    ctx.obj = AcademyContext(data_dir or default_data_dir())


for command in (init, up, accounts, reset, backup, restore, roster, grade, hr, eoffice, sign,
                certificate, audit, course):
    main.add_command(command)
