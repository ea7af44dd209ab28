"""`academy hr …`: records for the HR / personnel officers."""

from __future__ import annotations

from pathlib import Path

import click

from academy.cli.context import AcademyContext, pass_academy
from course_kit.catalog import load_catalog
from installation.layout import DataLayout
from installation.settings import InstallSettings
from people.roster import load_roster


@click.group()
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
    try:
        count = export_records(academy.layout, fmt, out)
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {count} rows to {out}")


def export_records(layout: DataLayout, fmt: str, out: Path) -> int:
    """Write the completion records of an installation to ``out``; the number of rows."""
    from grading.hr_export import export
    from grading.records import completion_records

    settings = InstallSettings.load(layout)
    catalog = load_catalog(layout.catalog_dir)
    urls = {cid: settings.gradebook_url(layout, cid) for cid in catalog}
    records = completion_records(load_roster(layout.roster_file), catalog, urls)
    export(records, fmt, out)
    return len(records)
