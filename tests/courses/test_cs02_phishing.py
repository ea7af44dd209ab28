"""cs02 "Phishing" through the real nbgrader workflow, and rendered.

Its three domain questions are drawn per learner from a bank (graded by slot, for the
student nbgrader names); its spot-the-signs question gives partial points; its two practical
tasks are scored from the sandbox mailbox's campaign evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from courses_testlib import EvidenceServer
from coursework import Course, check_release, generate, render_both_versions, submit_and_grade

from course_kit.questions.draws import drawn_question_ids
from course_kit.questions.notebook import read_banks

COURSE = Course("cybersecurity")
MODULE = COURSE.graded_module(
    "cs02-phishing",
    question_points={"bank-slot-1": 1, "bank-slot-2": 1, "bank-slot-3": 1, "check-q1": 3,
                     "check-q2": 1, "check-q3": 2, "check-q4": 1, "check-q5": 1,
                     "check-q6": 1, "check-q7": 1},
    task_points={"practical-mail-reported-phish": 3, "practical-mail-did-not-click": 2},
)
REPORTED, NOT_CLICKED = "mail-reported-phish", "mail-did-not-click"
MAX_SCORE = 18

# The answer key, duplicated on purpose: it must match the hidden tests of the source
# notebook and the lint's solutions file.
BANK_KEY: dict[str, Any] = {"d1": False, "d2": True, "d3": False, "d4": False, "d5": True,
                            "d6": False}
CORRECT: dict[str, Any] = {
    "q1": ["deadline", "greeting", "link", "relogin", "sender"],
    "q2": "verify-report",
    "q3": {"cert": "credential", "axis": "wrong-channel", "invoice": "program",
           "leader": "free-mail"},
    "q4": ["double-extension", "scr", "js"],
    "q5": "vn-hoso.info",
    "q6": ["register-domain", "send-lure", "victim-types", "attacker-logs-in", "spreads"],
    "q7": False,
}


def draw(student: str) -> list[str]:
    nb = nbformat.read(MODULE.source / f"{MODULE.notebook}.ipynb", as_version=4)
    return drawn_question_ids(read_banks(nb)["domains"], student)


def right_answers(student: str) -> dict[str, Any]:
    """Everything right, the bank as the student's own page showed it: their draw only."""
    return {**CORRECT, **{qid: BANK_KEY[qid] for qid in draw(student)}}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("cs02"), MODULE)


def test_points_and_the_lints_solution_agree_with_this_key() -> None:
    points = MODULE.source_points()
    assert points == MODULE.points and sum(points.values()) == MAX_SCORE
    assert MODULE.solution() == {**BANK_KEY, **CORRECT}
    # learners get different questions, or the same in another order
    draws = {tuple(draw(s)) for s in ("nguyenvana", "tranthib", "levanc", "phamthid")}
    assert len(draws) > 1 and all(len(d) == 3 for d in draws)


def test_release_contains_no_answer_key(course: Path) -> None:
    check_release(course, MODULE)


@pytest.mark.timeout(240)
def test_right_answers_and_tasks_done_score_full_marks(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    for task in (REPORTED, NOT_CLICKED):
        module_evidence_server.set_task("nguyenvana", task, True)
    answers = {**right_answers("nguyenvana"), "q5": "VN-HOSO.INFO "}  # case and spaces ignored
    scores = submit_and_grade(course, MODULE, "nguyenvana", answers, module_evidence_server)
    assert scores["grades"] == {name: float(p) for name, p in MODULE.points.items()}
    assert (scores["score"], scores["max_score"]) == (MAX_SCORE, MAX_SCORE)


@pytest.mark.timeout(240)
def test_blank_submission_and_no_campaign_score_zero(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    for task in (REPORTED, NOT_CLICKED):
        module_evidence_server.set_task("tranthib", task, False)
    scores = submit_and_grade(course, MODULE, "tranthib", None, module_evidence_server)
    assert scores["grades"] == {name: 0.0 for name in MODULE.points}
    assert (scores["score"], scores["max_score"]) == (0, MAX_SCORE)


@pytest.mark.timeout(240)
def test_a_classmates_draw_partial_signs_and_a_click(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    """levanc answers nguyenvana's bank questions (graded on their own draw), marks three of
    the five signs and one harmless part, and clicked the phish before reporting it."""
    module_evidence_server.set_task("levanc", REPORTED, True)
    module_evidence_server.set_task("levanc", NOT_CLICKED, False)
    copied = {qid: BANK_KEY[qid] for qid in draw("nguyenvana")}
    assert set(copied) != set(draw("levanc"))
    answers = {**CORRECT, **copied, "q1": ["date", "deadline", "link", "sender"]}
    scores = submit_and_grade(course, MODULE, "levanc", answers, module_evidence_server)
    own = draw("levanc")
    expected_slots = {f"bank-slot-{n}": float(qid in copied) for n, qid in enumerate(own, 1)}
    assert scores["grades"] == {
        **{name: float(p) for name, p in MODULE.question_points.items()},
        **expected_slots,
        "check-q1": 1.2,  # 3 points x (3 right - 1 wrong) / 5 signs
        "practical-mail-reported-phish": 3.0,
        "practical-mail-did-not-click": 0.0,
    }
    assert scores["score"] == pytest.approx(MAX_SCORE - 3 - 2 - 1.8 + sum(expected_slots.values()))


@pytest.mark.timeout(240)
def test_both_versions_render_for_a_learner(tmp_path: Path) -> None:
    render_both_versions(tmp_path, MODULE, [
        "domain-reader", "domains", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "task-report",
        "task-no-click",
    ])
