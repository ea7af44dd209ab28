"""The hidden tests' helpers: for every kind a right answer passes and a wrong one fails,
as nbgrader grades a cell (an error scores 0, no output full points, a number partial)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from common.i18n import Language
from course_kit import grading
from course_kit.grading import answer, check, explain
from course_kit.questions import registry
from course_kit.questions.marking import normalise_text, parse_number, strip_diacritics
from course_kit.questions.specs import QuestionDefinitionError
from course_kit.responses import FILENAME, ResponseStore
from course_kit.widgets import (
    matching,
    numeric,
    ordering,
    question,
    short_text,
    spot_the_signs,
    true_false,
)


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ResponseStore:
    """A grading kernel's folder: the checked answers file in the working directory, the
    widget cells already run (they register their questions)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACADEMY_LANGUAGE", "en")
    registry.forget_all()
    store = ResponseStore(tmp_path / FILENAME)
    question("single", "Who signs?", ["leader", "clerk", "IT officer"], store=store)
    question("multi", "What does a signature prove?",
             [("Integrity", "integrity"), ("Origin", "origin"), ("Lawful", "lawful")],
             multiple=True, store=store)
    true_false("tf", "Signing encrypts the document.", store=store)
    ordering("order", "Steps", [("Register", "register"), ("Assign", "assign"),
                                ("Handle", "handle")], store=store)
    matching("match", "Match", [("Personal", "p"), ("Organisational", "o")],
             [("Signature", "sig"), ("Seal", "seal"), ("Password", "pw")], store=store)
    short_text("text", "Term for 'seal'", store=store)
    numeric("number", "Working days", store=store)
    spot_the_signs("spot", "Suspicious?", [("a", "sender"), " ", ("b", "urgency"), " ",
                                           ("c", "link"), " ", ("d", "closing")], store=store)
    return store


# kind -> (key, right answers, wrong answers, options for check)
CASES: dict[str, tuple[Any, list[Any], list[Any], dict[str, Any]]] = {
    "single": ("leader", ["leader"], ["clerk", None], {}),
    "multi": (["integrity", "origin"], [["origin", "integrity"]],
              [["integrity"], ["integrity", "origin", "lawful"], [], None], {}),
    "tf": (False, [False], [True, None], {}),
    "order": (["register", "assign", "handle"], [["register", "assign", "handle"]],
              [["assign", "register", "handle"], None], {}),
    "match": ({"p": "sig", "o": "seal"}, [{"o": "seal", "p": "sig"}],
              [{"p": "seal", "o": "sig"}, {"p": "sig"}, None], {}),
    "text": (["con dấu", "dấu"], ["Con  Dấu ", "con dấu", "DẤU", "con dấu"],
             ["con dau", "chữ ký", "", None], {}),
    "number": (22, [22, 22.0, 21.6], [20, 23, None], {"tolerance": 0.5}),
    "spot": (["sender", "link"], [["link", "sender"]],
             [["sender"], ["sender", "link", "closing"], [], None], {}),
}


@pytest.mark.parametrize("qid", sorted(CASES))
def test_right_answers_pass_and_wrong_ones_fail(kernel: ResponseStore, qid: str) -> None:
    key, rights, wrongs, options = CASES[qid]
    for right in rights:
        kernel.set(qid, right)
        assert check(qid, key, **options) is None, right  # no output: full points
    for wrong in wrongs:
        if wrong is None:
            kernel.clear(qid)
        else:
            kernel.set(qid, wrong)
        with pytest.raises(AssertionError) as failed:
            check(qid, key, **options)
        assert str(key) not in str(failed.value)  # the message never gives the key away


def test_short_text_can_ignore_diacritics(kernel: ResponseStore) -> None:
    kernel.set("text", "CON DAU")
    with pytest.raises(AssertionError):
        check("text", "con dấu")
    assert check("text", "con dấu", ignore_diacritics=True) is None
    assert normalise_text("  Đặng\u00a0Thị  THU ") == "đặng thị thu"
    assert normalise_text("Đặng Thị Thu", ignore_diacritics=True) == "dang thi thu"
    # NFD input (as some keyboards type it) equals NFC
    assert normalise_text("ky\u0301 so\u0302\u0301") == normalise_text("ký số")
    assert strip_diacritics("Nghị định 30/2020/NĐ-CP") == "Nghi dinh 30/2020/ND-CP"


def test_partial_points_for_spots_and_pairs(kernel: ResponseStore) -> None:
    key = ["sender", "link"]
    cases = [
        (["link", "sender"], 2.0),  # all right: all points
        (["sender"], 1.0),  # one of two
        (["sender", "closing"], None),  # one right, one wrong: 0 -> an error
        (["sender", "link", "closing"], 1.0),  # two right, one wrong
        (["sender", "link", "closing", "urgency"], None),  # marking everything earns nothing
        ([], None),
    ]
    for marked, points in cases:
        kernel.set("spot", marked)
        if points is None:
            with pytest.raises(AssertionError):
                check("spot", key, points=2)
        else:
            assert check("spot", key, points=2) == points, marked
    kernel.set("match", {"p": "sig", "o": "pw"})
    assert check("match", {"p": "sig", "o": "seal"}, points=3) == 1.5


def test_unshown_question_and_bad_key_fail_loudly(kernel: ResponseStore) -> None:
    kernel.set("tf", True)
    with pytest.raises(AssertionError, match="not shown"):
        check("never-shown", True)
    with pytest.raises(QuestionDefinitionError, match="key of order"):
        check("order", ["register", "assign"])  # not every item: a trainer's mistake
    with pytest.raises(QuestionDefinitionError, match="key of single"):
        check("single", "an option that does not exist")


def test_answer_and_explain(kernel: ResponseStore) -> None:
    kernel.set("single", "clerk")
    assert answer("single") == "clerk" and answer("unknown") is None
    assert explain("single", "One text.") is None
    assert explain("single", vi="Tiếng Việt.", en="English.") is None
    assert set(grading.__all__) >= {"answer", "check", "check_bank_slot", "bank_key",
                                    "explain"}


@pytest.mark.parametrize(("text", "language", "number"), [
    ("3,5", Language.VIETNAMESE, 3.5), ("3,5", Language.ENGLISH, 3.5),
    ("1.500", Language.VIETNAMESE, 1500), ("1.500", Language.ENGLISH, 1.5),
    ("1,500", Language.ENGLISH, 1500), ("1,500", Language.VIETNAMESE, 1.5),
    ("1.234.567", Language.VIETNAMESE, 1234567), ("1,234,567.25", Language.ENGLISH,
                                                   1234567.25),
    ("1.234,5", Language.ENGLISH, 1234.5), ("−4", Language.VIETNAMESE, -4),
    ("0,05", Language.VIETNAMESE, 0.05), ("12", Language.VIETNAMESE, 12),
    ("1.23.4", Language.VIETNAMESE, None), ("1,2,3", Language.ENGLISH, None),
    (",5", Language.VIETNAMESE, None), ("", Language.VIETNAMESE, None),
    ("1 e5", Language.ENGLISH, None), ("inf", Language.ENGLISH, None),
])
def test_numbers_are_read_both_ways(text: str, language: Language,
                                    number: float | None) -> None:
    assert parse_number(text, language) == number


def test_every_kind_is_covered() -> None:
    from course_kit.questions.specs import QuestionKind

    kinds: set[str] = set()
    registry.forget_all()
    store = ResponseStore(Path("/nonexistent") / FILENAME, persist=False)
    makers: list[Callable[[], Any]] = [
        lambda: question("single", "?", ["a", "b"], store=store),
        lambda: question("multi", "?", ["a", "b"], multiple=True, store=store),
        lambda: true_false("tf", "?", store=store),
        lambda: ordering("order", "?", ["a", "b"], store=store),
        lambda: matching("match", "?", ["a"], ["x", "y"], store=store),
        lambda: short_text("text", "?", store=store),
        lambda: numeric("number", "?", store=store),
        lambda: spot_the_signs("spot", "?", [("a", "a"), ("b", "b")], store=store),
    ]
    for make in makers:
        kinds.add(make().spec.kind)
    assert kinds == set(QuestionKind)
    assert set(CASES) == {m().qid for m in makers}
