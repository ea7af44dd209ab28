"""`academy audit …`: the audit log of exports, overrides and regrades (admins).

The log (``DataLayout.audit_log_file``) is 0660 in a folder only root may list: root (the
account that runs the academy on a server) and the dashboards service's group (its admin
page shows it) can read it, which is what makes these commands admin-only.
"""

from __future__ import annotations

import json
from datetime import datetime

import click

from academy.cli.context import AcademyContext, pass_academy


@click.group()
def audit() -> None:
    """The audit log: HR exports, completion overrides, regrades (admins)."""


@audit.command("show")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only entries on or after this date (YYYY-MM-DD, Vietnam time).")
@click.option("--action", default=None,
              help="Only this action, e.g. hr.export (also gives hr.export.refused).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_academy
def audit_show(academy: AcademyContext, since: datetime | None, action: str | None,
               as_json: bool) -> None:
    """Print the audit log, oldest first."""
    from grading.audit import AuditError, read_entries

    try:
        for entry in read_entries(academy.layout.audit_log_file,
                                  since.date() if since else None, action):
            if as_json:
                click.echo(json.dumps(entry.as_json(), ensure_ascii=False))
            else:
                details = ", ".join(f"{k}={v}" for k, v in entry.details.items())
                click.echo(f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.action} by {entry.actor}: "
                           f"{details}")
    except (AuditError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@audit.command("verify")
@pass_academy
def audit_verify(academy: AcademyContext) -> None:
    """Check the hash chain: exits non-zero at the first changed, inserted or removed line."""
    from grading.audit import verify_chain

    path = academy.layout.audit_log_file
    report = verify_chain(path)
    if not report.ok:
        raise click.ClickException(f"{path}: line {report.broken_line}: {report.problem}")
    click.echo(f"{path}: {report.entries} entries, chain intact")
