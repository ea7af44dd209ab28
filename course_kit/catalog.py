"""The course catalog: each course's `course.toml` (id, title, modules, pass mark, and
whether a submission is graded as soon as it arrives: `grade_on_submit`).

A course folder under `courses/` holds `course.toml` and nbgrader's `source/` tree. The
catalog copy under the data directory (`<data>/catalog/<course_id>.toml`) is public: the
learners' "My learning" page and the HR export read titles and pass marks from it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class CatalogError(ValueError):
    """A course.toml is missing a field or malformed; the message names the file."""


@dataclass(frozen=True)
class Module:
    id: str  # the nbgrader assignment name
    title: str
    notebook: str  # the notebook learners open, relative to the assignment folder


@dataclass(frozen=True)
class Course:
    id: str  # the nbgrader course id, also the hub service name and group suffix
    title: str
    title_vi: str
    pass_percent: float
    modules: tuple[Module, ...]
    #: the grading service grades each submission within a minute (`academy grade watch`)
    grade_on_submit: bool = False

    @property
    def module_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.modules)

    def module(self, module_id: str) -> Module:
        for m in self.modules:
            if m.id == module_id:
                return m
        raise KeyError(module_id)


def load_course(path: Path) -> Course:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: no such course file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    try:
        modules = tuple(
            Module(id=m["id"], title=m["title"], notebook=m.get("notebook", f"{m['id']}.ipynb"))
            for m in data.get("modules", [])
        )
        course = Course(
            id=data["id"],
            title=data["title"],
            title_vi=data.get("title_vi", ""),
            pass_percent=float(data.get("pass_percent", 70)),
            modules=modules,
            grade_on_submit=data.get("grade_on_submit", False),
        )
    except KeyError as exc:
        raise CatalogError(f"{path}: missing field {exc.args[0]!r}") from exc
    if not isinstance(course.grade_on_submit, bool):
        raise CatalogError(
            f"{path}: grade_on_submit must be true or false, got {course.grade_on_submit!r}"
        )
    if not 0 < course.pass_percent <= 100:
        raise CatalogError(f"{path}: pass_percent must be in (0, 100], got {course.pass_percent}")
    return course


def load_catalog(directory: Path) -> dict[str, Course]:
    """All courses of a catalog directory: `<id>.toml` files, or `<id>/course.toml` folders."""
    courses: dict[str, Course] = {}
    for path in sorted(directory.glob("*.toml")) + sorted(directory.glob("*/course.toml")):
        course = load_course(path)
        courses[course.id] = course
    return courses
