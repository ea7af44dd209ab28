"""The real nbgrader workflow on module ds03 (signature incidents), through the nbgrader CLI:
generate, submit, autograde, the two practical tasks scored from the stubbed e-office
evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from courses_testlib import EvidenceServer
from coursework import Course, check_release, generate, submit_and_grade

COURSE = Course("digital-signatures")
MODULE = COURSE.graded_module(
    "ds03-signature-incidents",
    question_points={"check-q1": 2, "check-n1": 1, "check-o1": 1, "check-tf1": 1,
                     "check-q2": 1, "check-s1": 2, "check-m1": 2},
    task_points={"practical-renew-certificate": 4, "practical-report-lost-token": 4},
)
# The key, duplicated on purpose: it must match the hidden tests of the source notebook.
CORRECT: dict[str, Any] = {
    "q1": "x-valid-y-revoked",
    "n1": 63,
    "o1": ["stop", "contact", "unlock", "change", "sign"],
    "tf1": False,
    "q2": ["stop-old", "request-new", "check-senders"],
    "s1": ["link", "pin", "sender", "update", "urgency"],
    "m1": {"locked": "unlock", "lost": "revoke", "merged": "new-name",
           "expiring": "renew-early"},
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("course"), MODULE)


def test_module_is_worth_18_points() -> None:
    assert MODULE.max_score == 18 and sum(MODULE.question_points.values()) == 10


def test_the_key_is_the_lint_solution() -> None:
    assert MODULE.solution() == CORRECT


def test_release_contains_no_answer_key(course: Path) -> None:
    check_release(course, MODULE)


@pytest.mark.timeout(180)
def test_autograde_all_correct_and_tasks_done(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    for task in MODULE.task_ids:
        module_evidence_server.set_task("nguyenvana", task, True)
    answers = {**CORRECT, "n1": 63.0}  # as the numeric card saves "63"
    scores = submit_and_grade(course, MODULE, "nguyenvana", answers, module_evidence_server)
    assert scores["grades"] == {name: float(p) for name, p in MODULE.points.items()}
    assert scores["score"] == scores["max_score"] == 18


@pytest.mark.timeout(180)
def test_autograde_blank_scores_zero(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    for task in MODULE.task_ids:
        module_evidence_server.set_task("tranthib", task, False)
    scores = submit_and_grade(course, MODULE, "tranthib", None, module_evidence_server)
    assert scores["grades"] == {name: 0.0 for name in MODULE.points}
    assert scores["score"] == 0 and scores["max_score"] == 18


@pytest.mark.timeout(180)
def test_autograde_partly_right(course: Path, module_evidence_server: EvidenceServer) -> None:
    module_evidence_server.set_task("lethic", "renew-certificate", True)
    module_evidence_server.set_task("lethic", "report-lost-token", False)
    answers = {
        "q1": "both-invalid",  # thinks a revocation reaches back in time
        "n1": 15,  # counted only the hours after the weekend began
        "o1": ["stop", "contact", "unlock", "sign", "change"],  # signed with the officer's PIN
        "tf1": False,
        "q2": ["stop-old", "request-new", "check-senders"],
        "s1": ["closing", "link", "pin", "sender"],  # 3 of 5 signs, 1 normal part: 2*(3-1)/5
        "m1": {"locked": "revoke", "lost": "revoke", "merged": "new-name",
               "expiring": "renew-early"},  # 3 of 4
    }
    scores = submit_and_grade(course, MODULE, "lethic", answers, module_evidence_server)
    assert scores["grades"] == {
        "check-q1": 0.0, "check-n1": 0.0, "check-o1": 0.0, "check-tf1": 1.0, "check-q2": 1.0,
        "check-s1": 0.8, "check-m1": 1.5,
        "practical-renew-certificate": 4.0, "practical-report-lost-token": 0.0,
    }
    assert scores["score"] == pytest.approx(8.3)
