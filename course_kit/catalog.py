"""The course catalog: each course's `course.toml` (id, title, modules, pass mark, and
whether a submission is graded as soon as it arrives: `grade_on_submit`).

Each module may declare the competencies it trains and the DigComp proficiency level (1–8)
it trains them to: ``competencies = { "sign.use" = 3, "sign.incidents" = 2 }``. The codes
are the platform codes of the competency framework (``grading/data/competencies.toml``);
the course kit cannot import grading, so ``load_catalog(directory, competencies=codes)``
takes the known codes from the caller (``grading.competency_records.load_checked_catalog``)
and names the course, the module and the code of any unknown one. Levels outside 1–8 and
malformed codes are refused always.

A course folder under `courses/` holds `course.toml` and nbgrader's `source/` tree. The
catalog copy under the data directory (`<data>/catalog/<course_id>.toml`) is public: the
learners' "My learning" page and the HR export read titles and pass marks from it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: DigComp 2.2's proficiency levels.
PROFICIENCY_LEVELS = range(1, 9)
_COMPETENCY_CODE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


class CatalogError(ValueError):
    """A course.toml is missing a field or malformed; the message names the file."""


@dataclass(frozen=True)
class Module:
    id: str  # the nbgrader assignment name
    title: str
    notebook: str  # the notebook learners open, relative to the assignment folder
    #: (competency code, DigComp proficiency level 1–8 this module trains it to), in the
    #: order of course.toml; a tuple so that modules stay hashable
    competencies: tuple[tuple[str, int], ...] = ()


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


def _competencies(
    raw: Any, where: str, known: Collection[str] | None
) -> tuple[tuple[str, int], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: competencies must be a table like "
                           '{ "sign.use" = 3 }')
    tags: dict[str, int] = {}
    for code, level in raw.items():
        if not _COMPETENCY_CODE.match(code):
            raise CatalogError(f"{where}: competency {code!r} is not a code like 'sign.use'")
        if known is not None and code not in known:
            raise CatalogError(f"{where}: unknown competency {code!r} (known: "
                               f"{', '.join(sorted(known))})")
        if isinstance(level, bool) or not isinstance(level, int) or level not in PROFICIENCY_LEVELS:
            raise CatalogError(f"{where}: competency {code!r}: level must be an integer "
                               f"from 1 to 8, got {level!r}")
        tags[code] = level
    return tuple(tags.items())


def load_course(path: Path, competencies: Collection[str] | None = None) -> Course:
    """One course.toml; ``competencies``: the known competency codes (None: not checked)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: no such course file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: {exc}") from exc
    try:
        modules = tuple(
            Module(
                id=m["id"],
                title=m["title"],
                notebook=m.get("notebook", f"{m['id']}.ipynb"),
                competencies=_competencies(
                    m.get("competencies"),
                    f"{path}: course {data.get('id', '?')!r}, module {m['id']!r}",
                    competencies,
                ),
            )
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


def load_catalog(
    directory: Path, competencies: Collection[str] | None = None
) -> dict[str, Course]:
    """All courses of a catalog directory: `<id>.toml` files, or `<id>/course.toml` folders.

    ``competencies``: the framework's codes; when given, a module tagged with another code
    is a CatalogError naming the file, course, module and code."""
    courses: dict[str, Course] = {}
    for path in sorted(directory.glob("*.toml")) + sorted(directory.glob("*/course.toml")):
        course = load_course(path, competencies)
        courses[course.id] = course
    return courses
