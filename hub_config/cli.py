"""The `academy` command: initialise, start, grade and export.

Every command works on one data directory (`--data-dir` or ACADEMY_DATA_DIR). Errors are
reported as one clear line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import click

from hub_config.layout import DATA_DIR_ENV, DataLayout, default_data_dir
from hub_config.settings import InstallSettings

DEFAULT_COURSES = Path("courses")


class AcademyContext:
    def __init__(self, data_dir: Path) -> None:
        self.layout = DataLayout.at(data_dir)


pass_academy = click.make_pass_decorator(AcademyContext)


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


def _courses_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--courses-dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=lambda: os.environ.get("ACADEMY_COURSES_DIR", str(DEFAULT_COURSES)),
        show_default="$ACADEMY_COURSES_DIR or ./courses",
        help="Folder with the course sources (<course>/course.toml and <course>/source/).",
    )(f)


@main.command()
@_courses_option
@click.option("--hub-db-url", envvar="ACADEMY_HUB_DB_URL", default="",
              help="Hub database URL (default: SQLite in the data dir).")
@click.option("--gradebook-db-url", envvar="ACADEMY_GRADEBOOK_DB_URL", default="",
              help="Gradebook database URL; may contain {course_id} (default: SQLite).")
@click.option("--eoffice-db-url", envvar="ACADEMY_EOFFICE_DB_URL", default="",
              help="Sandbox e-office database URL (default: SQLite in the data dir).")
@pass_academy
def init(academy: AcademyContext, courses_dir: Path, hub_db_url: str, gradebook_db_url: str,
         eoffice_db_url: str) -> None:
    """Create or update the installation (idempotent): accounts, courses, e-office, keys."""
    _init(academy, courses_dir, hub_db_url, gradebook_db_url, eoffice_db_url)
    click.echo(f"Ready: {academy.layout.root}")


def _init(academy: AcademyContext, courses_dir: Path, hub_db_url: str = "",
          gradebook_db_url: str = "", eoffice_db_url: str = "") -> InstallSettings:
    from hub_config.provision import DatabaseUrls, Installation

    try:
        return Installation(academy.layout, log=click.echo).init(
            courses_dir, DatabaseUrls(hub_db_url, gradebook_db_url, eoffice_db_url)
        )
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port on 127.0.0.1 where the academy is served.")
@_courses_option
@pass_academy
def up(academy: AcademyContext, port: int, courses_dir: Path) -> None:
    """Initialise if needed, start the whole platform and run until Ctrl-C."""
    from hub_config.platform import PlatformError, start

    _init(academy, courses_dir)
    try:
        platform = start(academy.layout, port, log=click.echo)
    except PlatformError as exc:
        raise click.ClickException(str(exc)) from exc
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo("")
    click.echo(f"The Digital Civil Service Academy is running at {platform.url}/")
    _print_accounts(academy.layout)
    click.echo(f"Data directory: {academy.layout.root}  (logs in {academy.layout.logs_dir})")
    click.echo("Press Ctrl-C to stop.")
    try:
        while not stopping and platform.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("Stopping the academy…")
        code = platform.stop()
        click.echo("Stopped.")
    if not stopping and code not in (0, None):
        raise click.ClickException(f"JupyterHub exited with code {code}; see the hub log")


@main.command()
@pass_academy
def accounts(academy: AcademyContext) -> None:
    """Print the demo accounts and their passwords (from the 0600 accounts file)."""
    _print_accounts(academy.layout)


def _print_accounts(layout: DataLayout) -> None:
    try:
        lines = layout.accounts_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise click.ClickException(f"{layout.root}: no accounts yet; run `academy init`") from exc
    except PermissionError as exc:
        raise click.ClickException(f"{layout.accounts_file}: permission denied") from exc
    click.echo(f"Accounts (passwords are random for this installation; {layout.accounts_file}):")
    click.echo(f"  {'role':<8} {'username':<10} {'password':<20} full name")
    for line in lines:
        role, username, password, full_name = line.split("\t")
        click.echo(f"  {role:<8} {username:<10} {password:<20} {full_name}")


@main.command()
@click.option("--yes", is_flag=True, help="Confirm: delete every file of this installation.")
@pass_academy
def reset(academy: AcademyContext, yes: bool) -> None:
    """Delete the data directory so that the next `academy up` starts clean."""
    from hub_config.platform import running_ports

    root = academy.layout.root
    if not root.exists():
        click.echo(f"Nothing to reset: {root} does not exist")
        return
    if not academy.layout.settings_file.exists():
        raise click.ClickException(f"{root} is not an academy data directory; not deleting it")
    if running_ports(academy.layout) is not None:
        raise click.ClickException("the academy is running from this data directory: stop it first")
    if not yes:
        raise click.ClickException(f"this deletes everything in {root}; add --yes to confirm")
    shutil.rmtree(root)
    click.echo(f"Deleted {root}")


@main.group()
def grade() -> None:
    """Grading with nbgrader (the trainers' workflow)."""


@grade.command("autograde")
@click.argument("assignment")
@click.option("--course", "course_id", default=None,
              help="Course id (needed only when several courses have this module).")
@pass_academy
def grade_autograde(academy: AcademyContext, assignment: str, course_id: str | None) -> None:
    """Collect, autograde, score practical tasks from e-office evidence, release feedback."""
    from hub_config.grading_commands import autograde

    try:
        report = autograde(academy.layout, assignment, course_id, log=click.echo)
    except (OSError, RuntimeError, ValueError, LookupError) as exc:
        raise click.ClickException(str(exc)) from exc
    if report.failed:
        raise click.ClickException(
            "autograding failed for: " + ", ".join(sorted(report.failed))
        )


@main.group()
def hr() -> None:
    """Records for the HR / personnel officers."""


@hr.command("export")
@click.option("--format", "fmt", default="csv", show_default=True,
              type=click.Choice(["csv"]), help="File format.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="File to write (replaced atomically).")
@pass_academy
def hr_export(academy: AcademyContext, fmt: str, out: Path) -> None:
    """One row per learner per course: employee id, name, agency, score, passed, date."""
    from hub_config.grading_commands import export_records

    try:
        count = export_records(academy.layout, fmt, out)
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {count} rows to {out}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
