"""The real nbgrader workflow on module ds02 (signing in the e-office, reading the
verification report), through the nbgrader CLI: generate, submit, autograde, the three
practical tasks scored from the stubbed e-office evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from courses_testlib import EvidenceServer
from coursework import Course, check_release, generate, submit_and_grade

COURSE = Course("digital-signatures")
MODULE = COURSE.graded_module(
    "ds02-signing-in-the-eoffice",
    question_points={"check-o1": 1, "check-q1": 1, "check-n1": 1, "check-tf1": 1,
                     "check-t1": 1, "check-s1": 2, "check-m1": 2, "check-q2": 1},
    task_points={"practical-request-signature-certificate": 2,
                 "practical-sign-and-issue-outgoing-document": 4,
                 "practical-verify-received-signatures": 4},
)
# The key, duplicated on purpose: it must match the hidden tests of the source notebook.
CORRECT: dict[str, Any] = {
    "o1": ["draft", "sign", "issue", "send", "receive"],
    "q1": "clerk-at-issue",
    "n1": 2,
    "tf1": False,
    "t1": "12/SNV-VP",
    "s1": ["chain", "root", "verdict"],
    "m1": {"hash": "ask-original", "revoked": "ask-resign", "untrusted": "verify-sender",
           "allowed": "accept"},
    "q2": ["authority", "current-name", "right-recipient"],
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("course"), MODULE)


def test_module_is_worth_20_points_half_of_them_practical() -> None:
    assert MODULE.max_score == 20 and sum(MODULE.task_points.values()) == 10


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
    # a short text is compared as learners type it: case and spaces do not matter
    answers = {**CORRECT, "t1": "  số:  12/snv-vp "}
    scores = submit_and_grade(course, MODULE, "nguyenvana", answers, module_evidence_server)
    assert scores["grades"] == {name: float(p) for name, p in MODULE.points.items()}
    assert scores["score"] == scores["max_score"] == 20


@pytest.mark.timeout(180)
def test_autograde_blank_scores_zero(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    for task in MODULE.task_ids:
        module_evidence_server.set_task("tranthib", task, False)
    scores = submit_and_grade(course, MODULE, "tranthib", None, module_evidence_server)
    assert scores["grades"] == {name: 0.0 for name in MODULE.points}
    assert scores["score"] == 0 and scores["max_score"] == 20


@pytest.mark.timeout(180)
def test_autograde_partly_right(course: Path, module_evidence_server: EvidenceServer) -> None:
    """Partial points where the kit gives them (spot the signs, matching), none elsewhere;
    each practical task on its own evidence."""
    module_evidence_server.set_task("lethic", "request-signature-certificate", True)
    module_evidence_server.set_task("lethic", "sign-and-issue-outgoing-document", False)
    module_evidence_server.set_task("lethic", "verify-received-signatures", True)
    answers = {
        "o1": ["draft", "issue", "sign", "send", "receive"],  # issued before it was signed
        "q1": "clerk-at-issue",
        "n1": 1,  # only the leader's signature
        "tf1": True,  # trusted the picture
        "t1": "12/VP-SNV",
        "s1": ["chain", "root", "intact"],  # two of three signs, one normal line: 2*(2-1)/3
        "m1": {"hash": "ask-original", "revoked": "ask-original", "untrusted": "verify-sender",
               "allowed": "fix-yourself"},  # two pairs of four
        "q2": ["authority", "current-name", "right-recipient", "recompute"],
    }
    scores = submit_and_grade(course, MODULE, "lethic", answers, module_evidence_server)
    assert scores["grades"] == {
        "check-o1": 0.0, "check-q1": 1.0, "check-n1": 0.0, "check-tf1": 0.0, "check-t1": 0.0,
        "check-s1": 0.67, "check-m1": 1.0, "check-q2": 0.0,
        "practical-request-signature-certificate": 2.0,
        "practical-sign-and-issue-outgoing-document": 0.0,
        "practical-verify-received-signatures": 4.0,
    }
    assert scores["score"] == pytest.approx(8.67)
