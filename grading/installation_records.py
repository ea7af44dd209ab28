"""An installation's records, acted on by a person: the HR export and the completion
override, with who may do them and the audit entry of each, attempts refused included.

One home for both doors: `academy hr export|override` (the person is ``--by``, checked
against the roster) and the dashboards' buttons (the person is the hub login, and the roster
entry of that user name must hold the role as well). ``via`` in the audit entry says which
door was used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.roles import Role
from grading.audit import AuditAction, append_entry
from grading.completion import CompletionOverride
from grading.records import RecordFilter
from installation.layout import DataLayout
from installation.settings import InstallSettings
from people.roster import Person, load_roster

#: Who may export the records (the CLI and the dashboards alike).
EXPORT_ROLES = (Role.HR, Role.ADMIN)


class ActionRefused(PermissionError):
    """The person may not do this; the message says who and why (and it is audited)."""


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    out: Path
    by: str
    where: RecordFilter = RecordFilter()  # noqa: RUF009 - frozen dataclass
    via: str = "cli"  # "cli" or "dashboards": which door the person used


def _audit(layout: DataLayout, action: AuditAction, actor: str,
           details: Mapping[str, Any]) -> None:
    append_entry(layout.audit_log_file, action, actor, details)


def _person(roster: list[Person], username: str) -> Person | None:
    return next((p for p in roster if p.username == username), None)


def check_filter(where: RecordFilter) -> None:
    if where.since and where.until and where.since > where.until:
        raise ValueError(f"the start date {where.since:%d/%m/%Y} is after the end date "
                         f"{where.until:%d/%m/%Y}")


def write_records(layout: DataLayout, fmt: str, out: Path,
                  roster: list[Person] | None = None,
                  where: RecordFilter | None = None) -> int:
    """Write the completion records of an installation to ``out``; the number of rows.
    No role check, no audit: ``export_records`` is the door people use."""
    from grading.certificates import certificate_index
    from grading.competency_records import load_checked_catalog
    from grading.completion_overrides import load_overrides
    from grading.hr_export import check_target, export, writer_for
    from grading.records import iter_completion_records

    writer_for(fmt)
    check_target(out)
    settings = InstallSettings.load(layout)
    catalog = load_checked_catalog(layout.catalog_dir)
    urls = {cid: settings.gradebook_url(layout, cid) for cid in catalog}
    records = iter_completion_records(
        roster if roster is not None else load_roster(layout.roster_file), catalog, urls,
        overrides=load_overrides(layout.completion_overrides_file),
        certificates=certificate_index(layout.certificates_dir),
        where=where or RecordFilter(),
    )
    return export(records, fmt, out).rows


def export_records(layout: DataLayout, request: ExportRequest) -> int:
    """The HR export as a person asks for it: refused (ActionRefused, audited) unless the
    roster gives ``request.by`` the hr or admin role; written (``write_records``) and
    audited with the filters and the row count otherwise. Raises ValueError for a bad
    filter, ExportError when the file cannot be written (nothing is left behind)."""
    roster = load_roster(layout.roster_file)
    person = _person(roster, request.by)
    if person is None or person.role not in EXPORT_ROLES:
        role = "not in the roster" if person is None else f"role {person.role}"
        _audit(layout, AuditAction.HR_EXPORT_REFUSED, request.by,
               {"reason": role, "out": str(request.out), "via": request.via})
        raise ActionRefused(f"{request.by} may not export HR records ({role}): only the hr "
                            "and admin roles may")
    where = request.where
    check_filter(where)
    rows = write_records(layout, request.fmt, request.out, roster, where)
    _audit(layout, AuditAction.HR_EXPORT, request.by, {
        "format": request.fmt, "out": str(request.out.resolve()), "rows": rows,
        "agency": where.agency, "courses": list(where.course_ids or ()),
        "since": where.since, "until": where.until, "via": request.via,
    })
    return rows


def override_completion(layout: DataLayout, course_id: str, username: str, completed: bool,
                        reason: str, by: str, *, via: str = "cli") -> CompletionOverride:
    """Record a completion override as ``by`` decides it: refused (ActionRefused, audited)
    unless ``by`` is a trainer of the course or an admin and the learner is enrolled, and
    a reason is given; appended and audited otherwise. The certificate follows it
    separately (``grading.certificates``: issued or withdrawn by whoever holds the key)."""
    from course_kit.catalog import load_catalog
    from grading.completion_overrides import (
        OverrideError,
        append_override,
        check_override_allowed,
        new_override,
    )

    details = {"user": username, "course": course_id, "completed": completed,
               "reason": reason, "via": via}
    roster = load_roster(layout.roster_file)
    try:
        check_override_allowed(roster, sorted(load_catalog(layout.catalog_dir)), course_id,
                               username, by, reason)
    except OverrideError as exc:
        _audit(layout, AuditAction.COMPLETION_OVERRIDE_REFUSED, by,
               details | {"refused": str(exc)})
        raise ActionRefused(str(exc)) from exc
    override = new_override(username, course_id, completed, reason, by)
    append_override(layout.completion_overrides_file, override)
    _audit(layout, AuditAction.COMPLETION_OVERRIDE, by, details | {"at": override.at})
    return override


__all__ = ["EXPORT_ROLES", "ActionRefused", "ExportRequest", "check_filter", "export_records",
           "override_completion", "write_records"]
