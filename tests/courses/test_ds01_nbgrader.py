"""The real nbgrader workflow on the real ds01 module, through the nbgrader CLI.

generate_assignment -> a learner's submission (both released notebooks + responses.json) ->
autograde with the evidence API stubbed on 127.0.0.1 -> scores in the gradebook. The module's
Vietnamese notebook is graded; its English version is display only (test_catalogue_contract).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from courses_testlib import EvidenceServer
from coursework import Course, check_release, generate, submit_and_grade

COURSE = Course("digital-signatures")
MODULE = COURSE.graded_module(
    "ds01-what-a-signature-proves",
    question_points={f"check-q{i}": 1 for i in range(1, 7)},
    task_points={"practical-register-incoming-from-so-tai-chinh": 4},
)
TASK = "register-incoming-from-so-tai-chinh"
TASK_CELL = "practical-register-incoming-from-so-tai-chinh"
MAX_SCORE = 10

# The answer key, duplicated on purpose: it must match the hidden tests of the source
# notebook (and tests/grading/ds01_submissions.py takes it from here). Answers are option
# keys, the same in the Vietnamese and the English version.
CORRECT: dict[str, Any] = {
    "q1": "completely-different",
    "q2": ["integrity", "origin", "non-repudiation"],
    "q3": "seal",
    "q4": "refuse-delegate",
    "q5": "report-revoke",
    "q6": "stop-get-new",
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("course"), MODULE)


def test_source_notebook_points_and_diagram() -> None:
    nb = nbformat.read(MODULE.source / f"{MODULE.notebook}.ipynb", as_version=4)
    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata["nbgrader"]["grade"] or c.metadata["nbgrader"].get("task")
    }
    assert points == MODULE.points and sum(points.values()) == MAX_SCORE
    # each version links its diagram, which sits beside the notebooks
    for name, diagram in ((MODULE.notebook, "sign-and-verify.vi.svg"),
                          (MODULE.notebook_en, "sign-and-verify.svg")):
        nb = nbformat.read(MODULE.source / f"{name}.ipynb", as_version=4)
        assert any(f"]({diagram})" in c.source for c in nb.cells if c.cell_type == "markdown")
        assert (MODULE.source / diagram).is_file()


def test_the_key_is_the_lint_solution() -> None:
    assert MODULE.solution() == CORRECT


def test_release_contains_no_answer_key(course: Path) -> None:
    check_release(course, MODULE)
    released = nbformat.read(course / "release" / MODULE.module_id / f"{MODULE.notebook}.ipynb",
                             as_version=4)
    task_cells = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("task")]
    assert "nhật ký hoạt động" in task_cells[0].source  # graded from the e-office's records


@pytest.mark.timeout(180)
def test_autograde_all_correct_and_task_done(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("nguyenvana", TASK, True)
    scores = submit_and_grade(course, MODULE, "nguyenvana", CORRECT, module_evidence_server)
    assert scores["max_score"] == MAX_SCORE
    assert scores["grades"] == {name: float(p) for name, p in MODULE.points.items()}
    assert scores["score"] == MAX_SCORE
    assert (
        "/services/eoffice/api/evidence/nguyenvana",
        f"token {module_evidence_server.token}",
    ) in module_evidence_server.requests


@pytest.mark.timeout(180)
def test_autograde_wrong_answers_and_task_not_done(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("tranthib", TASK, False)
    answers = {
        "q1": CORRECT["q1"],
        "q2": CORRECT["q2"][:2],  # one ticked box missing: wrong
        "q3": CORRECT["q3"],
        "q4": "share-change-pin",
        "q5": "wait",
        # q6 never answered
    }
    scores = submit_and_grade(course, MODULE, "tranthib", answers, module_evidence_server)
    assert scores["grades"] == {
        "check-q1": 1.0,
        "check-q2": 0.0,
        "check-q3": 1.0,
        "check-q4": 0.0,
        "check-q5": 0.0,
        "check-q6": 0.0,
        TASK_CELL: 0.0,
    }
    assert scores["score"] == 2
    assert scores["max_score"] == MAX_SCORE


@pytest.mark.timeout(180)
def test_autograde_blank_scores_zero(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("lethic", TASK, False)
    scores = submit_and_grade(course, MODULE, "lethic", None, module_evidence_server)
    assert scores["grades"] == {name: 0.0 for name in MODULE.points}
    assert scores["score"] == 0


@pytest.mark.timeout(180)
def test_the_answers_of_the_old_text_options_score_nothing(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    """Before the options had keys, the answers file held the English texts: those are no
    longer any option's key, so they score nothing (never a crash)."""
    module_evidence_server.set_task("phamd", TASK, True)
    answers = {"q1": "The digest changes completely: almost every character is different",
               "q3": "The agency's seal (con dấu)"}
    scores = submit_and_grade(course, MODULE, "phamd", answers, module_evidence_server)
    assert scores["score"] == 4  # the practical task only
