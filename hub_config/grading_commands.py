"""What `academy grade …` and `academy hr …` do with one installation's settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from course_kit.catalog import load_catalog

import hub_config
from grading.autograde import (
    AutogradeReport,
    CourseWorkspace,
    EvidenceAccess,
    autograde_assignment,
    check_assignment,
)
from grading.hr_export import export
from grading.records import completion_records
from hub_config.layout import DataLayout
from hub_config.platform import running_ports
from hub_config.rbac import EOFFICE_SERVICE
from hub_config.roster import load_roster
from hub_config.settings import InstallSettings, grader_account, read_secret


def course_workspace(
    layout: DataLayout, settings: InstallSettings, course_id: str
) -> CourseWorkspace:
    return CourseWorkspace(
        course_id=course_id,
        root=layout.course_dir(course_id),
        db_url=settings.gradebook_url(layout, course_id),
        nbgrader_env={
            "JUPYTER_CONFIG_PATH": str(Path(hub_config.__file__).parent),
            "ACADEMY_EXCHANGE_ROOT": str(layout.exchange_dir),
            "ACADEMY_SERVER_ROLE": "course",
        },
    )


def _course_of(layout: DataLayout, assignment: str, course_id: str | None) -> str:
    catalog = load_catalog(layout.catalog_dir)
    if course_id is not None:
        if course_id not in catalog:
            raise LookupError(
                f"unknown course {course_id!r}; courses: {', '.join(sorted(catalog))}"
            )
        return course_id
    owners = [c.id for c in catalog.values() if assignment in c.module_ids]
    if len(owners) > 1:
        raise LookupError(f"module {assignment!r} is in several courses; pass --course")
    if not owners:
        known = sorted(m for c in catalog.values() for m in c.module_ids)
        raise LookupError(
            f"unknown module {assignment!r}: no course has it (known modules: {', '.join(known)})"
        )
    return owners[0]


def autograde(
    layout: DataLayout, assignment: str, course_id: str | None, log: Callable[[str], None]
) -> AutogradeReport:
    settings = InstallSettings.load(layout)
    course_id = _course_of(layout, assignment, course_id)
    workspace = course_workspace(layout, settings, course_id)
    check_assignment(workspace, assignment)  # before anything else: nothing changes if unknown
    ports = running_ports(layout)
    if ports is None:
        raise RuntimeError(
            "the academy is not running from this data directory: start it with `academy up` "
            "(practical tasks are graded from the running e-office)"
        )
    evidence = EvidenceAccess(
        url=f"{ports.public_url}/services/{EOFFICE_SERVICE}",
        token=read_secret(layout, "grading_api_token"),
    )
    run_as = grader_account(course_id) if settings.isolated else None
    report = autograde_assignment(workspace, assignment, evidence, run_as=run_as)
    log(report.summary())
    return report


def export_records(layout: DataLayout, fmt: str, out: Path) -> int:
    settings = InstallSettings.load(layout)
    catalog = load_catalog(layout.catalog_dir)
    urls = {cid: settings.gradebook_url(layout, cid) for cid in catalog}
    records = completion_records(load_roster(layout.roster_file), catalog, urls)
    export(records, fmt, out)
    return len(records)
