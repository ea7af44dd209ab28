"""`academy hr …`: records for the HR / personnel officers (export) and trainers (override).

Both commands name the person acting (``--by``), checked against the roster: the export
is for the hr and admin roles, an override for a trainer of the course or an admin. Every
export, override and refusal is written to the audit log (``grading.audit``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from academy.cli.context import AcademyContext, pass_academy
from common.roles import Role
from installation.layout import DataLayout
from installation.settings import InstallSettings
from people.roster import Person, load_roster

if TYPE_CHECKING:
    from grading.certificates import IssuedCertificate
    from grading.records import RecordFilter

EXPORT_ROLES = (Role.HR, Role.ADMIN)
DATE_FORMAT = "%Y-%m-%d"


@click.group()
def hr() -> None:
    """Records for the HR / personnel officers."""


def _audit(layout: DataLayout, action: str, actor: str, details: Mapping[str, Any]) -> None:
    from grading.audit import AuditAction, append_entry

    append_entry(layout.audit_log_file, AuditAction(action), actor, details)


def _person(roster: list[Person], username: str) -> Person | None:
    return next((p for p in roster if p.username == username), None)


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
    from grading.records import RecordFilter

    layout = academy.layout
    where = RecordFilter(tuple(course_ids) or None, agency,
                         since.date() if since else None, until.date() if until else None)
    try:
        roster = load_roster(layout.roster_file)
        person = _person(roster, by)
        if person is None or person.role not in EXPORT_ROLES:
            role = "not in the roster" if person is None else f"role {person.role}"
            _audit(layout, "hr.export.refused", by, {"reason": role, "out": str(out)})
            raise click.ClickException(
                f"{by} may not export HR records ({role}): only the hr and admin roles may")
        if where.since and where.until and where.since > where.until:
            raise click.BadParameter("--since is after --until", param_hint="'--since'")
        rows = export_records(layout, fmt, out, roster, where)
        _audit(layout, "hr.export", by, {
            "format": fmt, "out": str(out.resolve()), "rows": rows, "agency": agency,
            "courses": list(course_ids), "since": where.since, "until": where.until,
        })
    except (OSError, RuntimeError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Wrote {rows} rows to {out}")


def certificates_or_empty(layout: DataLayout) -> Mapping[tuple[str, str], IssuedCertificate]:
    """The certificate index, or {} while ``grading.certificates`` cannot list any yet
    (not implemented, or no registry): the certificate columns are then empty."""
    from grading.certificates import certificate_index

    try:
        return certificate_index(layout.certificates_dir)
    except (NotImplementedError, FileNotFoundError):
        return {}


def export_records(layout: DataLayout, fmt: str, out: Path,
                   roster: list[Person] | None = None,
                   where: RecordFilter | None = None) -> int:
    """Write the completion records of an installation to ``out``; the number of rows."""
    from grading.competency_records import load_checked_catalog
    from grading.completion_overrides import load_overrides
    from grading.hr_export import check_target, export, writer_for
    from grading.records import RecordFilter, iter_completion_records

    writer_for(fmt)
    check_target(out)
    settings = InstallSettings.load(layout)
    catalog = load_checked_catalog(layout.catalog_dir)
    urls = {cid: settings.gradebook_url(layout, cid) for cid in catalog}
    records = iter_completion_records(
        roster if roster is not None else load_roster(layout.roster_file), catalog, urls,
        overrides=load_overrides(layout.completion_overrides_file),
        certificates=certificates_or_empty(layout),
        where=where or RecordFilter(),
    )
    return export(records, fmt, out).rows


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
    from course_kit.catalog import load_catalog
    from grading.completion_overrides import (
        OverrideError,
        append_override,
        check_override_allowed,
        new_override,
    )

    layout = academy.layout
    details = {"user": username, "course": course_id, "completed": completed == "yes",
               "reason": reason}
    try:
        roster = load_roster(layout.roster_file)
        try:
            check_override_allowed(roster, sorted(load_catalog(layout.catalog_dir)), course_id,
                                   username, by, reason)
        except OverrideError as exc:
            _audit(layout, "completion.override.refused", by, details | {"refused": str(exc)})
            raise click.ClickException(str(exc)) from exc
        override = new_override(username, course_id, completed == "yes", reason, by)
        append_override(layout.completion_overrides_file, override)
        _audit(layout, "completion.override", by, details | {"at": override.at})
    except (OSError, RuntimeError, ValueError) as exc:
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
