"""cs03 "Personal data and confidential information" through the real nbgrader workflow,
and rendered. Its practical task is the one-stop desk's population lookup with a purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from courses_testlib import EvidenceServer
from coursework import Course, check_release, generate, render_both_versions, submit_and_grade

COURSE = Course("cybersecurity")
MODULE = COURSE.graded_module(
    "cs03-personal-data",
    question_points={**{f"check-q{i}": 1 for i in range(1, 9)}, "check-q1": 2},
    task_points={"practical-one-stop-lookup-with-purpose": 3},
)
TASK = "one-stop-lookup-with-purpose"
MAX_SCORE = 12

# The answer key, duplicated on purpose: it must match the hidden tests of the source
# notebook and the lint's solutions file.
CORRECT: dict[str, Any] = {
    "q1": {"plate": "basic", "fingerprint": "sensitive", "minutes": "secret",
           "procedure": "public", "marital": "basic"},
    "q2": False,
    "q3": "refuse",
    "q4": ["applicant", "residence", "related-person"],
    "q5": 12,
    "q6": ["receive", "look-up", "compare", "ask-citizen"],
    "q7": "air-gapped",
    "q8": False,
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("cs03"), MODULE)


def test_points_and_the_lints_solution_agree_with_this_key() -> None:
    points = MODULE.source_points()
    assert points == MODULE.points and sum(points.values()) == MAX_SCORE
    assert MODULE.solution() == CORRECT


def test_the_lookup_purposes_taught_are_the_desks() -> None:
    """The three purposes the module teaches are the e-office's own (LookupPurpose), in the
    words its one-stop page shows in each language."""
    from sandbox_eoffice.one_stop.models import LookupPurpose

    assert len(LookupPurpose) == 3
    vi = (MODULE.source / f"{MODULE.notebook}.ipynb").read_text(encoding="utf-8")
    en = (MODULE.source / f"{MODULE.notebook_en}.ipynb").read_text(encoding="utf-8")
    for words in ("xác minh danh tính người nộp hồ sơ này",
                  "xác minh nơi cư trú là căn cứ giải quyết thủ tục của hồ sơ này",
                  "xác minh một người có tên trong hồ sơ này (con, vợ hoặc chồng"):
        assert words in vi
    for words in ("verify the identity of this dossier's applicant",
                  "verify the residence this dossier's procedure depends on",
                  "verify a person named in this dossier (a child, spouse, household member)"):
        assert words in en


def test_release_contains_no_answer_key(course: Path) -> None:
    check_release(course, MODULE)


@pytest.mark.timeout(240)
def test_right_answers_and_task_done_score_full_marks(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("nguyenvana", TASK, True)
    answers = {**CORRECT, "q4": ["related-person", "applicant", "residence"]}  # any order
    scores = submit_and_grade(course, MODULE, "nguyenvana", answers, module_evidence_server)
    assert scores["grades"] == {name: float(p) for name, p in MODULE.points.items()}
    assert (scores["score"], scores["max_score"]) == (MAX_SCORE, MAX_SCORE)


@pytest.mark.timeout(240)
def test_blank_submission_and_no_lookup_score_zero(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("tranthib", TASK, False)
    scores = submit_and_grade(course, MODULE, "tranthib", None, module_evidence_server)
    assert scores["grades"] == {name: 0.0 for name in MODULE.points}
    assert (scores["score"], scores["max_score"]) == (0, MAX_SCORE)


@pytest.mark.timeout(240)
def test_wrong_answers_lose_their_points(
    course: Path, module_evidence_server: EvidenceServer
) -> None:
    module_evidence_server.set_task("levanc", TASK, True)
    answers = {
        **CORRECT,
        # fingerprints taken for basic data: 4 of 5 pairs, 80% of 2 points
        "q1": {**CORRECT["q1"], "fingerprint": "basic"},
        "q3": "look-up",
        "q4": ["applicant", "residence", "related-person", "other-child"],
        "q5": 9,  # the old identity card's number
        "q7": "unplug",
    }
    scores = submit_and_grade(course, MODULE, "levanc", answers, module_evidence_server)
    assert scores["grades"] == {
        "check-q1": 1.6, "check-q2": 1.0, "check-q3": 0.0, "check-q4": 0.0, "check-q5": 0.0,
        "check-q6": 1.0, "check-q7": 0.0, "check-q8": 1.0,
        "practical-one-stop-lookup-with-purpose": 3.0,
    }
    assert scores["score"] == pytest.approx(7.6)


@pytest.mark.timeout(240)
def test_both_versions_render_for_a_learner(tmp_path: Path) -> None:
    render_both_versions(tmp_path, MODULE, [
        "classifier", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "task",
    ])
