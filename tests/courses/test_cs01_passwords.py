"""cs01 "Passwords, passphrases and MFA" through the real nbgrader workflow, and rendered.

generate_assignment -> a learner's submission (both released notebooks + responses.json) ->
autograde with the evidence API stubbed on 127.0.0.1 -> scores in the gradebook. Its
practical task is the mail one about passwords (never typing one into a page reached from a
mail): the sandbox has no password screen of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from courses_testlib import EvidenceServer
from coursework import Course, check_release, generate, render_both_versions, submit_and_grade

COURSE = Course("cybersecurity")
MODULE = COURSE.graded_module(
    "cs01-passwords-and-mfa",
    question_points={**{f"check-q{i}": 1 for i in range(1, 9)}, "check-q5": 2},
    task_points={"practical-mail-did-not-submit": 3},
)
TASK = "mail-did-not-submit"
MAX_SCORE = 12

# The answer key, duplicated on purpose: it must match the hidden tests of the source
# notebook and the lint's solutions file. Answers are option keys, the same in both versions.
CORRECT: dict[str, Any] = {
    "q1": False,
    "q2": 26,
    "q3": ["random-words", "random-words-digit"],
    "q4": "đ",
    "q5": {"leak": "change-now", "shared-pc": "never-save", "it-call": "refuse",
           "too-many": "manager"},
    "q6": "deny-change-report",
    "q7": ["change", "report", "inspect", "elsewhere"],
    "q8": False,
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("cs01"), MODULE)


def test_points_and_the_lints_solution_agree_with_this_key() -> None:
    points = MODULE.source_points()
    assert points == MODULE.points and sum(points.values()) == MAX_SCORE
    assert MODULE.solution() == CORRECT


def test_release_contains_no_answer_key(course: Path) -> None:
    check_release(course, MODULE)


@pytest.mark.timeout(240)
def test_right_answers_and_task_done_score_full_marks(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("nguyenvana", TASK, True)
    # typed the Telex way: the grader compares texts in NFC, case ignored
    answers = {**CORRECT, "q4": "Đ"}
    scores = submit_and_grade(course, MODULE, "nguyenvana", answers, module_evidence_server)
    assert scores["grades"] == {name: float(p) for name, p in MODULE.points.items()}
    assert (scores["score"], scores["max_score"]) == (MAX_SCORE, MAX_SCORE)


@pytest.mark.timeout(240)
def test_blank_submission_and_no_campaign_score_zero(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("tranthib", TASK, False)  # no phish delivered yet
    scores = submit_and_grade(course, MODULE, "tranthib", None, module_evidence_server)
    assert scores["grades"] == {name: 0.0 for name in MODULE.points}
    assert (scores["score"], scores["max_score"]) == (0, MAX_SCORE)


@pytest.mark.timeout(240)
def test_wrong_answers_lose_their_points_and_matching_gives_partial_points(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("levanc", TASK, True)
    answers = {
        **CORRECT,
        "q1": True,  # Sotc@2024 "is strong"
        "q3": ["random-words", "random-words-digit", "proverb"],  # a proverb ticked too
        "q4": "d",  # the letter typed, not the one the box received
        # two of the four pairs right: half the cell's 2 points
        "q5": {"leak": "change-now", "shared-pc": "never-save", "it-call": "manager",
               "too-many": "suffix"},
        "q6": "approve",
        "q7": ["report", "change", "inspect", "elsewhere"],
    }
    del answers["q8"]  # never answered
    scores = submit_and_grade(course, MODULE, "levanc", answers, module_evidence_server)
    assert scores["grades"] == {
        "check-q1": 0.0, "check-q2": 1.0, "check-q3": 0.0, "check-q4": 0.0, "check-q5": 1.0,
        "check-q6": 0.0, "check-q7": 0.0, "check-q8": 0.0,
        "practical-mail-did-not-submit": 3.0,
    }
    assert scores["score"] == 5


@pytest.mark.timeout(240)
def test_both_versions_render_for_a_learner(tmp_path: Path) -> None:
    render_both_versions(tmp_path, MODULE, [
        "explorer", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "task",
    ])
