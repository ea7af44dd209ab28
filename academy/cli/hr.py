"""`academy hr …`: records for the HR / personnel officers (export) and trainers (override).

Both commands name the person acting (``--by``), checked against the roster: the export
is for the hr and admin roles, an override for a trainer of the course or an admin. Every
export, override and refusal is written to the audit log (``grading.audit``).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from academy.cli.context import AcademyContext, pass_academy

DATE_FORMAT = "%Y-%m-%d"


@click.group()
def hr() -> None:
    """Records for the HR / personnel officers."""


@hr.command("export")
@click.option("--format", "fmt", default="csv", show_default=True,
              type=click.Choice(["csv", "xlsx", "json"]), help="File format.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="File to write (replaced atomically).")
@click.option("--by", "by", required=True, metavar="USERNAME",
              help="Who exports: a roster person with the hr or admin role (audited).")
@click.option("--agency", default=None, help="Only learners of this agency (exact name, "
              "case ignored).")
@click.option("--course", "course_ids", multiple=True, metavar="COURSE",
              help="Only this course (repeat for several).")
@click.option("--since", type=click.DateTime([DATE_FORMAT]), default=None,
              help="Only completions on or after this date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime([DATE_FORMAT]), default=None,
              help="Only completions on or before this date (YYYY-MM-DD).")
@pass_academy
def hr_export(academy: AcademyContext, fmt: str, out: Path, by: str, agency: str | None,
              course_ids: tuple[str, ...], since: datetime | None,
              until: datetime | None) -> None:
    """One row per learner per course: who, course, modules, score, passed, date,
    competencies, certificate (docs/hr-export.md)."""
    from grading.installation_records import ActionRefused, ExportRequest, export_records
    from grading.records import RecordFilter

    where = RecordFilter(tuple(course_ids) or None, agency,
                         since.date() if since else None, until.date() if until else None)
    if where.since and where.until and where.since > where.until:
        raise click.BadParameter("--since is after --until", param_hint="'--since'")
    try:
        rows = export_records(academy.layout, ExportRequest(fmt, out, by, where))
    except (ActionRefused, OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {rows} rows to {out}")


@hr.command("override")
@click.option("--course", "course_id", required=True, help="Course id.")
@click.option("--user", "username", required=True, help="The learner's username.")
@click.option("--completed", required=True, type=click.Choice(["yes", "no"]),
              help="Count the course as completed or not, whatever the grades say.")
@click.option("--reason", required=True, help="Why (kept in the records and the audit log).")
@click.option("--by", "by", required=True, metavar="USERNAME",
              help="Who decides: a trainer of the course or an admin (audited).")
@pass_academy
def hr_override(academy: AcademyContext, course_id: str, username: str, completed: str,
                reason: str, by: str) -> None:
    """Override a learner's completion of a course, with a reason (logged, audited)."""
    from grading.installation_records import ActionRefused, override_completion

    layout = academy.layout
    try:
        override = override_completion(layout, course_id, username, completed == "yes",
                                       reason, by)
    except (ActionRefused, OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{username} in {course_id}: completed = {completed} (override by {by}, "
               f"{date.isoformat(override.at.date())})")
    # the certificate follows: withdrawn when no longer completed, issued when now completed
    from academy.cli.certificate import issue_certificates

    try:
        run = issue_certificates(layout, course_id, username, actor=by,
                                 withdraw_reason=f"Completion overridden by {by}: {reason}")
    except (click.ClickException, OSError, RuntimeError, ValueError) as exc:
        message = exc.format_message() if isinstance(exc, click.ClickException) else str(exc)
        raise click.ClickException(f"the override is recorded, but the certificate could not "
                                   f"follow it: {message} (run `academy certificate issue "
                                   f"--course {course_id} --user {username}`)") from exc
    for record in run.withdrawn:
        click.echo(f"certificate {record.certificate_id} revoked: {record.revocation_reason}")
    for cert in run.issued:
        click.echo(f"certificate {cert.certificate_id} issued")
