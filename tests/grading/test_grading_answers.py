"""Answers files are data: read against the module's questions, never executed."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading.answers import (
    MAX_ANSWERS_BYTES,
    QuestionDefinitionError,
    check_answers,
    explanations_in,
    questions_checked_in,
    questions_in,
)

NB = new_notebook(cells=[
    new_code_cell('question("q1", "Pick", ["a", "b"])'),
    new_code_cell('question("q2", "Pick all", ["x", "y", "z"], multiple=True)'),
    new_code_cell('question("q3", "Pairs", [("Yes", 1), ("No", 0)])'),
])


def raw(answers: dict) -> bytes:
    return json.dumps({"version": 1, "answers": {k: {"value": v} for k, v in answers.items()}}
                      ).encode()


def test_questions_are_read_without_running_the_notebook() -> None:
    qs = questions_in(NB)
    assert list(qs) == ["q1", "q2", "q3"]
    assert qs["q1"].options == ("a", "b")
    assert qs["q2"].multiple and not qs["q1"].multiple
    assert qs["q3"].options == (1, 0) and qs["q3"].label_of(0) == "No"


def test_non_literal_question_is_a_trainer_error() -> None:
    nb = new_notebook(cells=[new_code_cell('question("q1", "Pick", OPTIONS)')])
    with pytest.raises(QuestionDefinitionError, match="literally"):
        questions_in(nb)


def test_valid_answers_pass_unchanged() -> None:
    checked = check_answers(raw({"q1": "b", "q2": ["z", "x"], "q3": 1}), questions_in(NB))
    assert checked.answers == {"q1": "b", "q2": ["z", "x"], "q3": 1}
    assert checked.problems == []
    assert json.loads(checked.responses_json())["answers"]["q1"] == {"value": "b"}


@pytest.mark.parametrize(("answers", "message"), [
    ({"q1": ["a"]}, "answer q1: expected one choice, found list"),
    ({"q1": "c"}, 'answer q1: "c" is not one of the options'),
    ({"q2": "x"}, "answer q2: expected a list of choices, found str"),
    ({"q2": ["x", "x"]}, "answer q2: the same choice is listed twice"),
    ({"q3": True}, "answer q3: true is not one of the options"),
    ({"q9": "a"}, 'answer "q9": this module has no such question'),
])
def test_malformed_answers_are_dropped_with_a_message(answers: dict, message: str) -> None:
    checked = check_answers(raw({**answers, "q1": answers.get("q1", "a")}), questions_in(NB))
    assert any(message in p for p in checked.problems), checked.problems
    for qid in answers:
        if qid != "q1" or answers[qid] != "a":
            assert qid not in checked.answers


@pytest.mark.parametrize(("data", "message"), [
    (b"\xff\xfe not utf-8", "not valid UTF-8 JSON"),
    (b"[1, 2]", "does not have the course kit's format"),
    (b" " * (MAX_ANSWERS_BYTES + 1), "over the 65,536-byte limit"),
])
def test_unreadable_file_grades_nothing(data: bytes, message: str) -> None:
    checked = check_answers(data, questions_in(NB))
    assert checked.answers == {} and message in checked.problems[0]


def test_no_file_is_a_blank_submission() -> None:
    assert check_answers(None, questions_in(NB)).answers == {}


def test_the_real_module_declares_its_questions() -> None:
    from tests.grading.ds01_submissions import COURSE_ID, MODULE, NOTEBOOK, REPO

    nb = nbformat.read(REPO / "courses" / COURSE_ID / "source" / MODULE / f"{NOTEBOOK}.ipynb", 4)
    assert list(questions_in(nb)) == ["q1", "q2", "q3", "q4", "q5", "q6"]
    # every question is explained, inside the hidden tests (so never before grading)
    explained = explanations_in(nb)
    assert sorted(explained) == ["q1", "q2", "q3", "q4", "q5", "q6"]
    for cell in nb.cells:
        for qid in questions_checked_in(cell.source):
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1]
            assert "### BEGIN HIDDEN TESTS" in cell.source and f'explain(\n    "{qid}"' in hidden


def test_checked_questions_and_explanations_are_read_not_run() -> None:
    source = (
        'from course_kit.grading import answer, explain\n'
        'explain("q1", "Because " "a.")\n'
        'explain(QID, "not literal: ignored")\n'
        'assert answer("q1") == "a" and answer("q2") != answer("q1")\n'
    )
    nb = new_notebook(cells=[new_code_cell(source), new_code_cell("explain(")])
    assert questions_checked_in(source) == ["q1", "q2"]
    assert explanations_in(nb) == {"q1": "Because a."}
