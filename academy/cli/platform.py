"""`academy init`, `up`, `reset`: the installation and the running platform."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import click

from academy.cli.accounts import print_accounts
from academy.cli.context import AcademyContext, courses_option, pass_academy
from installation.settings import InstallSettings


@click.command()
@courses_option
@click.option("--hub-db-url", envvar="ACADEMY_HUB_DB_URL", default="",
              help="Hub database URL (default: SQLite in the data dir).")
@click.option("--gradebook-db-url", envvar="ACADEMY_GRADEBOOK_DB_URL", default="",
              help="Gradebook database URL; may contain {course_id} (default: SQLite).")
@click.option("--eoffice-db-url", envvar="ACADEMY_EOFFICE_DB_URL", default="",
              help="Sandbox e-office database URL (default: SQLite in the data dir).")
@click.option("--postgres-admin-url", envvar="ACADEMY_POSTGRES_ADMIN_URL", default="",
              help="Instead of the three URLs: a PostgreSQL superuser URL with which to make "
                   "each store's database and its own role (random passwords, SCRAM); "
                   "used once, stored nowhere.")
@click.option("--postgres-prefix", default="academy", show_default=True,
              help="Name prefix of those databases and roles.")
@pass_academy
def init(academy: AcademyContext, courses_dir: Path, hub_db_url: str, gradebook_db_url: str,
         eoffice_db_url: str, postgres_admin_url: str, postgres_prefix: str) -> None:
    """Create or update the installation (idempotent): accounts, courses, e-office, keys.
    Database URLs are kept in secrets/databases.json (0600), never in academy.json."""
    _init(academy, courses_dir, hub_db_url, gradebook_db_url, eoffice_db_url,
          postgres_admin_url, postgres_prefix)
    click.echo(f"Ready: {academy.layout.root}")


def _init(academy: AcademyContext, courses_dir: Path, hub_db_url: str = "",
          gradebook_db_url: str = "", eoffice_db_url: str = "", postgres_admin_url: str = "",
          postgres_prefix: str = "academy") -> InstallSettings:
    from academy.provision import DatabaseUrls, Installation

    try:
        return Installation(academy.layout, log=click.echo).init(
            courses_dir, DatabaseUrls(hub_db_url, gradebook_db_url, eoffice_db_url,
                                      postgres_admin_url, postgres_prefix)
        )
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port on 127.0.0.1 where the academy is served.")
@courses_option
@pass_academy
def up(academy: AcademyContext, port: int, courses_dir: Path) -> None:
    """Initialise if needed, start the whole platform and run until Ctrl-C."""
    from academy.supervisor import PlatformError, start

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
    signal.signal(signal.SIGHUP, _stop)
    click.echo("")
    click.echo(f"The Digital Civil Service Academy is running at {platform.url}/")
    print_accounts(academy.layout)
    click.echo(f"Data directory: {academy.layout.root}  (logs in {academy.layout.logs_dir})")
    click.echo("Press Ctrl-C to stop.")
    try:
        while not stopping and platform.proc.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("Stopping the academy…")
        started = time.monotonic()
        code = platform.stop()
        click.echo(f"Stopped in {time.monotonic() - started:.1f} s.")
    if not stopping and code not in (0, None):
        raise click.ClickException(f"JupyterHub exited with code {code}; see the hub log")


@click.command()
@click.option("--yes", is_flag=True, help="Confirm: delete every file of this installation.")
@pass_academy
def reset(academy: AcademyContext, yes: bool) -> None:
    """Delete the data directory so that the next `academy up` starts clean."""
    from academy.supervisor import running_ports

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


@click.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@pass_academy
def backup(academy: AcademyContext, target: Path) -> None:
    """Back up the installation to the new folder TARGET, also while it runs: every database
    (SQLite backup API, or pg_dump in one snapshot), the PKI keys, course files, the nbgrader
    exchange and learners' homes, with permissions, row counts and checksums."""
    from academy.backup import BackupError
    from academy.backup import backup as make_backup

    try:
        manifest = make_backup(academy.layout, target, log=click.echo)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backed up to {target} ({len(manifest['files'])} files, "
               f"{len(manifest['databases'])} databases)")


@click.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Restore over an existing data directory (it is kept beside, renamed).")
@pass_academy
def restore(academy: AcademyContext, source: Path, replace: bool) -> None:
    """Restore the backup in SOURCE to the data directory. Checksums and row counts are
    checked before the restored folder takes the data directory's place; the platform must
    be stopped. On a new machine, run `academy init` afterwards (unix accounts)."""
    from academy.backup import BackupError
    from academy.backup import restore as restore_backup

    try:
        restore_backup(academy.layout, source, log=click.echo, replace=replace)
    except (BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {academy.layout.root} from {source}")
