"""`academy eoffice reset|scenario|exchange`: what trainers do with learners' sandboxes
(sandbox_eoffice.scenarios), registered in the `academy eoffice` group."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from academy.cli.context import AcademyContext, pass_academy
from installation.settings import EOFFICE_ACCOUNT, InstallSettings
from people.roster import load_roster


@contextmanager
def _eoffice_session(academy: AcademyContext) -> Iterator[Session]:
    """One transaction on the installation's e-office database: all or nothing."""
    from sandbox_eoffice.database import make_engine, make_session_factory, upgrade

    try:
        settings = InstallSettings.load(academy.layout)
        url = settings.eoffice_url(academy.layout)
        upgrade(url)
    except (OSError, ValueError, SQLAlchemyError) as exc:
        raise click.ClickException(f"the e-office database cannot be opened: {exc}") from exc
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        engine.dispose()
        if settings.isolated and url.startswith("sqlite"):
            from academy import unix_accounts

            unix_accounts.give_tree(academy.layout.eoffice_dir, EOFFICE_ACCOUNT)


def _course_learners(academy: AcademyContext, course: str) -> list[str]:
    learners = [p.username for p in load_roster(academy.layout.roster_file)
                if p.is_learner and p.can_log_in and course in p.courses]
    if not learners:
        raise click.UsageError(f"--course {course}: no active learner of the roster is "
                               "enrolled in this course")
    return learners


def _chosen_learners(academy: AcademyContext, usernames: tuple[str, ...],
                     course: str | None) -> list[str]:
    """--user U (repeatable) or --course C, exactly one of them."""
    if bool(usernames) == bool(course):
        raise click.UsageError("give --user USERNAME (repeatable) or --course COURSE")
    return list(usernames) or _course_learners(academy, course or "")


def _trainer() -> str:
    return f"trainer:{getpass.getuser()}"


def _scenario_errors() -> type[Exception]:
    from sandbox_eoffice.scenarios import ScenarioError

    return ScenarioError


@click.command("reset")
@click.argument("username")
@click.option("--seed", type=int, default=None,
              help="Make it from this seed instead of its own.")
@pass_academy
def reset_command(academy: AcademyContext, username: str, seed: int | None) -> None:
    """Make a learner's sandbox agency again: its documents and activity log start over
    (scores already in the gradebook stay)."""
    from sandbox_eoffice.scenarios import reset_tenant

    try:
        with _eoffice_session(academy) as session:
            tenant = reset_tenant(session, username, actor=_trainer(), seed=seed)
            agency = tenant.agency.name if tenant.agency else "?"
    except _scenario_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{username}: sandbox made again ({agency}, seed {tenant.seed})")


@click.command("scenario")
@click.option("--course", required=True, help="Every active learner enrolled in this course.")
@click.option("--seed", type=int, required=True, help="The scenario: the same for everyone.")
@pass_academy
def scenario_command(academy: AcademyContext, course: str, seed: int) -> None:
    """Give a whole class the same scenario: the same agency, colleagues and documents."""
    from sandbox_eoffice.scenarios import give_class_scenario

    learners = _course_learners(academy, course)
    with _eoffice_session(academy) as session:
        tenants = give_class_scenario(session, learners, seed=seed, actor=_trainer())
        agency = tenants[0].agency.name if tenants[0].agency else "?"
    click.echo(f"{len(learners)} learners of {course} now practise in {agency} (seed {seed})")


@click.group("exchange")
def exchange() -> None:
    """Class exchanges: learners' agencies send documents to one another."""


@exchange.command("open")
@click.argument("name")
@click.option("--course", required=True, help="Every active learner enrolled in this course.")
@pass_academy
def exchange_open(academy: AcademyContext, name: str, course: str) -> None:
    """Open a class exchange NAME for the learners of --course."""
    from sandbox_eoffice.scenarios import open_class_exchange

    learners = _course_learners(academy, course)
    settings = InstallSettings.load(academy.layout)
    try:
        with _eoffice_session(academy) as session:
            open_class_exchange(session, name, learners, actor=_trainer(),
                                base_seed=settings.install_seed)
    except _scenario_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"exchange {name!r} is open for {len(learners)} learners of {course}")


@exchange.command("close")
@click.argument("name")
@pass_academy
def exchange_close(academy: AcademyContext, name: str) -> None:
    """Close the class exchange NAME (what was sent stays where it arrived)."""
    from sandbox_eoffice.scenarios import close_class_exchange

    try:
        with _eoffice_session(academy) as session:
            close_class_exchange(session, name)
    except _scenario_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"exchange {name!r} is closed")


@click.command("clock")
@click.option("--user", "usernames", multiple=True, help="A learner (repeat for more).")
@click.option("--course", default=None, help="Every active learner enrolled in this course.")
@click.option("--days", type=int, required=True,
              help="How far ahead of real time (0: back to today), at most 3650.")
@pass_academy
def clock_command(academy: AcademyContext, usernames: tuple[str, ...], course: str | None,
                  days: int) -> None:
    """Move learners' scenario clock DAYS ahead: their certificates live in that time, so
    that one expires (the expired-certificate incident)."""
    from sandbox_eoffice.scenarios import shift_clock

    learners = _chosen_learners(academy, usernames, course)
    try:
        with _eoffice_session(academy) as session:
            shift_clock(session, learners, days=days, actor=_trainer())
    except _scenario_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(learners)} learner(s): scenario clock {days} days ahead")


@click.command("rename-agency")
@click.option("--user", "usernames", multiple=True, help="A learner (repeat for more).")
@click.option("--course", default=None, help="Every active learner enrolled in this course.")
@click.option("--name", required=True, help="The agency's new name.")
@pass_academy
def rename_agency_command(academy: AcademyContext, usernames: tuple[str, ...],
                          course: str | None, name: str) -> None:
    """Rename learners' agency (a merger or reorganisation): their certificates still name
    the old agency until they renew (the re-issue incident)."""
    from sandbox_eoffice.scenarios import rename_agency

    learners = _chosen_learners(academy, usernames, course)
    try:
        with _eoffice_session(academy) as session:
            rename_agency(session, learners, name=name, actor=_trainer())
    except _scenario_errors() as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(learners)} learner(s): agency renamed to {name}")


COMMANDS = (reset_command, scenario_command, exchange, clock_command, rename_agency_command)
