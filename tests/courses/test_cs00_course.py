"""The cybersecurity course as a whole, and the helpers its module tests share.

Every module is one nbgrader assignment holding two notebooks (the lead's contract, see
docs/authoring.md): the Vietnamese one, graded (hidden tests, points, practical task cells),
and the English one, display only, with the same widget calls, question ids and option keys,
so that the one answers file either version writes is graded the same. The tests here check
that contract on every module of course.toml; test_cs0N_*.py run each module through nbgrader
(generate, submit, autograde, practical tasks from the e-office's evidence) and render both
versions as a learner's kernel would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from courses_testlib import REPO, VENV_BIN, EvidenceServer, subprocess_env

from course_kit.questions.notebook import (
    BEGIN_HIDDEN,
    END_HIDDEN,
    notebook_problems,
    read_banks,
    read_questions,
)
from course_kit.questions.specs import QuestionSpec

COURSE_ID = "cybersecurity"
COURSE_DIR = REPO / "courses" / COURSE_ID
COURSE_TOML = tomllib.loads((COURSE_DIR / "course.toml").read_text(encoding="utf-8"))
MODULES: list[dict[str, Any]] = COURSE_TOML["modules"]
MODULE_IDS = [m["id"] for m in MODULES]
SUBMITTED_AT = "2026-11-10T08:00:00+00:00"
#: what every module starts with (the issue's "Every module has"): objectives and the time
OBJECTIVES = {"vi": "Mục tiêu học tập", "en": "Learning objectives"}
TIME = {"vi": re.compile(r"Thời gian dự kiến: khoảng (\d+) phút"),
        "en": re.compile(r"Estimated time: about (\d+) minutes")}
#: the kit's calls in a module's code cells (the rest of a code cell is an explanation
#: widget written in the notebook itself)
KIT_CALLS = ("question", "true_false", "ordering", "matching", "short_text", "numeric",
             "spot_the_signs", "question_bank", "practical_task")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def module_entry(module_id: str) -> dict[str, Any]:
    return next(m for m in MODULES if m["id"] == module_id)


def notebooks(module_id: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """The module's Vietnamese (graded) and English (display only) notebooks."""
    entry = module_entry(module_id)
    folder = COURSE_DIR / "source" / module_id
    return (nbformat.read(folder / entry["notebook"], as_version=4),
            nbformat.read(folder / entry["notebook_en"], as_version=4))


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict[str, Any]:
    return cell.metadata["nbgrader"]


def option_keys(spec: QuestionSpec) -> dict[str, Any]:
    """What must be the same in both versions of a question: its kind and its keys (choices,
    items, both columns, the markable parts), in the order written."""
    return {"kind": spec.kind, "options": spec.options, "left": spec.left,
            "spans": [span for _, span in spec.segments if span is not None],
            "bank": spec.bank_id, "unit_given": bool(spec.unit),
            "max_length": spec.max_length, "shuffle": spec.shuffle}


def kit_calls(source: str) -> list[str]:
    """The kit's widget calls of a code cell, in order (statements at the cell's top)."""
    return [name for name in re.findall(r"^(\w+)\(", source, re.MULTILINE)
            if name in KIT_CALLS]


# -- the course file ----------------------------------------------------------------------


def test_course_toml_describes_each_module_in_both_languages() -> None:
    from course_kit.catalog import load_course
    from grading.competencies import load_framework

    assert COURSE_TOML["id"] == COURSE_ID and COURSE_TOML["grade_on_submit"] is True
    assert COURSE_TOML["pass_percent"] == 70
    assert COURSE_TOML["title_vi"] == "An toàn thông tin cho cán bộ, công chức"
    assert MODULE_IDS == ["cs01-passwords-and-mfa", "cs02-phishing", "cs03-personal-data"]
    codes = set(load_framework().platform)
    course = load_course(COURSE_DIR / "course.toml", codes)  # refuses unknown codes
    assert course.module_ids == tuple(MODULE_IDS)
    for entry in MODULES:
        folder = COURSE_DIR / "source" / entry["id"]
        assert entry["title"] and entry["title_vi"] and entry["title"] != entry["title_vi"]
        assert entry["notebook"].endswith(".ipynb") and not entry["notebook"].endswith(".en.ipynb")
        assert entry["notebook_en"] == entry["notebook"].removesuffix(".ipynb") + ".en.ipynb"
        assert {p.name for p in folder.iterdir()} == {entry["notebook"], entry["notebook_en"]}
        assert isinstance(entry["minutes"], int) and 15 <= entry["minutes"] <= 90
        assert entry["competencies"] and set(entry["competencies"]) <= codes
    # the course content holds no code file, and its solutions stay outside source/
    assert not list(COURSE_DIR.rglob("*.py"))
    assert sorted(p.stem for p in (COURSE_DIR / "solutions").glob("*.json")) == MODULE_IDS


# -- both versions of every module --------------------------------------------------------


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_both_versions_ask_the_same_questions_with_the_same_keys(module_id: str) -> None:
    vi, en = notebooks(module_id)
    questions_vi, questions_en = read_questions(vi), read_questions(en)
    assert list(questions_vi) == list(questions_en) and len(questions_vi) >= 5
    for qid, spec in questions_vi.items():
        assert option_keys(spec) == option_keys(questions_en[qid]), qid
        assert spec.prompt != questions_en[qid].prompt, f"{qid}: not translated"
    banks_vi, banks_en = read_banks(vi), read_banks(en)
    assert {b: s.draw for b, s in banks_vi.items()} == {b: s.draw for b, s in banks_en.items()}
    # the same cells, in the same order, apart from the graded ones and the English notes
    graded = {c.id for c in vi.cells if nbgrader_meta(c)["grade"] or nbgrader_meta(c)["task"]}
    shown_vi = [c for c in vi.cells if c.id not in graded]
    shown_en = [c for c in en.cells if not c.id.startswith("note-")]
    assert [c.id for c in shown_vi] == [c.id for c in shown_en]
    for cell_vi, cell_en in zip(shown_vi, shown_en, strict=True):
        assert cell_vi.cell_type == cell_en.cell_type, cell_vi.id
        assert cell_vi.source != cell_en.source or cell_vi.id == "setup", cell_vi.id
        if cell_vi.cell_type == "code":  # the same kit widgets, called the same way
            assert kit_calls(cell_vi.source) == kit_calls(cell_en.source), cell_vi.id
    # each practical task cell has its English note, saying the same points
    for cell in vi.cells:
        if nbgrader_meta(cell)["task"]:
            task = nbgrader_meta(cell)["grade_id"].removeprefix("practical-")
            note = next(c for c in en.cells if c.id == f"note-{task}")
            points = nbgrader_meta(cell)["points"]
            assert f"{points} điểm" in cell.source and f"{points} points" in note.source


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_every_module_starts_with_objectives_and_time(module_id: str) -> None:
    entry = module_entry(module_id)
    vi, _ = notebooks(module_id)
    points = sum(nbgrader_meta(c).get("points", 0) for c in vi.cells)
    for language, nb in zip(("vi", "en"), notebooks(module_id), strict=True):
        intro = nb.cells[0]
        assert intro.cell_type == "markdown" and intro.source.startswith("# ")
        assert OBJECTIVES[language] in intro.source
        found = TIME[language].search(intro.source)
        assert found and int(found.group(1)) == entry["minutes"], (language, entry["id"])
        # the total the intro announces is the notebook's
        word = "điểm" if language == "vi" else "points"
        assert f"**{points:g} {word}**" in intro.source, (language, entry["id"])
        # an interactive explanation: a code cell that is neither a question nor a task
        explainers = [c for c in nb.cells if c.cell_type == "code" and c.id != "setup"
                      and not kit_calls(c.source) and not nbgrader_meta(c)["grade"]]
        assert explainers and all("ipywidgets" in c.source for c in explainers)


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_the_graded_version_holds_the_key_the_english_one_none(module_id: str) -> None:
    vi, en = notebooks(module_id)
    entry = module_entry(module_id)
    known = set(entry["competencies"])
    for nb in (vi, en):
        nbformat.validate(nb)
        assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
        assert len({c.id for c in nb.cells}) == len(nb.cells)
        grade_ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells]
        assert len(set(grade_ids)) == len(grade_ids)
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            assert meta["locked"] is True and meta["solution"] is False, cell.id
    assert notebook_problems(vi, known) == []
    tests = [c for c in vi.cells if nbgrader_meta(c)["grade"]]
    tasks = [c for c in vi.cells if nbgrader_meta(c)["task"]]
    assert len(tests) >= 5 and tasks
    for cell in tests:
        lines = cell.source.strip().splitlines()
        assert lines[0] == BEGIN_HIDDEN and lines[-1] == END_HIDDEN, cell.id
        assert cell.metadata["academy"]["competencies"], cell.id
        assert set(cell.metadata["academy"]["competencies"]) <= known, cell.id
        if "check_bank_slot" not in cell.source or "bank_key(" in cell.source:
            assert '"vi":' in cell.source or "vi=" in cell.source, cell.id
            assert '"en":' in cell.source or "en=" in cell.source, cell.id
    for cell in tasks:
        assert cell.cell_type == "markdown"
        assert nbgrader_meta(cell)["grade_id"].startswith("practical-")
        assert nbgrader_meta(cell)["points"] > 0
    # display only: no grade, no task, no hidden test, no key, no explanation
    assert not any(nbgrader_meta(c)["grade"] or nbgrader_meta(c)["task"] for c in en.cells)
    text = json.dumps(en.cells, ensure_ascii=False)
    for word in ("HIDDEN TESTS", "course_kit.grading", "check(", "explain(", "bank_key",
                 "BEGIN SOLUTION"):
        assert word not in text


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_each_practical_task_card_names_a_task_of_the_eoffice(module_id: str) -> None:
    from sandbox_eoffice.tasks import TASKS

    vi, en = notebooks(module_id)
    card = re.compile(r'practical_task\(\s*"([^"]+)"')
    cards_vi = [t for c in vi.cells if c.cell_type == "code" for t in card.findall(c.source)]
    cards_en = [t for c in en.cells if c.cell_type == "code" for t in card.findall(c.source)]
    task_cells = [nbgrader_meta(c)["grade_id"].removeprefix("practical-")
                  for c in vi.cells if nbgrader_meta(c)["task"]]
    assert cards_vi == cards_en == task_cells
    assert set(task_cells) <= set(TASKS)


def test_the_mail_tasks_say_they_wait_for_a_trainers_campaign() -> None:
    """A mail task is 'not done' until a trainer's phishing campaign has delivered a message:
    every module with one says so on its card and in its points cell, in both languages."""
    for module_id in MODULE_IDS:
        vi, en = notebooks(module_id)
        for cell in vi.cells:
            if nbgrader_meta(cell)["task"] and "practical-mail-" in nbgrader_meta(cell)["grade_id"]:
                task = nbgrader_meta(cell)["grade_id"].removeprefix("practical-")
                note = next(c for c in en.cells if c.id == f"note-{task}")
                assert "giảng viên" in cell.source and "thư giả lập" in cell.source
                assert "trainer" in note.source and "phishing simulation" in note.source


# -- helpers for the module tests (test_cs0N_*.py) ----------------------------------------


@dataclass(frozen=True)
class GradedModule:
    """A module of this course as its nbgrader test sees it."""

    module_id: str
    question_points: dict[str, float]  # test cell grade id -> points
    task_points: dict[str, float]  # practical task cell grade id -> points

    @property
    def entry(self) -> dict[str, Any]:
        return module_entry(self.module_id)

    @property
    def notebook(self) -> str:
        return self.entry["notebook"].removesuffix(".ipynb")

    @property
    def notebook_en(self) -> str:
        return self.entry["notebook_en"].removesuffix(".ipynb")

    @property
    def source(self) -> Path:
        return COURSE_DIR / "source" / self.module_id

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
        path = COURSE_DIR / "solutions" / f"{self.module_id}.json"
        return json.loads(path.read_text(encoding="utf-8"))


def source_points(module: GradedModule) -> dict[str, float]:
    nb = nbformat.read(module.source / f"{module.notebook}.ipynb", as_version=4)
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
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n",
        encoding="utf-8",
    )
    nbgrader(root, "generate_assignment", module.module_id)
    return root


def check_release(course: Path, module: GradedModule) -> None:
    """The released module: both notebooks, the hidden tests emptied, no key anywhere."""
    folder = course / "release" / module.module_id
    assert {p.name for p in folder.iterdir()} == {f"{module.notebook}.ipynb",
                                                  f"{module.notebook_en}.ipynb"}
    released = nbformat.read(folder / f"{module.notebook}.ipynb", as_version=4)
    text = "".join(p.read_text(encoding="utf-8") for p in folder.glob("*.ipynb"))
    assert "HIDDEN TESTS" not in text and "course_kit.grading" not in text
    assert "explain(" not in text and "check(" not in text and "bank_key" not in text
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
    # the explanations (only ever in the hidden tests) reached nobody: take a phrase of each
    source = nbformat.read(module.source / f"{module.notebook}.ipynb", as_version=4)
    phrases = [p for c in source.cells if nbgrader_meta(c)["grade"]
               for p in re.findall(r'"([^"\n]{40,})"', c.source)]
    assert phrases
    for phrase in phrases:
        assert phrase not in text, phrase


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
    score_practical_tasks(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID, module.module_id,
                          evidence)
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

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        sub = gb.find_submission(module.module_id, student)
        graded = gb.find_submission_notebook(module.notebook, module.module_id, student)
        english = gb.find_submission_notebook(module.notebook_en, module.module_id, student)
        assert english.max_score == 0 and not english.grades  # display only
        return {
            "score": sub.score,
            "max_score": sub.max_score,
            "grades": {g.name: g.score for g in graded.grades},
        }


def learner_copy(tmp_path: Path, module_id: str) -> Path:
    """A learner's copy of the module (``<home>/<course>/<assignment>/``), the hidden tests
    emptied as in a release."""
    folder = tmp_path / COURSE_ID / module_id
    shutil.copytree(COURSE_DIR / "source" / module_id, folder,
                    ignore=shutil.ignore_patterns("responses.json*"))
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade"):
                cell.source = ""
        nbformat.write(nb, path)
    return folder


def execute(folder: Path, notebook: str, language: str) -> nbformat.NotebookNode:
    """Run a notebook as Voila would for a learner (the page's language in ACADEMY_LANGUAGE),
    and check that it showed only widgets: no error, no print, no traceback."""
    proc = subprocess.run(
        [str(VENV_BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=60",
         "--output", f"executed-{language}.ipynb", notebook],
        cwd=folder,
        env=subprocess_env(JUPYTERHUB_BASE_URL="/academy/", ACADEMY_LANGUAGE=language),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
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
    folder = learner_copy(tmp_path, module.module_id)
    for language, name in (("vi", module.notebook), ("en", module.notebook_en)):
        executed = execute(folder, f"{name}.ipynb", language)
        assert widget_cells(executed) == widgets, language
        assert "widgets" in executed.metadata  # widget state saved, so the views have models
        assert "/academy/services/eoffice/" in str(executed.metadata["widgets"])
    assert not (folder / "responses.json").exists()
