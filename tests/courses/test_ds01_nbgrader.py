"""The real nbgrader workflow on the real ds01 notebook, through the nbgrader CLI.

generate_assignment -> a learner's submission (released notebook + responses.json) ->
autograde with the evidence API stubbed on 127.0.0.1 -> scores in the gradebook.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import nbformat
import pytest
from courses_testlib import REPO, VENV_BIN, EvidenceServer, subprocess_env

COURSE_ID = "digital-signatures"
MODULE = "ds01-what-a-signature-proves"
NOTEBOOK = "what-a-signature-proves"
TASK = "register-incoming-from-so-tai-chinh"
SOURCE = REPO / "courses" / COURSE_ID / "source" / MODULE

# The answer key, duplicated on purpose: it must match the hidden tests of the source notebook.
CORRECT: dict[str, Any] = {
    "q1": "The digest changes completely: almost every character is different",
    "q2": [
        "The document has not been changed since it was signed (integrity)",
        "It was signed with the private key of the holder named in the certificate (origin)",
        "The signer cannot later deny having signed it (non-repudiation)",
    ],
    "q3": "The agency's seal (con dấu)",
    "q4": "Refuse: the PIN is yours alone. Ask your leader to arrange a delegation (ủy quyền) "
    "to someone with their own certificate",
    "q5": "Report it at once to your agency's digital-signature focal point so the certificate "
    "is suspended or revoked, and ask for a new one",
    "q6": "Stop signing with it and get a new certificate with the new name and title: "
    "documents signed with an outdated certificate lose their legal value",
}
QUESTION_POINTS = {
    "check-q1": 1,
    "check-q2": 1,
    "check-q3": 1,
    "check-q4": 1,
    "check-q5": 1,
    "check-q6": 1,
}
TASK_CELL = "practical-register-incoming-from-so-tai-chinh"  # a manually graded task cell
TASK_POINTS = 4
POINTS = {**QUESTION_POINTS, TASK_CELL: TASK_POINTS}
MAX_SCORE = 10


def responses_file(answers: dict[str, Any]) -> str:
    return json.dumps(
        {
            "version": 1,
            "answers": {
                qid: {"value": v, "saved_at": "2025-03-10T08:00:00+00:00"}
                for qid, v in answers.items()
            },
        },
        ensure_ascii=False,
    )


def nbgrader(course: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(VENV_BIN / "nbgrader"), *args],
        cwd=course,
        env=subprocess_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(
        SOURCE,
        root / "source" / MODULE,
        ignore=shutil.ignore_patterns("responses.json*", ".ipynb_checkpoints"),
    )
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n"
        # nbgrader's defaults, spelled out: the diagram must reach the release
        "c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', 'feedback']\n",
        encoding="utf-8",
    )
    nbgrader(root, "generate_assignment", MODULE)
    return root


@pytest.fixture(scope="module")
def released(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / MODULE / f"{NOTEBOOK}.ipynb", as_version=4)


def test_source_notebook_is_valid_nbformat_45() -> None:
    nb = nbformat.read(SOURCE / f"{NOTEBOOK}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5)
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids))
    grade_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
    assert len(grade_ids) == len(set(grade_ids))
    points = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.metadata["nbgrader"]["grade"] or c.metadata["nbgrader"].get("task")
    }
    assert points == POINTS and sum(points.values()) == MAX_SCORE
    for cell in nb.cells:
        if cell.metadata["nbgrader"]["grade"]:
            lines = cell.source.strip().splitlines()
            assert lines[0] == "### BEGIN HIDDEN TESTS" and lines[-1] == "### END HIDDEN TESTS"
    # the markdown links the diagram, which sits beside the notebook
    assert any("](sign-and-verify.svg)" in c.source for c in nb.cells if c.cell_type == "markdown")


def test_release_contains_no_answer_key(course: Path, released: nbformat.NotebookNode) -> None:
    folder = course / "release" / MODULE
    assert {p.name for p in folder.iterdir()} == {f"{NOTEBOOK}.ipynb", "sign-and-verify.svg"}
    text = (folder / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    assert "HIDDEN TESTS" not in text
    assert "course_kit.grading" not in text and "practical_task_done" not in text
    test_cells = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert sorted(c.metadata["nbgrader"]["grade_id"] for c in test_cells) == sorted(QUESTION_POINTS)
    task_cells = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("task")]
    assert [c.metadata["nbgrader"]["grade_id"] for c in task_cells] == [TASK_CELL]
    assert "activity log" in task_cells[0].source
    for cell in test_cells:
        assert cell.source.strip() == "", cell.source
        assert cell.metadata["nbgrader"]["locked"] is True
    for cell in released.cells:
        assert cell.cell_type == "markdown" or not cell.outputs
        assert cell.metadata["nbgrader"]["locked"] is True
        assert cell.metadata["editable"] is False
    # nothing in the release tells which option is right
    for key in CORRECT.values():
        for option in key if isinstance(key, list) else [key]:
            assert all(option not in c.source for c in test_cells)


def submit_and_grade(
    course: Path,
    released_path: Path,
    student: str,
    answers: dict[str, Any] | None,
    server: EvidenceServer,
) -> dict[str, Any]:
    sub = course / "submitted" / student / MODULE
    sub.mkdir(parents=True)
    shutil.copy(released_path / f"{NOTEBOOK}.ipynb", sub)
    shutil.copy(released_path / "sign-and-verify.svg", sub)
    if answers is not None:
        (sub / "responses.json").write_text(responses_file(answers), encoding="utf-8")
    nbgrader(course, "autograde", MODULE, f"--student={student}", ACADEMY_STUDENT_ID=student)
    # the practical task is scored outside the learner's kernel, from e-office evidence
    from grading.practical_tasks import fetch_evidence, score_practical_tasks

    evidence = {student: fetch_evidence(server.url, server.token, student)}
    score_practical_tasks(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID, MODULE, evidence)
    graded = course / "autograded" / student / MODULE
    assert (graded / "responses.json").exists() == (answers is not None)
    # the page itself ran cleanly in the grader: errors only ever come from failed checks
    nb = nbformat.read(graded / f"{NOTEBOOK}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.metadata["nbgrader"]["grade"]:
            assert all(o.output_type == "execute_result" for o in cell.outputs), cell.id
    return gradebook_scores(course, student)


def gradebook_scores(course: Path, student: str) -> dict[str, Any]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        sub = gb.find_submission(MODULE, student)
        nb = gb.find_submission_notebook(NOTEBOOK, MODULE, student)
        return {
            "score": sub.score,
            "max_score": sub.max_score,
            "grades": {g.name: g.score for g in nb.grades},
        }


@pytest.mark.timeout(120)
def test_autograde_all_correct_and_task_done(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("nguyenvana", TASK, True)
    scores = submit_and_grade(
        course, course / "release" / MODULE, "nguyenvana", CORRECT, module_evidence_server
    )
    assert scores["max_score"] == MAX_SCORE
    assert scores["grades"] == {name: float(p) for name, p in POINTS.items()}
    assert scores["score"] == MAX_SCORE
    assert (
        "/services/eoffice/api/evidence/nguyenvana",
        f"token {module_evidence_server.token}",
    ) in module_evidence_server.requests


@pytest.mark.timeout(120)
def test_autograde_wrong_answers_and_task_not_done(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("tranthib", TASK, False)
    answers = {
        "q1": CORRECT["q1"],
        "q2": CORRECT["q2"][:2],  # one ticked box missing: wrong
        "q3": CORRECT["q3"],
        "q4": "Give them, and change the PIN when you come back",
        "q5": "Wait a few days in case it turns up",
        # q6 never answered
    }
    scores = submit_and_grade(
        course, course / "release" / MODULE, "tranthib", answers, module_evidence_server
    )
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
