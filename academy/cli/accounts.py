"""`academy accounts …`: the demo passwords, activation codes for HR, reset and unlock."""

from __future__ import annotations

import os
from pathlib import Path

import click

from academy.cli.context import AcademyContext, pass_academy
from installation.layout import DataLayout

PUBLIC_URL_ENV = "ACADEMY_PUBLIC_URL"


@click.group(invoke_without_command=True)
@click.pass_context
def accounts(ctx: click.Context) -> None:
    """Hub accounts. Without a subcommand: print the demo accounts and their passwords
    (from the 0600 accounts file)."""
    if ctx.invoked_subcommand is None:
        print_accounts(ctx.find_object(AcademyContext).layout)


def print_accounts(layout: DataLayout) -> None:
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


def _url_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--url", "public_url", envvar=PUBLIC_URL_ENV, default="http://127.0.0.1:8000",
        show_default=f"${PUBLIC_URL_ENV} or http://127.0.0.1:8000",
        help="The academy's address as learners reach it (for the activation links).",
    )(f)


@accounts.command("codes")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The code sheet to write: .csv or .xlsx (replaced atomically, mode 0600).")
@click.option("--username", "usernames", multiple=True,
              help="Only this person (repeatable); default: everyone not yet activated.")
@click.option("--valid-days", default=30, show_default=True, type=click.IntRange(1, 365),
              help="Days the codes stay valid.")
@_url_option
@pass_academy
def codes(academy: AcademyContext, out: Path, usernames: tuple[str, ...], valid_days: int,
          public_url: str) -> None:
    """Issue activation codes to the people not yet activated and write the sheet HR hands
    out: employee id, name, agency, unit, username, code, link, valid until.

    Codes are stored only as hashes: issuing again replaces a person's earlier code. If the
    sheet cannot be written, no code changes.
    """
    from common.files import atomic_write
    from common.spreadsheet import render_table
    from people.accounts import (
        CODE_SHEET_COLUMNS,
        AccountPolicy,
        account_status,
        code_sheet_row,
        issue_code,
        statuses,
    )
    from people.roster import AccountStatus

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.ClickException(f"{out}: the code sheet must end in .csv or .xlsx")
    if not out.parent.is_dir():
        raise click.ClickException(f"{out}: folder {out.parent} does not exist")
    people = read_roster(academy.layout)
    policy = AccountPolicy(code_valid_days=valid_days)
    with account_sessions(academy.layout)() as session:
        known = statuses(session)
        if usernames:
            by_name = {p.username: p for p in people}
            unknown = [u for u in usernames if u not in by_name]
            if unknown:
                raise click.ClickException(f"not on the roster: {', '.join(unknown)}")
            chosen = [by_name[u] for u in dict.fromkeys(usernames)]
            active = [p.username for p in chosen
                      if account_status(p, known) is not AccountStatus.NOT_ACTIVATED]
            if active:
                raise click.ClickException(
                    f"not waiting for activation: {', '.join(active)} "
                    "(an active or locked account is reset with `academy accounts reset`; "
                    "a deactivated one is back with the next roster import)")
        else:
            chosen = [p for p in people
                      if account_status(p, known) is AccountStatus.NOT_ACTIVATED]
        rows = []
        for person in chosen:
            code, expires = issue_code(session, person.username, policy)
            rows.append(code_sheet_row(person, code, expires, public_url))
        try:
            atomic_write(out, render_table(fmt, CODE_SHEET_COLUMNS, rows, "activation"),
                         mode=0o600)
        except OSError as exc:
            session.rollback()
            raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}; "
                                       "no code was changed") from exc
        session.commit()
    click.echo(f"Wrote {len(rows)} activation codes to {out} (valid {valid_days} days; "
               "earlier codes of these people no longer work)")


@accounts.command("reset")
@click.argument("username")
@click.option("--valid-days", default=7, show_default=True, type=click.IntRange(1, 365),
              help="Days the new code stays valid.")
@_url_option
@pass_academy
def reset_account(academy: AcademyContext, username: str, valid_days: int,
                  public_url: str) -> None:
    """Remove USERNAME's password, lift any lockout and print a new activation code (the
    person chooses a new password with it)."""
    from people.accounts import AccountPolicy, activation_link, issue_code

    person = _on_roster(academy.layout, username)
    if not person.can_log_in:
        raise click.ClickException(f"{username} is deactivated (no longer on the roster)")
    with account_sessions(academy.layout)() as session, session.begin():
        code, expires = issue_code(session, username, AccountPolicy(code_valid_days=valid_days))
    click.echo(f"{username} ({person.full_name}): password removed; activation code {code}, "
               f"valid until {expires.date().isoformat()}")
    click.echo(f"  {activation_link(public_url, username, code)}")


@accounts.command("unlock")
@click.argument("username")
@pass_academy
def unlock_account(academy: AcademyContext, username: str) -> None:
    """Lift the lockout of USERNAME after repeated failed logins (the password stays)."""
    from people.accounts import unlock

    _on_roster(academy.layout, username)
    with account_sessions(academy.layout)() as session, session.begin():
        lifted = unlock(session, username)
    click.echo(f"{username}: unlocked" if lifted else f"{username} was not locked")


def read_roster(layout: DataLayout):  # type: ignore[no-untyped-def]
    from people.roster import RosterError, load_roster

    try:
        return load_roster(layout.roster_file)
    except RosterError as exc:
        raise click.ClickException(str(exc)) from exc


def _on_roster(layout: DataLayout, username: str):  # type: ignore[no-untyped-def]
    for person in read_roster(layout):
        if person.username == username:
            return person
    raise click.ClickException(f"{username}: not on the roster (`academy roster list`)")


def account_sessions(layout: DataLayout):  # type: ignore[no-untyped-def]
    from installation.settings import InstallSettings
    from people.accounts import open_account_store

    if os.geteuid() != 0 and InstallSettings.load(layout).isolated:
        raise click.ClickException(f"{layout.root} is in isolated mode: run this as root")
    return open_account_store(InstallSettings.load(layout).hub_url(layout))
