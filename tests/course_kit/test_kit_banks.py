"""Question banks: the draw is the same every time for a learner, differs between learners,
and grading follows the draw of the student the grader names, never the answers file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from course_kit.grading import bank_key, check_bank_slot
from course_kit.questions import registry
from course_kit.questions.draws import (
    StudentUnknownError,
    bank_seed,
    drawn_question_ids,
    graded_student_id,
    learner_id,
)
from course_kit.questions.specs import QuestionDefinitionError, bank_from_fields
from course_kit.responses import FILENAME, ResponseStore
from course_kit.widgets import question_bank

QUESTIONS = [
    {"id": f"cs{i:02d}", "kind": "true_false", "prompt": f"Statement {i}"} for i in range(10)
]
#: every statement's key: even ones are true
KEY = {q["id"]: {"answer": int(q["id"][2:]) % 2 == 0, "explain": f"Because {q['id']}."}
       for q in QUESTIONS}
BANK = bank_from_fields("cyber-basics", QUESTIONS, draw=5)


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NBGRADER_EXECUTION", "ACADEMY_STUDENT_ID", "JUPYTERHUB_USER",
                 "QUERY_STRING", "VOILA_PREHEAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ACADEMY_LANGUAGE", "en")
    registry.forget_all()


def test_the_draw_is_the_same_every_time_and_everywhere() -> None:
    first = drawn_question_ids(BANK, "nguyenvana")
    assert len(first) == 5 and len(set(first)) == 5 and set(first) <= set(KEY)
    assert drawn_question_ids(BANK, "nguyenvana") == first
    # it depends on the questions, not on the order the trainer wrote them in
    reordered = bank_from_fields("cyber-basics", list(reversed(QUESTIONS)), draw=5)
    assert drawn_question_ids(reordered, "nguyenvana") == first
    # the seed is SHA-256 of (bank id, learner id), kept apart (no "ab"+"c" = "a"+"bc")
    assert len(bank_seed("cyber-basics", "nguyenvana")) == 32
    assert bank_seed("ab", "c") != bank_seed("a", "bc")
    other_bank = bank_from_fields("other-bank", QUESTIONS, draw=5)
    assert drawn_question_ids(other_bank, "nguyenvana") != first


def test_no_two_learners_see_the_same_questions_in_the_same_order() -> None:
    learners = [f"learner{i:04d}" for i in range(600)]
    draws = [drawn_question_ids(BANK, learner) for learner in learners]
    # 10 x 9 x 8 x 7 x 6 = 30,240 ordered draws: among 600 learners a few pairs may share
    # one by chance (about 6 expected); a broken draw gives hundreds
    assert len(set(draws)) >= 585
    # every question is drawn about equally often, and lands in slot 1 about equally often
    drawn = Counter(q for d in draws for q in d)
    first = Counter(d[0] for d in draws)
    assert set(drawn) == set(KEY)
    assert all(230 <= n <= 370 for n in drawn.values()), drawn  # expected 300
    assert all(25 <= n <= 100 for n in first.values()), first  # expected 60


def test_the_widget_shows_the_hub_learners_draw(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = ResponseStore(tmp_path / FILENAME)
    monkeypatch.setenv("JUPYTERHUB_USER", "tranthib")
    assert learner_id() == "tranthib"
    shown = question_bank("cyber-basics", QUESTIONS, draw=5, store=store)
    assert shown.drawn == drawn_question_ids(BANK, "tranthib")
    monkeypatch.setenv("JUPYTERHUB_USER", "levanc")
    assert question_bank("cyber-basics", QUESTIONS, draw=5, store=store).drawn == (
        drawn_question_ids(BANK, "levanc"))


def grading_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, student_folder: str,
                   answers: dict[str, Any], extra: dict[str, Any] | None = None) -> Path:
    """A kernel as nbgrader runs it: autograded/<student>/<assignment>/, the answers file
    there, NBGRADER_EXECUTION=autograde, the bank cell already run."""
    folder = tmp_path / "course" / "autograded" / student_folder / "cs01"
    folder.mkdir(parents=True)
    data = {"version": 1, "answers": {q: {"value": v} for q, v in answers.items()},
            **(extra or {})}
    (folder / FILENAME).write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    question_bank("cyber-basics", QUESTIONS, draw=5,
                  store=ResponseStore(folder / FILENAME, persist=False))
    return folder


def slots_passed(key: dict[str, Any] | None = KEY) -> list[bool]:
    passed = []
    for slot in range(1, 6):
        try:
            check_bank_slot("cyber-basics", slot, key)
            passed.append(True)
        except AssertionError:
            passed.append(False)
    return passed


def right_answers(student: str) -> dict[str, bool]:
    return {q: KEY[q]["answer"] for q in drawn_question_ids(BANK, student)}


def test_grading_follows_the_draw_of_the_graded_student(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grading_kernel(tmp_path, monkeypatch, "nguyenvana", right_answers("nguyenvana"))
    assert graded_student_id() == "nguyenvana"
    assert slots_passed() == [True] * 5
    # the academy's grader names the student in the environment (its kernels run in a
    # private folder): that wins over the folder name
    monkeypatch.setenv("ACADEMY_STUDENT_ID", "phamthid")
    assert graded_student_id() == "phamthid"
    assert slots_passed() != [True] * 5


def test_the_answers_file_cannot_choose_whose_draw_is_graded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A learner who copied a friend's answers, and wrote the friend's id into the file
    in every way it could be read, is still graded on their own draw."""
    friend = "hoangvane"
    assert set(drawn_question_ids(BANK, friend)) != set(drawn_question_ids(BANK, "lethif"))
    answers = {**right_answers(friend), "student": friend, "JUPYTERHUB_USER": friend,
               "ACADEMY_STUDENT_ID": friend}
    # wrong answers for every question the friend was not given
    answers.update({q: not KEY[q]["answer"] for q in KEY if q not in right_answers(friend)})
    grading_kernel(tmp_path, monkeypatch, "lethif", answers,
                   extra={"student": friend, "learner": friend})
    monkeypatch.setenv("JUPYTERHUB_USER", friend)  # not trusted while grading either
    assert graded_student_id() == "lethif"
    own = drawn_question_ids(BANK, "lethif")
    expected = [q in right_answers(friend) for q in own]
    assert slots_passed() == expected and not all(expected)


def test_grading_without_a_trusted_student_id_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("JUPYTERHUB_USER", "someone")
    with pytest.raises(StudentUnknownError):
        graded_student_id()
    question_bank("cyber-basics", QUESTIONS, draw=5,
                  store=ResponseStore(tmp_path / FILENAME, persist=False))
    with pytest.raises(StudentUnknownError):
        check_bank_slot("cyber-basics", 1, KEY)


def test_a_key_written_once_serves_every_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grading_kernel(tmp_path, monkeypatch, "dangvang", right_answers("dangvang"))
    bank_key("cyber-basics", KEY)
    assert slots_passed(key=None) == [True] * 5


def test_blank_scores_nothing_and_slots_outside_the_draw_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grading_kernel(tmp_path, monkeypatch, "buithig", {})
    assert slots_passed() == [False] * 5
    with pytest.raises(QuestionDefinitionError, match="slot 6"):
        check_bank_slot("cyber-basics", 6, KEY)
    partial_key = {q: e for q, e in KEY.items() if q != drawn_question_ids(BANK, "buithig")[0]}
    with pytest.raises(QuestionDefinitionError, match="no entry"):
        check_bank_slot("cyber-basics", 1, partial_key)
    with pytest.raises(AssertionError, match="not shown"):
        check_bank_slot("unknown-bank", 1, KEY)


def test_outside_grading_a_trainer_preview_grades_its_own_draw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JUPYTERHUB_USER", "trainer1")
    store = ResponseStore(tmp_path / FILENAME)
    question_bank("cyber-basics", QUESTIONS, draw=5, store=store)
    for qid, value in right_answers("trainer1").items():
        store.set(qid, value)
    assert graded_student_id() == "trainer1"
    assert slots_passed() == [True] * 5
