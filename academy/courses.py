"""The courses of one installation as nbgrader sees them (used by `init` and `grade`)."""

from __future__ import annotations

from course_kit.catalog import load_catalog
from grading.nbgrader_runner import CourseWorkspace
from hub_config import CONFIG_DIR
from installation.layout import DataLayout
from installation.settings import InstallSettings


def course_workspace(
    layout: DataLayout, settings: InstallSettings, course_id: str
) -> CourseWorkspace:
    """The nbgrader course directory of ``course_id`` with the platform's configuration."""
    return CourseWorkspace(
        course_id=course_id,
        root=layout.course_dir(course_id),
        db_url=settings.gradebook_url(layout, course_id),
        exchange_dir=layout.exchange_dir,
        config_dir=CONFIG_DIR,
    )


def course_of(layout: DataLayout, module_id: str, course_id: str | None) -> str:
    """The course a module belongs to; ``course_id`` when given (and known)."""
    catalog = load_catalog(layout.catalog_dir)
    if course_id is not None:
        if course_id not in catalog:
            raise LookupError(
                f"unknown course {course_id!r}; courses: {', '.join(sorted(catalog))}"
            )
        return course_id
    owners = [c.id for c in catalog.values() if module_id in c.module_ids]
    if len(owners) > 1:
        raise LookupError(f"module {module_id!r} is in several courses; pass --course")
    if not owners:
        known = sorted(m for c in catalog.values() for m in c.module_ids)
        raise LookupError(
            f"unknown module {module_id!r}: no course has it (known modules: {', '.join(known)})"
        )
    return owners[0]
