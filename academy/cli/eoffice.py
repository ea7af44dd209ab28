"""`academy eoffice …`: the sandbox e-office's data (learners' practice agencies)."""

from __future__ import annotations

import os
import sys
import time

import click
from sqlalchemy.exc import SQLAlchemyError

from academy.cli.context import AcademyContext, pass_academy
from academy.cli.eoffice_scenarios import COMMANDS as SCENARIO_COMMANDS
from installation.settings import EOFFICE_ACCOUNT, InstallSettings


@click.group()
def eoffice() -> None:
    """The sandbox e-office: learners' practice agencies and their documents."""


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@eoffice.command("seed")
@click.option("--users", type=int, required=True,
              help="How many learners' agencies (tenants) to create.")
@click.option("--documents", type=int, required=True,
              help="Incoming documents in all, spread over the agencies (at least --users).")
@click.option("--prefix", default="p", show_default=True,
              help="Usernames are PREFIX-00001, PREFIX-00002, …")
@click.option("--seed", type=int, default=0, show_default=True,
              help="The same seed gives the same agencies, people and documents.")
@click.option("--batch-size", type=int, default=None,
              help="Agencies written per transaction (default 100).")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Processes generating the rows while one writes them (default: the CPUs).")
@pass_academy
def seed(academy: AcademyContext, users: int, documents: int, prefix: str, seed: int,
         batch_size: int | None, jobs: int | None) -> None:
    """Fill the e-office with a province-scale dataset for load and scale tests: --users
    agencies like a learner's (units, colleagues, incoming documents in every status with
    their history), --documents documents in all. Written in batches, one transaction each;
    after an interruption, run the same command again to finish (existing usernames are
    skipped)."""
    from sandbox_eoffice.database import upgrade
    from sandbox_eoffice.province_seed import DEFAULT_BATCH_SIZE, ProvincePlan, seed_province

    try:
        plan = ProvincePlan(users, documents, prefix, seed,
                            DEFAULT_BATCH_SIZE if batch_size is None else batch_size)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    try:
        settings = InstallSettings.load(academy.layout)
        url = settings.eoffice_url(academy.layout)
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc

    started = time.monotonic()
    try:
        upgrade(url)
        with click.progressbar(length=users, label="Seeding the e-office", file=sys.stderr,
                               show_pos=True, show_eta=True) as bar:
            report = seed_province(url, plan, jobs=jobs or _cpu_count(),
                                   progress=lambda done: bar.update(done.tenants))
    except KeyboardInterrupt:
        raise click.ClickException(
            "interrupted; the agencies written so far are kept: run the same command again "
            "to finish") from None
    except (SQLAlchemyError, OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(f"seeding stopped: {exc}") from exc
    finally:
        if settings.isolated and url.startswith("sqlite"):
            # run as root: the e-office's own account must still own its database files
            from academy import unix_accounts

            unix_accounts.give_tree(academy.layout.eoffice_dir, EOFFICE_ACCOUNT)
    click.echo(
        f"{report.created} agencies created with {report.documents} documents "
        f"({report.skipped} already there) in {time.monotonic() - started:.0f} s"
    )


# trainers' commands on learners' sandboxes (academy/cli/eoffice_scenarios.py)
for _command in SCENARIO_COMMANDS:
    eoffice.add_command(_command)
