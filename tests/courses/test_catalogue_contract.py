"""Every module of every course of the catalogue keeps the authoring contract
(docs/authoring.md) and the issue's "Every module has": objectives and the time at the top,
an interactive explanation widget, at least 5 autograded checks, a practical task of the
e-office; both language versions with the same questions and keys, the key only in the
graded one. A new course is checked by adding its folder: nothing to register here.

`academy course lint` (tests/academy/test_cli_course_lint.py) runs the rest on the whole
catalogue: nbgrader validation, full marks for the solution and zero for a blank, no key in
the release, Voila renders both versions.
"""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat
import pytest
from coursework import Course, catalogue, nbgrader_meta

from course_kit.questions.notebook import (
    BEGIN_HIDDEN,
    END_HIDDEN,
    notebook_problems,
    read_banks,
    read_questions,
)
from course_kit.questions.specs import QuestionSpec

COURSES = catalogue()
MODULES = [(c, m) for c in COURSES for m in c.module_ids]
IDS = [m for _, m in MODULES]
#: what every module starts with: objectives and the time
OBJECTIVES = {"vi": "Mục tiêu học tập", "en": "Learning objectives"}
TIME = {"vi": re.compile(r"Thời gian dự kiến: khoảng (\d+) phút"),
        "en": re.compile(r"Estimated time: about (\d+) minutes")}
#: the kit's question and task calls in a module's code cells
KIT_CALLS = ("question", "true_false", "ordering", "matching", "short_text", "numeric",
             "spot_the_signs", "question_bank", "practical_task")
#: the kit's own explanation widgets (the rest are written in the notebook with ipywidgets)
KIT_EXPLORERS = ("digest_explorer",)


def option_keys(spec: QuestionSpec) -> dict[str, Any]:
    """What must be the same in both versions of a question: its kind and its keys (choices,
    items, both columns, the markable parts), in the order written."""
    return {"kind": spec.kind, "options": spec.options, "left": spec.left,
            "spans": [span for _, span in spec.segments if span is not None],
            "bank": spec.bank_id, "unit_given": bool(spec.unit),
            "max_length": spec.max_length, "shuffle": spec.shuffle}


def calls(source: str) -> list[str]:
    """The functions a code cell calls at its top level, in order."""
    return re.findall(r"^(\w+)\(", source, re.MULTILINE)


def kit_calls(source: str) -> list[str]:
    return [name for name in calls(source) if name in KIT_CALLS]


def test_the_catalogue_has_the_issues_courses() -> None:
    ids = {c.course_id for c in COURSES}
    assert {"digital-signatures", "cybersecurity"} <= ids
    for course in COURSES:
        if course.course_id != "contest":
            assert len(course.module_ids) >= 3, course.course_id


@pytest.mark.parametrize("course", COURSES, ids=[c.course_id for c in COURSES])
def test_course_toml_describes_each_module_in_both_languages(course: Course) -> None:
    from course_kit.catalog import load_course
    from grading.competencies import load_framework

    toml = course.toml
    assert toml["id"] == course.course_id and toml["grade_on_submit"] is True
    assert 50 <= toml["pass_percent"] <= 100
    assert toml["title"] and toml["title_vi"] and toml["title"] != toml["title_vi"]
    codes = set(load_framework().platform)
    loaded = load_course(course.folder / "course.toml", codes)  # refuses unknown codes
    assert loaded.module_ids == tuple(course.module_ids)
    for entry in course.modules:
        folder = course.folder / "source" / entry["id"]
        assert entry["title"] and entry["title_vi"] and entry["title"] != entry["title_vi"]
        assert entry["notebook"].endswith(".ipynb") and not entry["notebook"].endswith(".en.ipynb")
        assert entry["notebook_en"] == entry["notebook"].removesuffix(".ipynb") + ".en.ipynb"
        assert {p.name for p in folder.glob("*.ipynb")} == {entry["notebook"],
                                                            entry["notebook_en"]}
        assert isinstance(entry["minutes"], int) and 15 <= entry["minutes"] <= 90
        assert entry["competencies"] and set(entry["competencies"]) <= codes
    # the course content holds no code file, and its solutions stay outside source/
    assert not list(course.folder.rglob("*.py"))
    assert sorted(p.stem for p in (course.folder / "solutions").glob("*.json")) == sorted(
        course.module_ids)


@pytest.mark.parametrize(("course", "module_id"), MODULES, ids=IDS)
def test_both_versions_ask_the_same_questions_with_the_same_keys(course: Course,
                                                                 module_id: str) -> None:
    vi, en = course.notebooks(module_id)
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
        # translated; a code cell may be the same only when the kit speaks for it (the setup,
        # a kit explorer, which takes the page's language)
        assert (cell_vi.source != cell_en.source or cell_vi.id == "setup"
                or set(calls(cell_vi.source)) <= set(KIT_EXPLORERS)), cell_vi.id
        if cell_vi.cell_type == "code":  # the same kit widgets, called the same way
            assert kit_calls(cell_vi.source) == kit_calls(cell_en.source), cell_vi.id
    # each practical task cell has its English note, saying the same points
    for cell in vi.cells:
        if nbgrader_meta(cell)["task"]:
            task = nbgrader_meta(cell)["grade_id"].removeprefix("practical-")
            note = next(c for c in en.cells if c.id == f"note-{task}")
            points = nbgrader_meta(cell)["points"]
            assert f"{points:g} điểm" in cell.source and f"{points:g} points" in note.source


@pytest.mark.parametrize(("course", "module_id"), MODULES, ids=IDS)
def test_every_module_starts_with_objectives_and_time(course: Course, module_id: str) -> None:
    entry = course.entry(module_id)
    vi, _ = course.notebooks(module_id)
    points = sum(nbgrader_meta(c).get("points", 0) for c in vi.cells)
    for language, nb in zip(("vi", "en"), course.notebooks(module_id), strict=True):
        intro = nb.cells[0]
        assert intro.cell_type == "markdown" and intro.source.startswith("# ")
        assert OBJECTIVES[language] in intro.source
        found = TIME[language].search(intro.source)
        assert found and int(found.group(1)) == entry["minutes"], (language, module_id)
        # the total the intro announces is the notebook's
        word = "điểm" if language == "vi" else "points"
        assert f"**{points:g} {word}**" in " ".join(intro.source.split()), (language, module_id)


@pytest.mark.parametrize(("course", "module_id"), MODULES, ids=IDS)
def test_every_module_has_an_interactive_explanation(course: Course, module_id: str) -> None:
    """A code cell that is neither a question nor a task card nor graded: a widget the
    learner plays with (the kit's explorer, or ipywidgets written in the notebook)."""
    for nb in course.notebooks(module_id):
        explainers = [c for c in nb.cells if c.cell_type == "code" and c.id != "setup"
                      and not kit_calls(c.source) and not nbgrader_meta(c)["grade"]]
        assert explainers, module_id
        for cell in explainers:
            assert "ipywidgets" in cell.source or set(calls(cell.source)) & set(
                KIT_EXPLORERS), (module_id, cell.id)


@pytest.mark.parametrize(("course", "module_id"), MODULES, ids=IDS)
def test_the_graded_version_holds_the_key_the_english_one_none(course: Course,
                                                              module_id: str) -> None:
    vi, en = course.notebooks(module_id)
    known = set(course.entry(module_id)["competencies"])
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
    # a practical task graded from the e-office, "once that sandbox feature exists": a
    # module whose subject the e-office does not have says so in course.toml, with why
    without = course.entry(module_id).get("no_practical_task")
    assert len(tests) >= 5 and (bool(tasks) != bool(without)), (module_id, without)
    assert without is None or (isinstance(without, str) and len(without.strip()) >= 20)
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


@pytest.mark.parametrize(("course", "module_id"), MODULES, ids=IDS)
def test_each_practical_task_card_names_a_task_of_the_eoffice(course: Course,
                                                              module_id: str) -> None:
    from sandbox_eoffice.tasks import TASKS

    vi, en = course.notebooks(module_id)
    card = re.compile(r'practical_task\(\s*"([^"]+)"')
    cards_vi = [t for c in vi.cells if c.cell_type == "code" for t in card.findall(c.source)]
    cards_en = [t for c in en.cells if c.cell_type == "code" for t in card.findall(c.source)]
    task_cells = [nbgrader_meta(c)["grade_id"].removeprefix("practical-")
                  for c in vi.cells if nbgrader_meta(c)["task"]]
    assert cards_vi == cards_en == task_cells
    assert set(task_cells) <= set(TASKS)


@pytest.mark.parametrize(("course", "module_id"), MODULES, ids=IDS)
def test_the_mail_tasks_say_they_wait_for_a_trainers_campaign(course: Course,
                                                              module_id: str) -> None:
    """A mail task is 'not done' until a trainer's phishing campaign has delivered a message:
    every module with one says so in its points cell, in both languages."""
    vi, en = course.notebooks(module_id)
    for cell in vi.cells:
        if nbgrader_meta(cell)["task"] and "practical-mail-" in nbgrader_meta(cell)["grade_id"]:
            task = nbgrader_meta(cell)["grade_id"].removeprefix("practical-")
            note = next(c for c in en.cells if c.id == f"note-{task}")
            assert "giảng viên" in cell.source and "thư giả lập" in cell.source
            assert "trainer" in note.source and "phishing simulation" in note.source
