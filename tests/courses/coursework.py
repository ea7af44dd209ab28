"""Helpers the course tests share, for any course of the catalogue (imported by name).

Every module is one nbgrader assignment holding two notebooks (the contract of
docs/authoring.md): the Vietnamese one, graded (hidden tests, points, practical task cells),
and the English one, display only, with the same widget calls, question ids and option keys,
so that the one answers file either version writes is graded the same.
`test_catalogue_contract.py` checks that contract on every module of every course;
`test_<module>_*.py` run one module through nbgrader (generate, submit, autograde,
practical tasks from the e-office's evidence) and render both versions as a learner's kernel
would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import nbformat
from courses_testlib import COURSES, VENV_BIN, EvidenceServer, subprocess_env

from course_kit.questions.notebook import explanations_in, read_questions

SUBMITTED_AT = "2026-11-10T08:00:00+00:00"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict[str, Any]:
    return cell.metadata["nbgrader"]


@dataclass(frozen=True)
class Course:
    """A course folder of the checkout (``courses/<id>/``) and its course.toml."""

    course_id: str

    @property
    def folder(self) -> Path:
        return COURSES / self.course_id

    @cached_property
    def toml(self) -> dict[str, Any]:
        return tomllib.loads((self.folder / "course.toml").read_text(encoding="utf-8"))

    @property
    def modules(self) -> list[dict[str, Any]]:
        return self.toml["modules"]

    @property
    def module_ids(self) -> list[str]:
        return [m["id"] for m in self.modules]

    def entry(self, module_id: str) -> dict[str, Any]:
        return next(m for m in self.modules if m["id"] == module_id)

    def notebooks(self, module_id: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
        """The module's Vietnamese (graded) and English (display only) notebooks."""
        entry = self.entry(module_id)
        folder = self.folder / "source" / module_id
        return (nbformat.read(folder / entry["notebook"], as_version=4),
                nbformat.read(folder / entry["notebook_en"], as_version=4))

    def graded_module(self, module_id: str, question_points: dict[str, float],
                      task_points: dict[str, float]) -> GradedModule:
        return GradedModule(self, module_id, question_points, task_points)

    def learner_copy(self, tmp_path: Path, module_id: str) -> Path:
        """A learner's copy of the module (``<home>/<course>/<assignment>/``), the hidden
        tests emptied as in a release."""
        folder = tmp_path / self.course_id / module_id
        shutil.copytree(self.folder / "source" / module_id, folder,
                        ignore=shutil.ignore_patterns("responses.json*"))
        for path in folder.glob("*.ipynb"):
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade"):
                    cell.source = ""
            nbformat.write(nb, path)
        return folder


def catalogue() -> list[Course]:
    """Every course of the checkout's catalogue (a folder of courses/ with a course.toml)."""
    return [Course(p.parent.name) for p in sorted(COURSES.glob("*/course.toml"))]


@dataclass(frozen=True)
class GradedModule:
    """A module as its nbgrader test sees it."""

    course: Course
    module_id: str
    question_points: dict[str, float]  # test cell grade id -> points
    task_points: dict[str, float]  # practical task cell grade id -> points

    @property
    def entry(self) -> dict[str, Any]:
        return self.course.entry(self.module_id)

    @property
    def notebook(self) -> str:
        return self.entry["notebook"].removesuffix(".ipynb")

    @property
    def notebook_en(self) -> str:
        return self.entry["notebook_en"].removesuffix(".ipynb")

    @property
    def source(self) -> Path:
        return self.course.folder / "source" / self.module_id

    @property
    def points(self) -> dict[str, float]:
        return {**self.question_points, **self.task_points}

    @property
    def max_score(self) -> float:
        return sum(self.points.values())

    @property
    def task_ids(self) -> list[str]:
        return [name.removeprefix("practical-") for name in self.task_points]

    def solution(self) -> dict[str, Any]:
        """The right answers `academy course lint` submits (solutions/<module>.json)."""
        path = self.course.folder / "solutions" / f"{self.module_id}.json"
        return json.loads(path.read_text(encoding="utf-8"))

    def source_points(self) -> dict[str, float]:
        """Points per graded cell, as the source notebook says."""
        nb = nbformat.read(self.source / f"{self.notebook}.ipynb", as_version=4)
        return {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in nb.cells
                if nbgrader_meta(c)["grade"] or nbgrader_meta(c)["task"]}


def responses_file(answers: dict[str, Any]) -> str:
    return json.dumps(
        {"version": 1,
         "answers": {qid: {"value": v, "saved_at": SUBMITTED_AT} for qid, v in answers.items()}},
        ensure_ascii=False,
    )


def nbgrader(course: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(VENV_BIN / "nbgrader"), *args],
        cwd=course,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def generate(root: Path, module: GradedModule) -> Path:
    """A course folder with the module, and nbgrader's generate_assignment run on it."""
    shutil.copytree(
        module.source,
        root / "source" / module.module_id,
        ignore=shutil.ignore_patterns("responses.json*", ".ipynb_checkpoints"),
    )
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {module.course.course_id!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n"
        # nbgrader's defaults, spelled out: the module's images must reach the release
        "c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback']\n",
        encoding="utf-8",
    )
    nbgrader(root, "generate_assignment", module.module_id)
    return root


def check_release(course: Path, module: GradedModule) -> None:
    """The released module: both notebooks (and the module's images), the hidden tests
    emptied, no key anywhere, not even one sentence of an explanation."""
    folder = course / "release" / module.module_id
    expected = {p.name for p in module.source.iterdir() if p.name != "responses.json"}
    assert {p.name for p in folder.iterdir()} == expected
    released = nbformat.read(folder / f"{module.notebook}.ipynb", as_version=4)
    text = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.ipynb"))
    for word in ("HIDDEN TESTS", "course_kit.grading", "explain(", "check(", "bank_key"):
        assert word not in text, word
    tests = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert sorted(c.metadata["nbgrader"]["grade_id"] for c in tests) == sorted(
        module.question_points)
    tasks = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("task")]
    assert [c.metadata["nbgrader"]["grade_id"] for c in tasks] == list(module.task_points)
    for cell in tests:
        assert cell.source.strip() == "", cell.source
    for name in (module.notebook, module.notebook_en):
        nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            assert cell.cell_type == "markdown" or not cell.outputs
            assert cell.metadata["nbgrader"]["locked"] is True
            assert cell.metadata["editable"] is False
    shown = " ".join(
        " ".join(c.source.split())
        for p in folder.glob("*.ipynb") for c in nbformat.read(p, as_version=4).cells)
    source = nbformat.read(module.source / f"{module.notebook}.ipynb", as_version=4)
    explanations = explanations_in(source)
    assert explanations and set(explanations) <= set(read_questions(source))
    for qid, explanation in explanations.items():
        for words in (explanation.vi, explanation.en):
            assert words, qid
            for sentence in re.split(r"(?<=[.!?])\s+", " ".join(words.split())):
                if len(sentence) >= 40:
                    assert sentence not in shown, (qid, sentence)


def submit_and_grade(course: Path, module: GradedModule, student: str,
                     answers: dict[str, Any] | None, server: EvidenceServer) -> dict[str, Any]:
    """A learner's submission (both notebooks, as fetched, and the answers file), nbgrader's
    autograde, then the practical tasks scored from the stubbed e-office evidence."""
    released = course / "release" / module.module_id
    sub = course / "submitted" / student / module.module_id
    shutil.copytree(released, sub)
    if answers is not None:
        (sub / "responses.json").write_text(responses_file(answers), encoding="utf-8")
    nbgrader(course, "autograde", module.module_id, f"--student={student}",
             ACADEMY_STUDENT_ID=student)
    from grading.practical_tasks import fetch_evidence, score_practical_tasks

    evidence = {student: fetch_evidence(server.url, server.token, student)}
    score_practical_tasks(f"sqlite:///{course / 'gradebook.db'}", module.course.course_id,
                          module.module_id, evidence)
    graded = course / "autograded" / student / module.module_id
    assert (graded / "responses.json").exists() == (answers is not None)
    # the pages themselves ran cleanly in the grader: errors only ever come from failed checks
    for name in (module.notebook, module.notebook_en):
        nb = nbformat.read(graded / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code" and not cell.metadata["nbgrader"]["grade"]:
                assert all(o.output_type == "execute_result" for o in cell.outputs), cell.id
    return gradebook_scores(course, module, student)


def gradebook_scores(course: Path, module: GradedModule, student: str) -> dict[str, Any]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", module.course.course_id) as gb:
        sub = gb.find_submission(module.module_id, student)
        graded = gb.find_submission_notebook(module.notebook, module.module_id, student)
        english = gb.find_submission_notebook(module.notebook_en, module.module_id, student)
        assert english.max_score == 0 and not english.grades  # display only
        return {
            "score": sub.score,
            "max_score": sub.max_score,
            "grades": {g.name: g.score for g in graded.grades},
        }


#: ipykernel 7.4's own noise when it is shut down after the notebook ran: its control
#: handler publishes "idle" while the IOPub thread closes (a race in ipykernel, partly fixed
#: upstream in ipython/ipykernel#1518 for the socket, not for the event pipe). Nothing of
#: the notebook's: it is the only traceback this check lets through, and only whole.
KERNEL_SHUTDOWN_RACE = re.compile(
    r"^(?:ERROR:tornado\.general:)?Uncaught exception in ZMQStream callback\n"
    r"Traceback \(most recent call last\):\n"
    r"(?:  .*\n)+"
    r"zmq\.error\.ZMQError: Socket operation on non-socket\n?", re.MULTILINE)


def execute(folder: Path, notebook: str, language: str) -> nbformat.NotebookNode:
    """Run a notebook as Voila would for a learner (the page's language in ACADEMY_LANGUAGE),
    and check that it showed only widgets: no error, no print, no traceback."""
    proc = subprocess.run(
        [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=60",
         # unix sockets, not TCP ports another process could take between pick and bind
         "--KernelManager.transport=ipc",
         "--output", f"executed-{language}.ipynb", notebook],
        cwd=folder,
        env=subprocess_env(JUPYTERHUB_BASE_URL="/academy/", ACADEMY_LANGUAGE=language),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    stderr = KERNEL_SHUTDOWN_RACE.sub("", proc.stderr)
    assert "Traceback" not in stderr, proc.stderr
    executed = nbformat.read(folder / f"executed-{language}.ipynb", as_version=4)
    (folder / f"executed-{language}.ipynb").unlink()
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        kinds = [o.output_type for o in cell.outputs]
        assert "error" not in kinds and "stream" not in kinds, (cell.id, cell.outputs)
        if cell.outputs:
            assert kinds == ["execute_result"], cell.id
            assert WIDGET_VIEW in cell.outputs[0].data, cell.id
    return executed


def widget_cells(executed: nbformat.NotebookNode) -> list[str]:
    return [c.id for c in executed.cells if c.cell_type == "code" and c.outputs]


def render_both_versions(tmp_path: Path, module: GradedModule, widgets: list[str]) -> None:
    """Both versions run cleanly in a learner's folder and show the same widgets (questions,
    the explanation widget, task cards); showing them never writes an answers file."""
    folder = module.course.learner_copy(tmp_path, module.module_id)
    for language, name in (("vi", module.notebook), ("en", module.notebook_en)):
        executed = execute(folder, f"{name}.ipynb", language)
        assert widget_cells(executed) == widgets, language
        assert "widgets" in executed.metadata  # widget state saved, so the views have models
        assert "/academy/services/eoffice/" in str(executed.metadata["widgets"])
    assert not (folder / "responses.json").exists()
