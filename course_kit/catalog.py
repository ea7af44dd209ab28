"""The course catalog: each course's `course.toml` (id, title, modules, pass mark, and
whether a submission is graded as soon as it arrives: `grade_on_submit`).

A module is one nbgrader assignment folder holding two notebooks: ``notebook``, the Vietnamese
one, which is graded, and ``notebook_en``, its English version (display only: the same
question ids, no graded cells), both plain file names in that folder. Its titles are
``title`` (English) and ``title_vi`` (Vietnamese), and ``minutes`` is the estimated time a
learner needs, shown where the module is listed.

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

from common.i18n import Language

#: DigComp 2.2's proficiency levels.
PROFICIENCY_LEVELS = range(1, 9)
#: A module's estimated time, in minutes: up to a working day (8 hours).
MODULE_MINUTES = range(1, 8 * 60 + 1)
NOTEBOOK_SUFFIX = ".ipynb"
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
    title_vi: str = ""  # the Vietnamese title ("" when not written: the English one shows)
    #: the English version's notebook, display only, in the same folder ("": none)
    notebook_en: str = ""
    minutes: int | None = None  # estimated time; None when not written

    def title_in(self, language: Language) -> str:
        """The title in ``language``: the Vietnamese title when there is one, else the
        English ``title``."""
        return self.title_vi if language is Language.VIETNAMESE and self.title_vi else self.title


@dataclass(frozen=True)
class Course:
    id: str  # the nbgrader course id, also the hub service name and group suffix
    title: str
    title_vi: str
    pass_percent: float
    modules: tuple[Module, ...]
    #: the grading service grades each submission within a minute (`academy grade watch`)
    grade_on_submit: bool = False

    def title_in(self, language: Language) -> str:
        """The title in ``language`` (``title_vi`` in Vietnamese when written)."""
        return self.title_vi if language is Language.VIETNAMESE and self.title_vi else self.title

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


def _text(raw: Any, field: str, where: str, *, default: str | None = None) -> str:
    if raw is None and default is not None:
        return default
    if raw is None:
        raise CatalogError(f"{where}: missing field {field!r}")
    if not isinstance(raw, str) or not raw.strip():
        raise CatalogError(f"{where}: {field} must be a non-empty text, got {raw!r}")
    return raw


def _plain_name(name: str) -> bool:
    """A name that is one folder entry: no separator, not hidden, no blanks around it."""
    return (
        "/" not in name
        and "\\" not in name
        and not name.startswith(".")
        and name == name.strip()
    )


def _notebook(raw: Any, field: str, where: str) -> str:
    """A notebook of the assignment folder: a plain file name ending in .ipynb (the learner's
    server opens it inside the module's own folder, never elsewhere)."""
    name = _text(raw, field, where)
    if not _plain_name(name) or not name.endswith(NOTEBOOK_SUFFIX) or name == NOTEBOOK_SUFFIX:
        raise CatalogError(f"{where}: {field} must be the file name of a notebook in the "
                           f"module's folder, like 'lesson.ipynb', got {name!r}")
    return name


def _minutes(raw: Any, where: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in MODULE_MINUTES:
        raise CatalogError(f"{where}: minutes (the estimated time) must be a whole number of "
                           f"minutes from {MODULE_MINUTES.start} to {MODULE_MINUTES.stop - 1}, "
                           f"got {raw!r}")
    return raw


def _module(m: Any, path: Path, course_id: str, known: Collection[str] | None) -> Module:
    if not isinstance(m, dict):
        raise CatalogError(f"{path}: course {course_id!r}: each [[modules]] must be a table")
    module_id = _text(m.get("id"), "id", f"{path}: course {course_id!r}, a module")
    where = f"{path}: course {course_id!r}, module {module_id!r}"
    if not _plain_name(module_id):
        raise CatalogError(f"{where}: the id names the module's folder (nbgrader's assignment): "
                           "no '/', '\\', leading '.' or blanks")
    notebook = _notebook(m.get("notebook", f"{module_id}{NOTEBOOK_SUFFIX}"), "notebook", where)
    notebook_en = ""
    if m.get("notebook_en") is not None:
        notebook_en = _notebook(m["notebook_en"], "notebook_en", where)
        if notebook_en == notebook:
            raise CatalogError(f"{where}: notebook_en must differ from notebook "
                               f"({notebook!r}): the English version is its own notebook")
    return Module(
        id=module_id,
        title=_text(m.get("title"), "title", where),
        notebook=notebook,
        competencies=_competencies(m.get("competencies"), where, known),
        title_vi=_text(m.get("title_vi"), "title_vi", where, default=""),
        notebook_en=notebook_en,
        minutes=_minutes(m.get("minutes"), where),
    )


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
            _module(m, path, str(data.get("id", "?")), competencies)
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
    seen: set[str] = set()
    for module in course.modules:
        if module.id in seen:
            raise CatalogError(f"{path}: course {course.id!r}: module id {module.id!r} is used "
                               "twice")
        seen.add(module.id)
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
