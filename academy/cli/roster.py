"""`academy roster …`: the personnel file in, and who is on the platform."""

from __future__ import annotations

import json
from pathlib import Path

import click

from academy.cli.context import AcademyContext, pass_academy
from installation.layout import DataLayout


@click.group()
def roster() -> None:
    """The roster: import the personnel file, list who is on the platform."""


@roster.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and report; change nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid rows and report the others (default: all or nothing).")
@click.option("--partial", is_flag=True,
              help="The file is not the whole roster: do not deactivate people missing from it.")
@pass_academy
def roster_import(
    academy: AcademyContext, file: Path, dry_run: bool, skip_invalid: bool, partial: bool
) -> None:
    """Import learners from FILE (.csv or .xlsx) with the columns employee_id, full_name,
    date_of_birth, gender, agency, unit, position, email, phone, courses (course ids
    separated by ';').

    Every problem is reported with its line, column and value. If any row is invalid,
    nothing is imported unless --skip-invalid. Importing the same file again changes
    nothing; people missing from a new full roster are deactivated, never deleted.
    """
    from academy.provision import Installation
    from course_kit.catalog import load_catalog
    from people.roster import load_roster, save_roster
    from people.roster_import import (
        RosterFileError,
        check_rows,
        merge_roster,
        read_roster_table,
    )

    layout: DataLayout = academy.layout
    if not layout.roster_file.exists():
        raise click.ClickException(f"{layout.root}: not initialised; run `academy init` first")
    try:
        rows, header_problems = read_roster_table(file)
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from exc
    if header_problems:
        for problem in header_problems:
            click.echo(f"{file}: {problem}", err=True)
        raise click.ClickException(
            f"nothing imported: the columns must be {', '.join(_columns())}"
        )
    checked = check_rows(rows, load_catalog(layout.catalog_dir))
    for problem in checked.problems:
        click.echo(f"{file}: {problem}", err=True)
    invalid = len(checked.invalid_lines)
    if invalid and not skip_invalid:
        raise click.ClickException(
            f"nothing imported: {invalid} of {checked.rows} rows are invalid (listed above); "
            "fix them, or use --skip-invalid to import the others"
        )
    change = merge_roster(load_roster(layout.roster_file), checked.people, full=not partial)
    valid = f"{checked.rows - invalid} valid rows" + (f", {invalid} skipped" if invalid else "")
    if dry_run:
        click.echo(f"dry run, nothing changed: {valid}; would be {change.summary()}")
        return
    save_roster(layout.roster_file, change.roster)
    Installation(layout, log=click.echo).provision_people(change.roster)
    click.echo(f"imported {valid}: {change.summary()}")
    from academy.hub_sync import HubSyncError, sync_running_hub

    try:
        sync_running_hub(layout, change.roster, sorted(load_catalog(layout.catalog_dir)),
                         log=click.echo)
    except (HubSyncError, OSError) as exc:  # the import itself is done and saved
        click.echo(f"warning: {exc}; restart the platform to apply the roster", err=True)
    if change.new:
        click.echo("new people log in once activated: hand out their activation codes "
                   "(`academy accounts codes --out FILE.xlsx`)")


def _columns() -> tuple[str, ...]:
    from people.roster_import import COLUMNS

    return COLUMNS


@roster.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_academy
def roster_list(academy: AcademyContext, as_json: bool) -> None:
    """Everyone on the roster with their account status (active, not yet activated,
    locked, deactivated)."""
    from academy.cli.accounts import account_sessions, read_roster
    from people.accounts import account_status, statuses

    people = read_roster(academy.layout)
    with account_sessions(academy.layout)() as session:
        known = statuses(session)
    status = {p.username: account_status(p, known) for p in people}
    if as_json:
        click.echo(json.dumps([
            {"username": p.username, "employee_id": p.employee_id, "full_name": p.full_name,
             "role": p.role.value, "status": status[p.username].value, "agency": p.agency,
             "unit": p.unit, "courses": list(p.courses)}
            for p in people
        ], ensure_ascii=False, indent=1))
        return
    for p in people:
        click.echo(f"{p.username:<20} {p.employee_id or '-':<12} {status[p.username].value:<18} "
                   f"{p.role.value:<8} {p.full_name} ({p.agency or '-'})")
