"""End to end: a module with every kind of question and a bank, released with nbgrader and
graded by the academy's grader (grading.engine, in its sandbox): the right answers score
full marks, a blank submission zero, and a learner who answers a classmate's draw is graded
on their own. The feedback shows each learner their own bank questions with explanations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course_kit.questions.draws import drawn_question_ids
from course_kit.questions.notebook import read_banks
from grading.engine import AutogradeEngine, GradeStatus
from grading.feedback import LearnerFeedback
from grading.kernel_sandbox import sandbox_account
from tests.course_kit.kit_sample_module import (
    ASSIGNMENT,
    BANK_KEY,
    KEYS,
    MAX_SCORE,
    right_answers,
    source_notebook,
)

REPO = Path(__file__).resolve().parents[2]
NBGRADER = Path(sys.executable).parent / "nbgrader"
COURSE_ID = "kit-course"
#: the learners: answers, and what they should score
RIGHT, BLANK, COPIER = "nguyenvana", "tranthib", "hoangvane"


def nbgrader_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACADEMY_", "JUPYTER"))}
    env["PYTHONPATH"] = str(REPO)
    env["PATH"] = f"{NBGRADER.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def copied_answers() -> dict[str, Any]:
    """The copier's file: everything right, and the bank answers of RIGHT's draw only."""
    bank = read_banks(source_notebook())["facts"]
    answers = right_answers(RIGHT)
    assert set(drawn_question_ids(bank, COPIER)) != set(drawn_question_ids(bank, RIGHT))
    return answers


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("kit-autograde") / "course"
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root}/gradebook.db'\n",
        encoding="utf-8",
    )
    result = subprocess.run([str(NBGRADER), "generate_assignment", ASSIGNMENT], cwd=root,
                            env=nbgrader_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    released = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student, answers in ((RIGHT, right_answers(RIGHT)), (BLANK, None),
                             (COPIER, copied_answers())):
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_bytes(released.read_bytes())
        if answers is not None:
            (folder / "responses.json").write_text(json.dumps(
                {"version": 1, "answers": {q: {"value": v} for q, v in answers.items()}}),
                encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    engine = AutogradeEngine(root, COURSE_ID, f"sqlite:///{root}/gradebook.db", ASSIGNMENT,
                             workers=1, account=sandbox_account())
    outcomes = {o.student_id: o for o in engine.run([RIGHT, BLANK, COPIER])}
    return {"root": root, "outcomes": outcomes, "released": released}


def test_the_release_holds_no_key_and_no_explanation(graded: dict[str, Any]) -> None:
    text = graded["released"].read_text(encoding="utf-8")
    for _key, why in KEYS.values():
        assert why not in text
    assert "check(" not in text and "check_bank_slot" not in text and "explain(" not in text
    assert "Monday to Friday" not in text and "Báo ngay" not in text


def test_right_answers_score_full_marks_and_blank_scores_zero(graded: dict[str, Any]) -> None:
    outcomes = graded["outcomes"]
    right, blank = outcomes[RIGHT], outcomes[BLANK]
    assert right.status is GradeStatus.GRADED and not right.problems, right
    assert (right.score, right.max_score) == (MAX_SCORE, MAX_SCORE)
    assert blank.status is GradeStatus.GRADED and (blank.score, blank.max_score) == (
        0, MAX_SCORE)


def test_a_classmates_draw_earns_only_what_overlaps(graded: dict[str, Any]) -> None:
    bank = read_banks(source_notebook())["facts"]
    own = drawn_question_ids(bank, COPIER)
    copied = set(drawn_question_ids(bank, RIGHT))
    expected = MAX_SCORE - 2 + sum(1 for q in own if q in copied)
    assert graded["outcomes"][COPIER].score == expected < MAX_SCORE


def test_the_feedback_shows_each_learner_their_own_draw_with_explanations(
    graded: dict[str, Any],
) -> None:
    bank = read_banks(source_notebook())["facts"]
    for student in (RIGHT, COPIER):
        folder = graded["root"] / "autograded" / student / ASSIGNMENT
        nb = nbformat.read(folder / f"{ASSIGNMENT}.ipynb", as_version=4)
        # as nbgrader's generate_feedback runs it: the student named in its resources
        resources = {"metadata": {"path": str(folder)}, "nbgrader": {"student": student}}
        nb, _ = LearnerFeedback().preprocess(nb, resources)
        page = "".join(c.source for c in nb.cells)
        assert all(c.cell_type == "markdown" for c in nb.cells)
        for qid in bank.question_ids:
            prompt = bank.question(qid).prompt
            explanation = BANK_KEY[qid]["explain"]
            why = explanation if isinstance(explanation, str) else explanation["en"]
            shown = qid in drawn_question_ids(bank, student)
            assert (prompt in page) == shown, (student, qid)
            assert (why in page) == shown, (student, qid)
        for _key, why in KEYS.values():
            assert why.replace("'", "&#x27;") in page
