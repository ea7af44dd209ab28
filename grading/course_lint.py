"""The course quality gate (``academy course lint``): every module of a course checked the
way learners and the grader will meet it, before it is released.

For each module of ``course.toml`` (one nbgrader assignment folder, two notebooks: the
Vietnamese one, graded, and the English one, display only), the lint reports every
problem as ``file:cell: message`` (the cell is the nbgrader ``grade_id``, else the cell's
id), so a trainer goes straight to it:

* **nbgrader** (``Check.NBGRADER``): the notebook is valid nbformat, every cell's nbgrader
  metadata passes nbgrader's own ``MetadataValidator``, grade ids are unique, and hidden
  test and solution regions are closed and sit in the right kind of cell (nbgrader's
  ``ClearHiddenTests`` and ``ClearSolutions``, as ``generate_assignment`` runs them); then
  nbgrader's ``generate_assignment`` itself builds the release in a scratch course folder;
* **competencies and points** (``Check.COMPETENCIES``): the kit's own lint
  (``course_kit.questions.notebook.notebook_problems``) with the framework's codes
  (``grading/data/competencies.toml``), every graded cell with points and with codes the
  module declares in course.toml, every practical task cell named ``practical-<task>``
  after a task the e-office knows, with points and a task card in the notebook;
* **scores** (``Check.SCORES``): the module's solution answers (``solutions/<module>.json``
  in the course folder, see ``SOLUTIONS_FOLDER``) submitted to the academy's real grader
  (``grading.engine``: the release, the answers file as data, the hidden tests in the
  sandboxed kernel) score every autograded cell's full points, and a blank submission
  (the release, no answers file) scores 0 in every cell: no free points. Practical task
  cells are left out: they are scored from the e-office's evidence, never by a kernel;
* **no key in the release** (``Check.KEY_LEAK``): the answers and explanations written
  in the hidden tests, the lines of the hidden tests and of solution regions, and the
  solution answers appear nowhere in the released folder: not in a code cell (the kit's
  question declarations), an output, the saved metadata (widget state), nor a file beside
  the notebooks; explanations and test lines not in the teaching text either. The texts
  a question must show (its options, items and marked parts) are not a leak;
* **languages** (``Check.LANGUAGES``): the English version asks the same questions (ids,
  kinds, option keys, banks and their draws) and shows the same task cards, and has no
  graded cells, hidden tests, solution regions nor keys;
* **render** (``Check.RENDER``): each released notebook, in a learner-like folder, runs
  the way Voila runs it (Voila's own executor, the notebook's kernel, the page's
  ``?lang=`` in ``QUERY_STRING``) without an error output or a traceback on stderr.

The solution answers live outside the assignment folder on purpose: nbgrader releases
every file of ``source/<module>/``, and ``academy init`` copies only ``source/``, so a
file in ``<course>/solutions/`` never reaches nbgrader, the installation or a learner.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import copy
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from common.event_loop import run_coroutine
from common.i18n import Language
from course_kit.catalog import CatalogError, Course, Module, load_course
from course_kit.questions.notebook import (
    BANK_KEY_FUNCTION,
    CHECK_FUNCTION,
    EXPLAIN_FUNCTION,
    KEY_FUNCTIONS,
    SLOT_FUNCTION,
    banks_in_source,
    calls_named,
    competencies_of,
    notebook_problems,
    questions_in_source,
)
from course_kit.questions.specs import BankSpec, QuestionDefinitionError, QuestionSpec
from course_kit.responses import FILENAME as ANSWERS_FILE
from course_kit.responses import FORMAT_VERSION
from grading.completion import format_points
from grading.nbgrader_runner import CourseWorkspace, NbgraderRunner
from grading.practical_tasks import PRACTICAL_PREFIX

#: The folder of a course (beside ``course.toml`` and ``source/``) holding each module's
#: right answers for the lint: ``solutions/<module id>.json``.
SOLUTIONS_FOLDER = "solutions"
#: The nbgrader students the lint submits as (scratch course folder only).
SOLUTION_STUDENT = "lint-solution"
BLANK_STUDENT = "lint-blank"
PRACTICAL_TASK_FUNCTION = "practical_task"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
#: Test or solution lines shorter than this are too common to be a leak ("pass").
MIN_LEAK_LINE = 16
#: Files of a release folder that show, not hold data: only long key texts are looked for.
TEACHING_SUFFIXES = frozenset({".svg", ".md", ".html", ".htm"})
BINARY_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".pdf",
                             ".mp3", ".mp4", ".webm", ".ogg", ".woff", ".woff2", ".ttf"})
WIDGET_STATE = "widgets"


class Check(StrEnum):
    """What a problem is about (docs/course-lint.md has one section each)."""

    CATALOG = "catalog"
    NBGRADER = "nbgrader"
    COMPETENCIES = "competencies"
    SCORES = "scores"
    KEY_LEAK = "key-leak"
    LANGUAGES = "languages"
    RENDER = "render"


@dataclass(frozen=True)
class Problem:
    """One thing to fix: in which file, which cell (None: the file as a whole), what."""

    check: Check
    file: Path
    cell: str | None
    message: str

    def line(self, base: Path | None = None) -> str:
        """``file:cell: message``, the file relative to ``base`` when it is inside it."""
        shown = self.file
        if base is not None:
            with contextlib.suppress(ValueError):
                shown = self.file.resolve().relative_to(base.resolve())
        where = f"{shown}:{self.cell}" if self.cell else f"{shown}"
        return f"{where}: {self.message}"


@dataclass
class ModuleLint:
    """The lint of one module: its problems and how long it took."""

    course_id: str
    module_id: str
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class LintReport:
    """Every module linted, and the problems that belong to no module (a course.toml)."""

    modules: list[ModuleLint] = field(default_factory=list)
    course_problems: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        found = list(self.course_problems)
        for module in self.modules:
            found += module.problems
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class LintOptions:
    """How the lint runs. ``nbgrader_config_dir``: the platform's nbgrader configuration
    (``hub_config``), so that ``generate_assignment`` runs as ``academy init`` runs it."""

    nbgrader_config_dir: Path | None = None
    cell_timeout: int = 30  # seconds per cell, when grading and when rendering
    nbgrader_timeout: float = 300


class GradebookTemplates:
    """An empty gradebook per course, made once per lint run and copied into each module's
    scratch course: a new gradebook costs nbgrader a subprocess (``alembic heads``), seconds
    of every ``generate_assignment``. The copies are nbgrader's own files."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._made: dict[str, Path] = {}

    def copy_to(self, course_id: str, target: Path) -> None:
        template = self._made.get(course_id)
        if template is None:
            from nbgrader.api import Gradebook

            template = self.folder / f"gradebook-{len(self._made)}.db"
            with _venv_on_path(), Gradebook(f"sqlite:///{template}", course_id=course_id):
                pass
            self._made[course_id] = template
        shutil.copyfile(template, target)


@contextlib.contextmanager
def _venv_on_path() -> Iterator[None]:
    """nbgrader runs ``alembic`` by name when it creates a gradebook: the one beside this
    interpreter, as the ``academy`` command puts it on PATH."""
    before = os.environ.get("PATH")
    bin_dir = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None:
        os.environ["PATH"] = os.pathsep.join(p for p in (bin_dir, before) if p)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


def known_competency_codes() -> frozenset[str]:
    """The platform's competency codes (``grading/data/competencies.toml``)."""
    from grading.competencies import load_framework

    return frozenset(load_framework().platform)


def solutions_path(course_dir: Path, module_id: str) -> Path:
    return course_dir / SOLUTIONS_FOLDER / f"{module_id}.json"


# --- the catalogue ---------------------------------------------------------------------


def course_folders(courses_dir: Path) -> dict[str, Path]:
    """Course id -> its folder (``<folder>/course.toml``); unreadable files are skipped
    here and reported by ``lint_courses``."""
    found: dict[str, Path] = {}
    for path in sorted(courses_dir.glob("*/course.toml")):
        try:
            course_id = tomllib.loads(path.read_text(encoding="utf-8")).get("id")
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
            course_id = None
        found[course_id if isinstance(course_id, str) else path.parent.name] = path.parent
    return found


def english_notebook(course_toml: Path, module_id: str) -> str | None:
    """The module's ``notebook_en`` in course.toml (read here so that the lint does not
    depend on the catalogue's dataclass growing the field)."""
    data = tomllib.loads(course_toml.read_text(encoding="utf-8"))
    for entry in data.get("modules", []):
        if isinstance(entry, Mapping) and entry.get("id") == module_id:
            value = entry.get("notebook_en")
            return value if isinstance(value, str) and value else None
    return None


def lint_courses(
    courses_dir: Path,
    course_ids: Sequence[str] = (),
    module_ids: Sequence[str] = (),
    options: LintOptions = LintOptions(),  # noqa: B008 - frozen dataclass
    progress: Callable[[ModuleLint], None] | None = None,
) -> LintReport:
    """Lint the modules of ``course_ids`` (default: every course of ``courses_dir``),
    only ``module_ids`` when given. Raises LookupError for an unknown course or module."""
    folders = course_folders(courses_dir)
    unknown = [c for c in course_ids if c not in folders]
    if unknown:
        raise LookupError(f"unknown course {', '.join(unknown)} in {courses_dir} (courses: "
                          f"{', '.join(sorted(folders)) or 'none'})")
    known = known_competency_codes()
    report = LintReport()
    matched: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="academy-course-lint-") as scratch:
        gradebooks = GradebookTemplates(Path(scratch))
        for course_id in course_ids or sorted(folders):
            _lint_course(folders[course_id], known, module_ids, options, progress, gradebooks,
                         report, matched)
    missing = [m for m in module_ids if m not in matched]
    if missing and not report.course_problems:
        raise LookupError(f"no module {', '.join(missing)} in the courses linted")
    return report


def _lint_course(
    course_dir: Path,
    known: frozenset[str],
    module_ids: Sequence[str],
    options: LintOptions,
    progress: Callable[[ModuleLint], None] | None,
    gradebooks: GradebookTemplates,
    report: LintReport,
    matched: set[str],
) -> None:
    toml = course_dir / "course.toml"
    try:
        course = load_course(toml, known)
    except (CatalogError, OSError, UnicodeDecodeError) as exc:
        message = str(exc).removeprefix(f"{toml}: ")
        report.course_problems.append(Problem(Check.CATALOG, toml, None, message))
        return
    for module in course.modules:
        if module_ids and module.id not in module_ids:
            continue
        matched.add(module.id)
        result = lint_module(course, course_dir, module, known, options, gradebooks)
        report.modules.append(result)
        if progress is not None:
            progress(result)


# --- one module ------------------------------------------------------------------------


@dataclass
class ModuleNotebook:
    """A notebook of the module as the trainer wrote it."""

    path: Path
    nb: NotebookNode
    language: Language

    @property
    def name(self) -> str:
        return self.path.name


def lint_module(
    course: Course,
    course_dir: Path,
    module: Module,
    known_competencies: Iterable[str],
    options: LintOptions = LintOptions(),  # noqa: B008 - frozen dataclass
    gradebooks: GradebookTemplates | None = None,
) -> ModuleLint:
    """Every check on one module (see the module docstring)."""
    started = time.monotonic()
    result = ModuleLint(course.id, module.id)
    problems = result.problems
    toml = course_dir / "course.toml"
    folder = course_dir / "source" / module.id
    if not folder.is_dir():
        problems.append(Problem(Check.CATALOG, toml, module.id,
                                f"no module folder source/{module.id}/"))
        return _timed(result, started)
    english = english_notebook(toml, module.id)
    vi = _read(folder / module.notebook, Language.VIETNAMESE, problems)
    en = None
    if english is None:
        problems.append(Problem(Check.LANGUAGES, toml, module.id,
                                "no notebook_en: every module has an English version"))
    else:
        en = _read(folder / english, Language.ENGLISH, problems)
    if vi is None:
        return _timed(result, started)
    notebooks = [vi] + ([en] if en is not None else [])
    for notebook in notebooks:
        problems += nbgrader_problems(notebook.path, notebook.nb)
    declared = {code for code, _level in module.competencies}
    problems += competency_problems(vi.path, vi.nb, frozenset(known_competencies), declared)
    if en is not None:
        problems += language_problems(vi, en)
    solution_file = solutions_path(course_dir, module.id)
    solution = _read_solution(solution_file, problems)
    with tempfile.TemporaryDirectory(prefix="academy-course-lint-") as scratch:
        workspace = _release(Path(scratch), course.id, folder, options, problems, vi.path,
                             gradebooks)
        if workspace is not None:
            release = Path(workspace.root) / "release" / module.id
            problems += leak_problems(folder, release, vi, en, solution)
            problems += run_coroutine(_grade_and_render(
                workspace, module.id, notebooks, solution_file, solution, options,
                Path(scratch) / "render" / course.id / module.id,
            ))
    return _timed(result, started)


def _timed(result: ModuleLint, started: float) -> ModuleLint:
    result.seconds = time.monotonic() - started
    result.problems[:] = _unique(result.problems)
    return result


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once, as the trainer reads it (two checks may meet the same mistake)."""
    seen: set[tuple[Path, str | None, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.cell, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def _read(path: Path, language: Language, problems: list[Problem]) -> ModuleNotebook | None:
    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        problems.append(Problem(Check.CATALOG, path, None, "no such notebook (course.toml "
                                "names it)"))
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(Problem(Check.NBGRADER, path, None, f"not a notebook: {exc}"))
        return None
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        problems.append(Problem(Check.NBGRADER, path, None,
                                f"not valid nbformat: {exc.message}"))
    return ModuleNotebook(path, nb, language)


def cell_label(cell: Any, index: int) -> str:
    """How a problem names a cell: its nbgrader grade_id, else its id, else its index."""
    grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
    return str(grade_id or cell.get("id") or f"#{index}")


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _nbgrader_meta(cell: Any) -> Mapping[str, Any]:
    meta = (cell.get("metadata") or {}).get("nbgrader")
    return meta if isinstance(meta, Mapping) else {}


def _is_test_cell(cell: Any) -> bool:
    meta = _nbgrader_meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not (
        meta.get("solution"))


def _is_task_cell(cell: Any) -> bool:
    return bool(_nbgrader_meta(cell).get("task"))


# --- nbgrader's own validation -----------------------------------------------------------


def _quiet(configurable: Any) -> Any:
    """nbgrader's pieces log their errors as well as raising them: keep the lint's output
    to its own list of problems."""
    logger = logging.getLogger(f"{__name__}.nbgrader")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    configurable.log = logger
    return configurable


def nbgrader_problems(path: Path, nb: NotebookNode) -> list[Problem]:
    """What nbgrader would refuse in this notebook, cell by cell: its metadata validator
    (schema, grade ids, points, cell kinds) and its hidden test and solution regions
    (ClearHiddenTests, ClearSolutions with ``enforce_metadata``, as generate_assignment)."""
    from jsonschema import ValidationError as SchemaError
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import SchemaMismatchError
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    problems: list[Problem] = []
    validator = _quiet(MetadataValidator())
    hidden = _quiet(ClearHiddenTests())
    solutions = _quiet(ClearSolutions())
    language = (nb.get("metadata", {}).get("kernelspec") or {}).get("language", "python")
    if language not in solutions.code_stub:
        problems.append(Problem(Check.NBGRADER, path, None,
                                f"kernel language {language!r} is not one nbgrader knows"))
        language = "python"
    owners: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        label = cell_label(cell, index)
        try:
            validator.validate_cell(copy.deepcopy(cell))
        except SchemaError as exc:
            problems.append(Problem(Check.NBGRADER, path, label,
                                    f"nbgrader metadata: {exc.message}"))
        except SchemaMismatchError as exc:
            problems.append(Problem(Check.NBGRADER, path, label, f"nbgrader metadata: {exc}"))
        grade_id = _nbgrader_meta(cell).get("grade_id")
        if isinstance(grade_id, str) and grade_id:
            if grade_id in owners:
                problems.append(Problem(Check.NBGRADER, path, label,
                                        f"grade_id {grade_id!r} is used twice (also cell "
                                        f"#{owners[grade_id]})"))
            owners.setdefault(grade_id, index)
        for preprocessor, resources in ((hidden, {}), (solutions, {"language": language})):
            try:
                preprocessor.preprocess_cell(copy.deepcopy(cell), resources, index)
            except (RuntimeError, ValueError) as exc:
                problems.append(Problem(Check.NBGRADER, path, label, f"nbgrader: {exc}"))
    return problems


def _release(
    scratch: Path,
    course_id: str,
    module_folder: Path,
    options: LintOptions,
    problems: list[Problem],
    notebook: Path,
    gradebooks: GradebookTemplates | None,
) -> CourseWorkspace | None:
    """A scratch nbgrader course holding only this module, released with nbgrader's own
    ``generate_assignment`` (which also fills the scratch gradebook)."""
    root = scratch / "course"
    shutil.copytree(module_folder, root / "source" / module_folder.name, symlinks=True)
    (scratch / "exchange").mkdir()
    workspace = CourseWorkspace(
        course_id=course_id,
        root=root,
        exchange_dir=scratch / "exchange",
        config_dir=options.nbgrader_config_dir,
    )
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        f"c.CourseDirectory.db_url = {workspace.gradebook_url!r}\n",
        encoding="utf-8",
    )
    if gradebooks is not None:
        gradebooks.copy_to(course_id, root / "gradebook.db")
    with NbgraderRunner.with_private_log(workspace, timeout=options.nbgrader_timeout) as runner:
        step = runner.run("generate_assignment", module_folder.name)
    if not step.ok:
        problems.append(Problem(Check.NBGRADER, notebook, None,
                                f"`{step.command}` failed ({step.describe_exit()}):\n"
                                f"{textwrap.indent(step.tail, '    ')}"))
        return None
    return workspace


# --- competencies and points -----------------------------------------------------------

_KIT_WHERE = re.compile(r"^cell (?P<cell>[^\s:]+): (?P<message>.*)$", re.DOTALL)
_KIT_BANK = re.compile(r"^bank (?P<bank>[^\s:]+): (?P<message>.*)$", re.DOTALL)


def _kit_problem(path: Path, text: str, nb: NotebookNode, check: Check) -> Problem:
    """A line of the kit's lint (``cell X: …``, ``bank B: …``) as a Problem."""
    match = _KIT_WHERE.match(text)
    if match:
        cell: str | None = match["cell"]
        if cell == "?":  # a cell without a grade_id
            cell = None
        elif cell.isdigit() and int(cell) < len(nb.cells):  # the kit names them by index
            cell = cell_label(nb.cells[int(cell)], int(cell))
        return Problem(check, path, cell, match["message"])
    match = _KIT_BANK.match(text)
    if match:
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "code":
                continue
            with contextlib.suppress(QuestionDefinitionError):
                if any(b.bank_id == match["bank"] for b in banks_in_source(_source(cell))):
                    return Problem(check, path, cell_label(cell, index),
                                   f"bank {match['bank']}: {match['message']}")
    return Problem(check, path, None, text)


def competency_problems(
    path: Path,
    nb: NotebookNode,
    known: frozenset[str],
    declared: set[str],
) -> list[Problem]:
    """The kit's lint with the framework's codes; points on every graded cell; codes the
    module declares; practical task cells that the grader can score."""
    problems = [_kit_problem(path, text, nb, Check.COMPETENCIES)
                for text in notebook_problems(nb, known)]
    cards: set[str] = set()
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cards.update(practical_tasks_in(_source(cell)))
    for index, cell in enumerate(nb.cells):
        label = cell_label(cell, index)
        points = _nbgrader_meta(cell).get("points")
        has_points = not isinstance(points, bool) and isinstance(points, int | float) and (
            points > 0)
        if _is_test_cell(cell):
            if not has_points:
                problems.append(Problem(Check.COMPETENCIES, path, label,
                                        "a graded cell needs points (more than 0)"))
            for code in competencies_of(cell):
                if code in known and code not in declared:
                    problems.append(Problem(
                        Check.COMPETENCIES, path, label,
                        f"competency {code!r} is not one this module declares in course.toml "
                        f"(declared: {', '.join(sorted(declared)) or 'none'})"))
        if _is_task_cell(cell):
            problems += _task_cell_problems(path, label, has_points, cards)
    return problems


def _task_cell_problems(path: Path, label: str, has_points: bool, cards: set[str]
                        ) -> list[Problem]:
    from sandbox_eoffice.tasks import TASKS

    problems = []
    if not has_points:
        problems.append(Problem(Check.COMPETENCIES, path, label,
                                "a practical task cell needs points (more than 0)"))
    if not label.startswith(PRACTICAL_PREFIX):
        problems.append(Problem(Check.COMPETENCIES, path, label,
                                f"a practical task cell's grade_id is {PRACTICAL_PREFIX}"
                                "<task id>: the grader scores it from the e-office's evidence"))
        return problems
    task = label.removeprefix(PRACTICAL_PREFIX)
    if task not in TASKS:
        problems.append(Problem(Check.COMPETENCIES, path, label,
                                f"the e-office has no task {task!r}"))
    if task not in cards:
        problems.append(Problem(Check.COMPETENCIES, path, label,
                                f"no practical_task({task!r}, …) card in the notebook"))
    return problems


def practical_tasks_in(source: str) -> list[str]:
    """The task ids of the ``practical_task("id", …)`` cards of a code cell."""
    found = []
    for call in calls_named(source, PRACTICAL_TASK_FUNCTION):
        if call.args and isinstance(call.args[0], ast.Constant) and isinstance(
                call.args[0].value, str):
            found.append(call.args[0].value)
    return found


# --- the two language versions -------------------------------------------------------


@dataclass
class _Declared:
    """What one notebook shows: its questions, banks and task cards, each with its cell."""

    questions: dict[str, tuple[QuestionSpec, str]] = field(default_factory=dict)
    banks: dict[str, tuple[BankSpec, str]] = field(default_factory=dict)
    tasks: dict[str, str] = field(default_factory=dict)


def _declared(notebook: ModuleNotebook, problems: list[Problem]) -> _Declared:
    found = _Declared()
    for index, cell in enumerate(notebook.nb.cells):
        if cell.get("cell_type") != "code":
            continue
        label = cell_label(cell, index)
        source = _source(cell)
        try:
            questions = questions_in_source(source, label)
            banks = banks_in_source(source, label)
        except QuestionDefinitionError as exc:
            problems.append(Problem(Check.LANGUAGES, notebook.path, label,
                                    str(exc).removeprefix(f"cell {label}: ")))
            continue
        for q in questions:
            if q.qid in found.questions:
                problems.append(Problem(Check.LANGUAGES, notebook.path, label,
                                        f"question id {q.qid!r} is used twice"))
            found.questions.setdefault(q.qid, (q, label))
        for bank in banks:
            found.banks.setdefault(bank.bank_id, (bank, label))
        for task in practical_tasks_in(source):
            found.tasks.setdefault(task, label)
    return found


def _keys(spec: QuestionSpec) -> dict[str, set[str]]:
    """What must be the same in both languages: the values saved, never the texts shown."""
    return {
        "option keys": {json.dumps(o, ensure_ascii=False) for o in spec.options},
        "left keys": set(spec.left),
    }


def language_problems(vi: ModuleNotebook, en: ModuleNotebook) -> list[Problem]:
    """The English version asks the same questions with the same keys and shows the same
    task cards (the answers file and the score are the same whichever a learner uses), and
    carries nothing graded and no key."""
    problems: list[Problem] = []
    for index, cell in enumerate(en.nb.cells):
        label = cell_label(cell, index)
        meta = _nbgrader_meta(cell)
        kinds = [k for k in ("grade", "solution", "task") if meta.get(k)]
        if kinds:
            problems.append(Problem(
                Check.LANGUAGES, en.path, label,
                f"the English version is display only: no graded, solution or task cells "
                f"(this one has {', '.join(kinds)}: true); grading uses the Vietnamese one"))
        source = _source(cell)
        if BEGIN_HIDDEN in source or BEGIN_SOLUTION in source:
            problems.append(Problem(Check.LANGUAGES, en.path, label,
                                    "the English version has no hidden tests or solutions"))
        if cell.get("cell_type") == "code":
            for name in KEY_FUNCTIONS:
                if calls_named(source, name):
                    problems.append(Problem(
                        Check.LANGUAGES, en.path, label,
                        f"{name}(...) in the English version: keys and explanations live in "
                        "the Vietnamese version's hidden tests only"))
    theirs = _declared(vi, [])  # the Vietnamese version's mistakes: the kit's lint says them
    ours = _declared(en, problems)
    for qid, (spec, vi_cell) in theirs.questions.items():
        if qid not in ours.questions:
            problems.append(Problem(Check.LANGUAGES, en.path, None,
                                    f"question {qid!r} (Vietnamese cell {vi_cell}) is missing"))
            continue
        other, en_cell = ours.questions[qid]
        if other.kind is not spec.kind:
            problems.append(Problem(Check.LANGUAGES, en.path, en_cell,
                                    f"question {qid!r} is {other.kind.value} here, "
                                    f"{spec.kind.value} in the Vietnamese version"))
            continue
        if other.bank_id != spec.bank_id:
            problems.append(Problem(Check.LANGUAGES, en.path, en_cell,
                                    f"question {qid!r} is in bank {other.bank_id!r} here, "
                                    f"{spec.bank_id!r} in the Vietnamese version"))
        for what, keys in _keys(spec).items():
            mine = _keys(other)[what]
            if mine != keys:
                extra, missing = sorted(mine - keys), sorted(keys - mine)
                problems.append(Problem(
                    Check.LANGUAGES, en.path, en_cell,
                    f"question {qid!r}: {what} differ from the Vietnamese version"
                    + (f"; only here: {', '.join(extra)}" if extra else "")
                    + (f"; missing: {', '.join(missing)}" if missing else "")))
    for qid, (_spec, en_cell) in ours.questions.items():
        if qid not in theirs.questions:
            problems.append(Problem(Check.LANGUAGES, en.path, en_cell,
                                    f"question {qid!r} is not in the Vietnamese version"))
    for bank_id, (bank, vi_cell) in theirs.banks.items():
        mine = ours.banks.get(bank_id)
        if mine is None:
            problems.append(Problem(Check.LANGUAGES, en.path, None,
                                    f"bank {bank_id!r} (Vietnamese cell {vi_cell}) is missing"))
        elif mine[0].draw != bank.draw:
            problems.append(Problem(Check.LANGUAGES, en.path, mine[1],
                                    f"bank {bank_id!r} draws {mine[0].draw} here, "
                                    f"{bank.draw} in the Vietnamese version"))
    for bank_id, (_bank, en_cell) in ours.banks.items():
        if bank_id not in theirs.banks:
            problems.append(Problem(Check.LANGUAGES, en.path, en_cell,
                                    f"bank {bank_id!r} is not in the Vietnamese version"))
    for task, vi_cell in theirs.tasks.items():
        if task not in ours.tasks:
            problems.append(Problem(Check.LANGUAGES, en.path, None,
                                    f"the task card {task!r} (Vietnamese cell {vi_cell}) is "
                                    "missing"))
    for task, en_cell in ours.tasks.items():
        if task not in theirs.tasks:
            problems.append(Problem(Check.LANGUAGES, en.path, en_cell,
                                    f"the task card {task!r} is not in the Vietnamese version"))
    return problems


# --- the solution answers --------------------------------------------------------------


def _read_solution(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """``{question id: the right answer, as the kit saves it}``; None if absent or broken."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(Check.SCORES, path, None,
                                "no solution answers: write the right answer to every "
                                "question here (docs/course-lint.md)"))
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(Check.SCORES, path, None, f"not a JSON file: {exc}"))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(Check.SCORES, path, None,
                                'write an object: {"q1": "key of the right option", …}'))
        return None
    return data


def responses_json(answers: Mapping[str, Any]) -> str:
    """An answers file in the kit's format, as the widgets would have saved it."""
    return json.dumps({"version": FORMAT_VERSION,
                       "answers": {qid: {"value": v} for qid, v in answers.items()}},
                      ensure_ascii=False)


# --- no key in the release -------------------------------------------------------------


class KeyTextKind(StrEnum):
    ANSWER = "answer"  # a right answer, a short text one typically
    EXPLANATION = "explanation"
    TEST_LINE = "hidden test line"
    SOLUTION_LINE = "solution line"


@dataclass(frozen=True)
class KeyText:
    """A text that must not reach learners, and where the trainer wrote it."""

    text: str
    kind: KeyTextKind
    origin: str  # the cell (or the solutions file) it comes from

    @property
    def everywhere(self) -> bool:
        """Looked for in the teaching text too (markdown, diagrams), not only in the kit's
        data: explanations and test lines never belong there; a short answer may."""
        return self.kind is not KeyTextKind.ANSWER


def normalised(text: str) -> str:
    """Compared as learners would read it: NFC, case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _strings(value: Any) -> Iterator[str]:
    """Every text inside a JSON-like value (keys and values)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


def _literal(node: ast.AST | None) -> Any:
    if node is None:
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _argument(call: ast.Call, position: int, name: str) -> ast.AST | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _entry_texts(key: Any) -> Iterator[tuple[str, KeyTextKind]]:
    """A bank key's ``{qid: {"answer": …, "explain": …}}`` texts."""
    if not isinstance(key, Mapping):
        return
    for entry in key.values():
        if isinstance(entry, Mapping):
            yield from ((t, KeyTextKind.ANSWER) for t in _strings(entry.get("answer")))
            explain = entry.get("explain")
            # {"vi": …, "en": …}: the texts, not the language codes ("vi" is a word too)
            texts = list(explain.values()) if isinstance(explain, Mapping) else [explain]
            yield from ((t, KeyTextKind.EXPLANATION) for t in _strings(texts))


def _texts_of_tests(code: str) -> Iterator[tuple[str, KeyTextKind]]:
    """The answers and explanations a hidden test block writes: ``check``'s key,
    ``check_bank_slot``'s and ``bank_key``'s entries, ``explain``'s texts, and literals
    compared with ``answer(…)`` (``assert answer("q1") == "…"``)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return
    for call in calls_named(code, CHECK_FUNCTION):
        for text in _strings(_literal(_argument(call, 1, "key"))):
            yield text, KeyTextKind.ANSWER
    for name, position in ((SLOT_FUNCTION, 2), (BANK_KEY_FUNCTION, 1)):
        for call in calls_named(code, name):
            yield from _entry_texts(_literal(_argument(call, position, "key")))
    for call in calls_named(code, EXPLAIN_FUNCTION):
        nodes = [*call.args[1:2], *(k.value for k in call.keywords
                                     if k.arg in ("text", Language.VIETNAMESE.value,
                                                  Language.ENGLISH.value))]
        for node in nodes:
            yield from ((t, KeyTextKind.EXPLANATION) for t in _strings(_literal(node)))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if not any(_calls_answer(side) for side in sides):
            continue
        for side in sides:
            if not _calls_answer(side):
                yield from ((t, KeyTextKind.ANSWER) for t in _strings(_literal(side)))


def _calls_answer(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and (
            (isinstance(n.func, ast.Name) and n.func.id == "answer")
            or (isinstance(n.func, ast.Attribute) and n.func.attr == "answer"))
        for n in ast.walk(node)
    )


def _regions(source: str, begin: str, end: str) -> list[str]:
    found = []
    inside: list[str] | None = None
    for line in source.splitlines():
        if begin in line:
            inside = []
        elif end in line and inside is not None:
            found.append("\n".join(inside))
            inside = None
        elif inside is not None:
            inside.append(line)
    if inside is not None:
        found.append("\n".join(inside))
    return found


def _code_lines(code: str) -> Iterator[str]:
    for line in code.splitlines():
        stripped = line.strip()
        if (len(stripped) >= MIN_LEAK_LINE and not stripped.startswith(("#", "import ", "from "))
                and stripped not in ("raise NotImplementedError()",)):
            yield stripped


def key_texts(nb: NotebookNode, solution: Mapping[str, Any] | None,
              solution_origin: str) -> list[KeyText]:
    """Everything of the key in the trainer's notebook and the solution answers."""
    found: list[KeyText] = []
    for index, cell in enumerate(nb.cells):
        label = cell_label(cell, index)
        source = _source(cell)
        tests = _regions(source, BEGIN_HIDDEN, END_HIDDEN)
        solutions = _regions(source, BEGIN_SOLUTION, END_SOLUTION)
        if _nbgrader_meta(cell).get("solution") and not solutions:
            solutions = [source]  # a solution cell without a region: all of it goes
        for code in tests:
            found += [KeyText(t, kind, label) for t, kind in _texts_of_tests(code)]
            found += [KeyText(line, KeyTextKind.TEST_LINE, label) for line in _code_lines(code)]
        for code in solutions:
            found += [KeyText(line, KeyTextKind.SOLUTION_LINE, label)
                      for line in _code_lines(code)]
    if solution is not None:
        for value in solution.values():
            found += [KeyText(t, KeyTextKind.ANSWER, solution_origin) for t in _strings(value)]
    return found


def shown_by_design(notebooks: Iterable[NotebookNode]) -> set[str]:
    """What the questions must show learners: ids, options and their keys, items, marked
    parts (normalised). Prompts, placeholders and units are not in it: an answer there is a
    leak."""
    shown: set[str] = set()
    for nb in notebooks:
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            source = _source(cell)
            try:
                questions = questions_in_source(source)
                banks = banks_in_source(source)
            except QuestionDefinitionError:
                continue  # reported by the other checks
            for q in questions:
                shown.update(_strings([q.qid, list(q.options), list(q.labels), list(q.left),
                                       list(q.left_labels), [s for pair in q.segments
                                                             for s in pair if s]]))
            shown.update(b.bank_id for b in banks)
    return {normalised(s) for s in shown}


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(normalised(text)) + r"(?!\w)")


def leak_problems(
    module_folder: Path,
    release: Path,
    vi: ModuleNotebook,
    en: ModuleNotebook | None,
    solution: Mapping[str, Any] | None,
) -> list[Problem]:
    """The released folder holds no key: no answers file, no saved widget state, none of
    ``key_texts`` where learners can read it (see ``KeyText.everywhere``)."""
    shown = shown_by_design([vi.nb] + ([en.nb] if en is not None else []))
    texts = [k for k in key_texts(vi.nb, solution, SOLUTIONS_FOLDER)
             if normalised(k.text) and normalised(k.text) not in shown
             and len(normalised(k.text)) >= 2]
    patterns = [(k, _pattern(k.text)) for k in _unique_texts(texts)]
    problems: list[Problem] = []
    for path in sorted(p for p in release.rglob("*") if p.is_file()):
        relative = path.relative_to(release)
        source_path = module_folder / relative
        if path.name == ANSWERS_FILE or path.name.startswith(f"{ANSWERS_FILE}."):
            problems.append(Problem(Check.KEY_LEAK, source_path, None,
                                    "an answers file is released to every learner: delete it "
                                    "from the module folder"))
            continue
        if path.suffix == ".ipynb":
            problems += _notebook_leaks(path, source_path, patterns)
        elif path.suffix.lower() not in BINARY_SUFFIXES:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            teaching = path.suffix.lower() in TEACHING_SUFFIXES
            problems += _found(source_path, None, text, patterns, everywhere_only=teaching)
    return problems


def _unique_texts(texts: Iterable[KeyText]) -> list[KeyText]:
    seen: set[str] = set()
    kept = []
    for key in texts:
        if normalised(key.text) not in seen:
            seen.add(normalised(key.text))
            kept.append(key)
    return kept


def _found(file: Path, cell: str | None, text: str,
           patterns: Sequence[tuple[KeyText, re.Pattern[str]]], *, everywhere_only: bool
           ) -> list[Problem]:
    haystack = normalised(text)
    matched = [key for key, pattern in patterns
               if (key.everywhere or not everywhere_only) and pattern.search(haystack)]
    problems = []
    for key in matched:
        mine = normalised(key.text)
        if any(mine != normalised(o.text) and mine in normalised(o.text) for o in matched):
            continue  # "dấu" inside "con dấu": one leak, said once
        shown = key.text if len(key.text) <= 60 else key.text[:59] + "…"
        problems.append(Problem(Check.KEY_LEAK, file, cell,
                                f"the release shows the {key.kind.value} of {key.origin}: "
                                f"{shown!r}"))
    return problems


def _notebook_leaks(path: Path, source_path: Path,
                    patterns: Sequence[tuple[KeyText, re.Pattern[str]]]) -> list[Problem]:
    nb = nbformat.read(path, as_version=4)
    problems = []
    if WIDGET_STATE in nb.metadata:
        problems.append(Problem(Check.KEY_LEAK, source_path, None,
                                "the notebook keeps saved widget state (metadata 'widgets'), "
                                "which can show the answers given while previewing: clear it "
                                "(Edit > Clear all outputs, then save without widget state)"))
    problems += _found(source_path, None, "\n".join(_strings(dict(nb.metadata))), patterns,
                       everywhere_only=False)
    for marker in (BEGIN_HIDDEN, BEGIN_SOLUTION):
        for index, cell in enumerate(nb.cells):
            if marker in _source(cell):
                problems.append(Problem(Check.KEY_LEAK, source_path, cell_label(cell, index),
                                        f"'{marker}' survived the release"))
    for index, cell in enumerate(nb.cells):
        label = cell_label(cell, index)
        markdown = cell.get("cell_type") != "code"
        problems += _found(source_path, label, _source(cell), patterns,
                           everywhere_only=markdown)
        data = [cell.get("outputs", []), cell.get("attachments", {}), dict(cell.metadata)]
        problems += _found(source_path, label, "\n".join(_strings(data)), patterns,
                           everywhere_only=False)
    return problems


# --- grading and rendering (they run at the same time) ----------------------------------


async def _grade_and_render(
    workspace: CourseWorkspace,
    module_id: str,
    notebooks: Sequence[ModuleNotebook],
    solution_file: Path,
    solution: Mapping[str, Any] | None,
    options: LintOptions,
    render_folder: Path,
) -> list[Problem]:
    release = Path(workspace.root) / "release" / module_id
    shutil.copytree(release, render_folder)
    grading = asyncio.to_thread(score_problems, workspace, module_id, notebooks[0],
                                solution_file, solution, options)
    renders = [render_problems(render_folder / n.name, n.path, n.language, options)
               for n in notebooks]
    results = await asyncio.gather(grading, *renders)
    return [p for found in results for p in found]


def score_problems(
    workspace: CourseWorkspace,
    module_id: str,
    graded: ModuleNotebook,
    solution_file: Path,
    solution: Mapping[str, Any] | None,
    options: LintOptions,
) -> list[Problem]:
    """Submit the solution answers and a blank submission to the academy's grader; every
    autograded cell must score its full points for the first, 0 for the second."""
    from grading.engine import AutogradeEngine, GradeStatus
    from grading.kernel_sandbox import SandboxError, SandboxLimits, sandbox_account

    root = Path(workspace.root)
    release = root / "release" / module_id
    problems: list[Problem] = []
    submissions: dict[str, Mapping[str, Any] | None] = {BLANK_STUDENT: None}
    if solution is not None:
        submissions[SOLUTION_STUDENT] = solution
        problems += _unanswered(graded, solution_file, solution)
    for student, answers in submissions.items():
        folder = root / "submitted" / student / module_id
        # an answers file released by mistake (a key leak, reported) must not fill the blank
        shutil.copytree(release, folder, ignore=shutil.ignore_patterns(f"{ANSWERS_FILE}*"))
        if answers is not None:
            (folder / ANSWERS_FILE).write_text(responses_json(answers), encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-01-01 00:00:00.000000 UTC",
                                              encoding="utf-8")
    try:
        engine = AutogradeEngine(
            root, workspace.course_id, workspace.gradebook_url, module_id,
            # one zygote grades both in turn (a fork each): cheaper than two zygotes on the
            # cores the render's kernels are using at the same time
            workers=1, account=sandbox_account(),
            limits=SandboxLimits(cell_timeout=options.cell_timeout),
        )
        outcomes = {o.student_id: o for o in engine.run(sorted(submissions))}
    except (SandboxError, OSError, RuntimeError) as exc:
        return [*problems, Problem(Check.SCORES, graded.path, None,
                                   f"the grader could not run: {exc}")]
    cells = {cell_label(c, i): c for i, c in enumerate(graded.nb.cells)}
    for student, outcome in outcomes.items():
        who = "the solution answers" if student == SOLUTION_STUDENT else "a blank submission"
        if outcome.status is GradeStatus.NOT_GRADED:
            problems.append(Problem(Check.SCORES, graded.path, None,
                                    f"{who} could not be graded: {outcome.reason}"))
            continue
        for text in outcome.problems:
            match = re.match(r"answer (\S+): (.*)", text, re.DOTALL)
            problems.append(Problem(Check.SCORES, solution_file,
                                    match[1] if match else None,
                                    match[2] if match else text))
    for student in outcomes:
        if outcomes[student].status is GradeStatus.NOT_GRADED:
            continue
        errors = _cell_errors(root / "autograded" / student / module_id / graded.name)
        for name, (score, max_score) in _grades(workspace, module_id, graded, student).items():
            cell = cells.get(name)
            if cell is None or not _is_test_cell(cell) or _is_task_cell(cell):
                continue  # practical tasks: scored from the e-office's evidence
            if student == SOLUTION_STUDENT and score < max_score:
                why = f" ({errors[name]})" if name in errors else ""
                problems.append(Problem(
                    Check.SCORES, graded.path, name,
                    f"the solution answers score {format_points(score)} of "
                    f"{format_points(max_score)} point(s){why}"))
            if student == BLANK_STUDENT and score > 0:
                problems.append(Problem(
                    Check.SCORES, graded.path, name,
                    f"a blank submission scores {format_points(score)} of "
                    f"{format_points(max_score)} point(s): a free point"))
    return problems


def _unanswered(graded: ModuleNotebook, solution_file: Path, solution: Mapping[str, Any]
                ) -> list[Problem]:
    problems: list[Problem] = []
    declared = _declared(graded, [])
    for qid in declared.questions:
        if qid not in solution:
            problems.append(Problem(Check.SCORES, solution_file, qid,
                                    "no solution answer for this question"))
    return problems


def _grades(workspace: CourseWorkspace, module_id: str, graded: ModuleNotebook, student: str
            ) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(workspace.gradebook_url, course_id=workspace.course_id) as gb:
        notebook = gb.find_submission_notebook(graded.path.stem, module_id, student)
        return {g.name: (float(g.score or 0), float(g.max_score or 0)) for g in notebook.grades}


def _cell_errors(path: Path) -> dict[str, str]:
    """Why each autograded cell failed: its error's name and message (the lint is the
    trainer's tool: the message may show the key)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return {}
    found = {}
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = str(output.get("evalue", "")).strip().splitlines()
                text = f"{output.get('ename', 'Error')}: {value[-1] if value else ''}"
                found[cell_label(cell, index)] = text.rstrip(": ")[:200]
    return found


def render_environment(language: Language) -> dict[str, str]:
    """What a learner's kernel under Voila has that matters to the page: the kit importable,
    the page's query (``?lang=``); none of the caller's tokens or grading variables."""
    import course_kit

    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTERHUB_", "ACADEMY_", "NBGRADER_"))}
    kit_root = str(Path(course_kit.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (kit_root, env.get("PYTHONPATH")) if p)
    env["QUERY_STRING"] = "" if language is Language.VIETNAMESE else f"lang={language.value}"
    return env


async def render_problems(path: Path, source_path: Path, language: Language,
                          options: LintOptions) -> list[Problem]:
    """Run a released notebook with Voila's executor and its kernel, in a learner-like
    folder; every error output and every traceback on stderr is a problem of its cell."""
    from jupyter_client.manager import AsyncKernelManager
    from voila.execute import VoilaExecutor

    nb = nbformat.read(path, as_version=4)
    kernel = (nb.metadata.get("kernelspec") or {}).get("name") or "python3"
    # the kernel talks over unix sockets in a private folder, not TCP ports: a port picked
    # free and then bound by the kernel can be taken in between by anything else on the
    # machine (a parallel lint, a test's server), and the kernel dies "Address already in use"
    sockets = Path(tempfile.mkdtemp(prefix="academy-lint-"))  # short: socket paths ≤ 107 bytes
    # the kernel's own stderr (its start-up notices, a crash) is kept apart from the lint's
    kernel_log = path.parent.parent / f"kernel-{language.value}.log"
    try:
        km = AsyncKernelManager(kernel_name=kernel, transport="ipc",
                                connection_file=str(sockets / "kernel.json"),
                                ip=str(sockets / "kernel-ipc"))
        executor = VoilaExecutor(
            nb, km=km, kernel_name=kernel, resources={"metadata": {"path": str(path.parent)}},
            show_tracebacks=True, allow_errors=True, timeout=options.cell_timeout,
            interrupt_on_timeout=True, log=_quiet_logger(),
        )
        with open(kernel_log, "wb") as stderr:
            # cleanup_kc: the executor shuts down a kernel it did not create only if asked
            await executor.async_execute(env=render_environment(language), stderr=stderr,
                                         stdout=subprocess.DEVNULL, cleanup_kc=True)
    except Exception as exc:  # noqa: BLE001 - a kernel that dies or cannot start: reported
        tail = kernel_log.read_text(encoding="utf-8", errors="replace").strip()[-1000:]
        return [Problem(Check.RENDER, source_path, None,
                        f"Voila could not show it: {type(exc).__name__}: {exc}"
                        + (f"\n{textwrap.indent(tail, '    ')}" if tail else ""))]
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        label = cell_label(cell, index)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                value = str(output.get("evalue", "")).strip().splitlines()
                problems.append(Problem(
                    Check.RENDER, source_path, label,
                    f"raises {output.get('ename')}: {value[-1] if value else ''} when Voila "
                    f"shows it ({language.value})"))
            elif (output.get("output_type") == "stream" and output.get("name") == "stderr"
                  and "Traceback" in str(output.get("text", ""))):
                last = str(output.get("text", "")).strip().splitlines()[-1]
                problems.append(Problem(
                    Check.RENDER, source_path, label,
                    f"writes a traceback on stderr when Voila shows it ({language.value}): "
                    f"{last[:200]}"))
    return problems


def _quiet_logger() -> logging.Logger:
    logger = logging.getLogger(f"{__name__}.voila")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


__all__ = [
    "BLANK_STUDENT", "SOLUTIONS_FOLDER", "SOLUTION_STUDENT", "Check", "KeyText", "LintOptions",
    "LintReport", "ModuleLint", "ModuleNotebook", "Problem", "course_folders",
    "english_notebook", "key_texts", "leak_problems", "lint_courses", "lint_module",
    "nbgrader_problems", "solutions_path",
]
