"""Command line for the platform's launcher: migrate, provision, inspect evidence."""

from __future__ import annotations

import json

import click

from sandbox_eoffice.database import make_engine, make_session_factory, upgrade
from sandbox_eoffice.seeding import provision_tenant
from sandbox_eoffice.tasks import evaluate_tasks

database_url_option = click.option(
    "--database-url",
    envvar="EOFFICE_DATABASE_URL",
    required=True,
    help="SQLAlchemy URL, e.g. sqlite:////var/lib/academy/eoffice/eoffice.sqlite",
)


@click.group()
def main() -> None:
    """Sandbox e-office administration."""


@main.command("upgrade")
@database_url_option
def upgrade_command(database_url: str) -> None:
    """Create or migrate the database schema to the newest version."""
    upgrade(database_url)
    click.echo("e-office database is up to date")


@main.command("provision")
@database_url_option
@click.option("--username", required=True, help="Hub username of the learner.")
@click.option("--full-name", default="", help="Full name shown in the e-office.")
@click.option("--seed", type=int, required=True, help="Seed for the generated documents.")
def provision_command(database_url: str, username: str, full_name: str, seed: int) -> None:
    """Create the learner's sandbox agency if it does not exist yet (idempotent)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            tenant = provision_tenant(session, username, full_name or username, seed)
            session.commit()
            agency = tenant.agency.name if tenant.agency else "?"
            click.echo(f"{username}: {agency}")
    finally:
        engine.dispose()


@main.command("evidence")
@database_url_option
@click.option("--username", required=True)
def evidence_command(database_url: str, username: str) -> None:
    """Print a learner's practical task results as JSON."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            results = evaluate_tasks(session, username)
            payload = {task_id: result.as_dict() for task_id, result in results.items()}
            click.echo(json.dumps({"username": username, "tasks": payload}, ensure_ascii=False))
    finally:
        engine.dispose()
