"""The course lint (grading.course_lint) on a small course written in a temporary folder:
a module that passes every check, and a module with one deliberate mistake per check, each
in its own cell, so that every problem is asserted with its file, cell and message.

One lint run of the whole course is shared by the tests (module scope): it builds the
release with nbgrader, grades the solution and a blank submission in the sandbox and renders
both language versions, so it takes a few seconds per module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from common.i18n import Language
from grading.course_lint import (
    Check,
    LintReport,
    ModuleNotebook,
    Problem,
    english_notebook,
    key_texts,
    leak_problems,
    lint_courses,
    nbgrader_problems,
)

COURSE = "lint-course"
VALID, BROKEN = "m1-valid", "m2-broken"
VI, EN = "bai-hoc.ipynb", "lesson.en.ipynb"
TASK = "register-incoming-from-so-tai-chinh"
SOLUTION = {"q1": "leader", "q2": False, "q3": "con dấu"}


def meta(grade_id: str, points: float | None = None, *, grade: bool = False,
         task: bool = False, codes: list[str] | None = None) -> dict[str, Any]:
    nbgrader: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": True,
                                "schema_version": 3, "solution": False, "task": task}
    if points is not None:
        nbgrader["points"] = points
    found: dict[str, Any] = {"nbgrader": nbgrader}
    if codes is not None:
        found["academy"] = {"competencies": codes}
    return found


def code(cell_id: str, source: str, metadata: dict[str, Any] | None = None
         ) -> nbformat.NotebookNode:
    cell = new_code_cell(source, metadata=metadata or meta(cell_id))
    cell.id = cell_id
    return cell


def markdown(cell_id: str, source: str, metadata: dict[str, Any] | None = None
             ) -> nbformat.NotebookNode:
    cell = new_markdown_cell(source, metadata=metadata or meta(cell_id))
    cell.id = cell_id
    return cell


def hidden_test_cell(qid: str, key: Any, why_vi: str, why_en: str, *, options: str = "",
              codes: list[str] | None = None) -> nbformat.NotebookNode:
    return code(
        f"check-{qid}",
        "### BEGIN HIDDEN TESTS\n"
        "from course_kit.grading import check, explain\n"
        f"explain({qid!r}, vi={why_vi!r}, en={why_en!r})\n"
        f"check({qid!r}, {key!r}{options})\n"
        "### END HIDDEN TESTS\n",
        meta(f"check-{qid}", 1, grade=True,
             codes=["sign.use"] if codes is None else codes),
    )


SETUP = ("from course_kit.widgets import digest_explorer, practical_task, question, "
         "short_text, true_false")
Q1_VI = ('question("q1", "Ai ký số văn bản đi trước khi phát hành?", '
         '[("Lãnh đạo có thẩm quyền", "leader"), ("Văn thư", "clerk")])')
Q1_EN = ('question("q1", "Who signs an outgoing document before it is issued?", '
         '[("The competent leader", "leader"), ("The clerk", "clerk")])')
Q2_VI = 'true_false("q2", "Ký số một văn bản là mã hóa văn bản đó.")'
Q2_EN = 'true_false("q2", "Signing a document encrypts it.")'
Q3_VI = 'short_text("q3", "Chứng thư số của cơ quan thay cho gì trên văn bản giấy?")'
Q3_EN = 'short_text("q3", "What does the agency\'s certificate replace on paper?")'
CARD_VI = (f'practical_task("{TASK}", "Vào sổ văn bản đến từ Sở Tài chính", '
           '["Mở văn bản đến", "Vào sổ"])')
CARD_EN = (f'practical_task("{TASK}", "Register the incoming document from Sở Tài chính", '
           '["Open the incoming document", "Register it"])')
WHY = {
    "q1": ("Lãnh đạo có thẩm quyền ký số trước, văn thư cấp số và phát hành sau.",
           "The competent leader signs first; the clerk numbers and issues it afterwards."),
    "q2": ("Ký số không che nội dung: ai nhận văn bản cũng đọc được.",
           "Signing hides nothing: whoever receives the document can read it."),
    "q3": ("Chứng thư số của cơ quan thay cho con dấu của cơ quan.",
           "The agency's certificate plays the role of its seal."),
}


def vietnamese(*, broken: bool = False) -> nbformat.NotebookNode:
    """The graded version. Broken: check-q2 has no competency codes, check-free gives a
    point for nothing, q3's placeholder shows the answer, chart raises when shown."""
    q3 = Q3_VI.replace(")", ', placeholder="VD: con dấu")') if broken else Q3_VI
    cells = [
        markdown("intro", "# Chữ ký số\n*Khoảng 20 phút.* Sau học phần này, học viên có thể…"),
        code("setup", SETUP),
        code("q1", Q1_VI),
        hidden_test_cell("q1", "leader", *WHY["q1"]),
        code("q2", Q2_VI),
        hidden_test_cell("q2", False, *WHY["q2"], codes=[] if broken else None),
        code("q3", q3),
        hidden_test_cell("q3", ["con dấu", "dấu"], *WHY["q3"], options=", ignore_diacritics=True"),
        code("task", CARD_VI),
        markdown(f"practical-{TASK}", "**Bài thực hành: 2 điểm.**",
                 meta(f"practical-{TASK}", 2, task=True)),
    ]
    if broken:
        cells += [
            code("check-free", "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS\n",
                 meta("check-free", 1, grade=True, codes=["sign.use"])),
            code("chart", "digest_explorer(sentence=so_lieu_chua_khai_bao)"),
        ]
    return _notebook(cells)


def english(*, broken: bool = False) -> nbformat.NotebookNode:
    """Display only, same questions. Broken: q1 is asked as q1b."""
    q1 = Q1_EN.replace('"q1"', '"q1b"') if broken else Q1_EN
    return _notebook([
        markdown("intro", "# Digital signatures\n*About 20 minutes.* By the end…", {}),
        code("setup", SETUP, {}),
        code("q1", q1, {}),
        code("q2", Q2_EN, {}),
        code("q3", Q3_EN, {}),
        code("task", CARD_EN, {}),
    ])


def _notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nb.cells = cells
    return nb


def write_course(courses: Path, modules: dict[str, bool]) -> Path:
    """A course folder with ``modules`` (id -> broken?), as a trainer keeps it."""
    folder = courses / COURSE
    entries = []
    for module_id, broken in modules.items():
        source = folder / "source" / module_id
        source.mkdir(parents=True)
        nbformat.write(vietnamese(broken=broken), source / VI)
        nbformat.write(english(broken=broken), source / EN)
        solution = dict(SOLUTION)
        if broken:  # a wrong key in the solution, and an answers file left in the folder
            solution["q1"] = "clerk"
            (source / "responses.json").write_text(
                json.dumps({"version": 1, "answers": {"q1": {"value": "leader"}}}),
                encoding="utf-8")
        (folder / "solutions").mkdir(exist_ok=True)
        (folder / "solutions" / f"{module_id}.json").write_text(
            json.dumps(solution, ensure_ascii=False), encoding="utf-8")
        entries.append(
            f'[[modules]]\nid = "{module_id}"\ntitle = "Digital signatures"\n'
            f'title_vi = "Chữ ký số"\nnotebook = "{VI}"\nnotebook_en = "{EN}"\n'
            'competencies = { "sign.use" = 2, "edoc.handling" = 1 }\nminutes = 20\n')
    (folder / "course.toml").write_text(
        f'id = "{COURSE}"\ntitle = "Lint course"\ntitle_vi = "Khóa học kiểm tra"\n\n'
        + "\n".join(entries), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def linted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, LintReport]:
    courses = tmp_path_factory.mktemp("lint") / "courses"
    folder = write_course(courses, {VALID: False, BROKEN: True})
    return folder, lint_courses(courses)


def _lines(folder: Path, report: LintReport, module_id: str) -> set[str]:
    (module,) = [m for m in report.modules if m.module_id == module_id]
    return {p.line(folder) for p in module.problems}


@pytest.mark.timeout(300)
def test_a_module_that_passes_every_check_has_no_problem(linted: tuple[Path, LintReport]
                                                         ) -> None:
    folder, report = linted
    assert [m.module_id for m in report.modules] == [VALID, BROKEN]
    assert _lines(folder, report, VALID) == set()
    assert report.course_problems == []
    assert not report.ok


def test_each_mistake_is_named_with_its_file_and_cell(linted: tuple[Path, LintReport]
                                                      ) -> None:
    folder, report = linted
    src = f"source/{BROKEN}"
    expected = {
        # competency codes
        f"{src}/{VI}:check-q2: a graded cell needs competency codes",
        # the solution scores full marks, a blank submission zero
        f"{src}/{VI}:check-q1: the solution answers score 0 of 1 point(s) (AssertionError: "
        "q1: not correct)",
        f"{src}/{VI}:check-free: a blank submission scores 1 of 1 point(s): a free point",
        # no key in the release
        f"{src}/{VI}:q3: the release shows the answer of check-q3: 'con dấu'",
        f"{src}/responses.json: an answers file is released to every learner: delete it "
        "from the module folder",
        # the language versions
        f"{src}/{EN}: question 'q1' (Vietnamese cell q1) is missing",
        f"{src}/{EN}:q1: question 'q1b' is not in the Vietnamese version",
        # Voila
        f"{src}/{VI}:chart: raises NameError: name 'so_lieu_chua_khai_bao' is not defined "
        "when Voila shows it (vi)",
    }
    assert _lines(folder, report, BROKEN) == expected


def test_problems_say_which_check_found_them(linted: tuple[Path, LintReport]) -> None:
    _folder, report = linted
    (module,) = [m for m in report.modules if m.module_id == BROKEN]
    by_cell = {(p.file.name, p.cell): p.check for p in module.problems}
    assert by_cell[(VI, "check-q2")] is Check.COMPETENCIES
    assert by_cell[(VI, "check-free")] is Check.SCORES
    assert by_cell[(VI, "q3")] is Check.KEY_LEAK
    assert by_cell[(EN, "q1")] is Check.LANGUAGES
    assert by_cell[(VI, "chart")] is Check.RENDER


def test_the_solutions_folder_never_reaches_nbgrader(tmp_path: Path) -> None:
    """``academy init`` copies ``source/`` only and nbgrader releases ``source/<module>/``:
    the solutions live beside them, in the course folder."""
    folder = write_course(tmp_path / "courses", {VALID: False})
    assert (folder / "solutions" / f"{VALID}.json").is_file()
    assert not list((folder / "source").rglob("*solution*"))


def test_key_texts_are_answers_explanations_and_test_lines() -> None:
    texts = {(k.text, k.kind.value, k.origin) for k in key_texts(vietnamese(), SOLUTION, "sol")}
    assert ("con dấu", "answer", "check-q3") in texts
    assert ("leader", "answer", "check-q1") in texts
    assert (WHY["q2"][1], "explanation", "check-q2") in texts
    assert ("check('q1', 'leader')", "hidden test line", "check-q1") in texts
    assert ("con dấu", "answer", "sol") in texts
    old_style = _notebook([code("t", '### BEGIN HIDDEN TESTS\nassert answer("q9") == '
                                     '"Báo ngay cho đầu mối"\n### END HIDDEN TESTS',
                                meta("t", 1, grade=True))])
    assert ("Báo ngay cho đầu mối", "answer", "t") in {
        (k.text, k.kind.value, k.origin) for k in key_texts(old_style, None, "")}
    # a bank key's bilingual explanation: its texts are key texts, its language codes not
    # ("vi" is also a Vietnamese word: "hành vi")
    bank = _notebook([code("b", '### BEGIN HIDDEN TESTS\nbank_key("bank1", {"q1": {"answer": '
                               '"b", "explain": {"vi": "Vì hành vi này sai luật.", "en": '
                               '"Because it is unlawful."}}})\n### END HIDDEN TESTS',
                           meta("b", 1, grade=True))])
    bank_texts = {k.text for k in key_texts(bank, None, "")}
    assert {"Vì hành vi này sai luật.", "Because it is unlawful."} <= bank_texts
    assert "vi" not in bank_texts and "en" not in bank_texts


def test_a_release_that_kept_the_hidden_tests_is_a_leak(tmp_path: Path) -> None:
    """What the check would say if nbgrader had not emptied the hidden tests: the trainer's
    own notebook taken as the release, with saved widget state and a data file."""
    folder = write_course(tmp_path / "courses", {VALID: False}) / "source" / VALID
    nb = vietnamese()
    nb.cells.insert(1, markdown("recap", f"Ghi nhớ: {WHY['q2'][0]}"))  # before grading
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nbformat.write(nb, folder / VI)
    (folder / "bank.json").write_text(json.dumps({"q3": "con dấu"}, ensure_ascii=False))
    vi = ModuleNotebook(folder / VI, nb, Language.VIETNAMESE)
    en = ModuleNotebook(folder / EN, english(), Language.ENGLISH)
    lines = {p.line(folder) for p in leak_problems(folder, folder, vi, en, SOLUTION)}
    assert {
        f"{VI}: the notebook keeps saved widget state (metadata 'widgets'), which can show the "
        "answers given while previewing: clear it (Edit > Clear all outputs, then save without "
        "widget state)",
        f"{VI}:check-q1: '### BEGIN HIDDEN TESTS' survived the release",
        f"{VI}:recap: the release shows the explanation of check-q2: {WHY['q2'][0]!r}",
        f"{VI}:check-q1: the release shows the hidden test line of check-q1: "
        "\"check('q1', 'leader')\"",
        "bank.json: the release shows the answer of check-q3: 'con dấu'",
    } <= lines
    assert all(p.check is Check.KEY_LEAK for p in leak_problems(folder, folder, vi, en, None))
    # the options a question shows are not a leak, though "leader" is q1's key
    assert not any("the answer of check-q1" in line for line in lines)


def test_nbgrader_validation_names_the_cell(tmp_path: Path) -> None:
    nb = _notebook([
        code("a", "x = 1"),
        code("a2", "### BEGIN HIDDEN TESTS\nassert True\n", meta("a", 1, grade=True)),
        code("b", "### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS", meta("b")),
        code("c", "x = 2", {"nbgrader": {"grade": True, "grade_id": "c", "locked": True,
                                         "schema_version": 3, "solution": False}}),
    ])
    path = tmp_path / "nb.ipynb"
    found = {(p.cell, p.message) for p in nbgrader_problems(path, nb)}
    assert found == {
        ("a", "grade_id 'a' is used twice (also cell #0)"),
        ("a", "nbgrader: No end hidden tests statement found"),
        ("b", "nbgrader: Hidden test region detected in a non-grade cell; please make sure "
              "all solution regions are within 'Autograder tests' cells."),
        ("c", "nbgrader metadata: nbgrader cell 'c' does not have points"),
    }
    assert all(p.check is Check.NBGRADER and p.file == path for p in nbgrader_problems(path, nb))


def test_problem_line_is_file_cell_message(tmp_path: Path) -> None:
    problem = Problem(Check.RENDER, tmp_path / "c" / "m" / "nb.ipynb", "q1", "raises")
    assert problem.line(tmp_path) == "c/m/nb.ipynb:q1: raises"
    assert Problem(Check.CATALOG, tmp_path / "course.toml", None, "x").line(tmp_path) == (
        "course.toml: x")
    assert problem.line(tmp_path / "elsewhere") == f"{tmp_path}/c/m/nb.ipynb:q1: raises"


def test_a_module_without_an_english_version_or_solutions_is_reported(tmp_path: Path) -> None:
    """The cheap problems come without grading anything when the notebook is missing."""
    folder = write_course(tmp_path / "courses", {VALID: False})
    toml = folder / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(f'notebook_en = "{EN}"\n', "")
                    .replace(f'notebook = "{VI}"', 'notebook = "missing.ipynb"'),
                    encoding="utf-8")
    assert english_notebook(toml, VALID) is None
    report = lint_courses(tmp_path / "courses")
    assert {p.line(folder) for p in report.problems} == {
        f"course.toml:{VALID}: no notebook_en: every module has an English version",
        f"source/{VALID}/missing.ipynb: no such notebook (course.toml names it)",
    }


def test_unknown_course_or_module(tmp_path: Path) -> None:
    write_course(tmp_path / "courses", {VALID: False})
    with pytest.raises(LookupError, match="unknown course nope"):
        lint_courses(tmp_path / "courses", ["nope"])
    with pytest.raises(LookupError, match="no module m9"):
        lint_courses(tmp_path / "courses", module_ids=["m9"])


def test_an_unknown_competency_in_course_toml_is_a_course_problem(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "courses", {VALID: False})
    toml = folder / "course.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"edoc.handling"', '"edoc.nope"'),
                    encoding="utf-8")
    report = lint_courses(tmp_path / "courses")
    assert report.modules == []
    (problem,) = report.problems
    assert problem.file == toml and problem.check is Check.CATALOG
    assert "unknown competency 'edoc.nope'" in problem.message
