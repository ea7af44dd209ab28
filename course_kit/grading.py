"""Helpers for nbgrader hidden tests (they run only at autograde time).

Write every call below inside the test cell's ``### BEGIN HIDDEN TESTS`` block: nbgrader
empties that block in the released notebook, so the key and the explanations never reach
a learner.

* ``answer(qid)``: the learner's saved answer, from ``responses.json`` in the kernel's
  working directory (the checked copy the grader put there).
* ``check(qid, key, …)``: compares the answer to ``qid`` with ``key`` the way its kind is
  compared (``course_kit.questions.marking``): ``check("q1", "b")``,
  ``check("o1", ["register", "assign", "approve"])``, ``check("n1", 3.5, tolerance=0.1)``,
  ``check("t1", ["ký số", "chữ ký số"], ignore_diacritics=True)``. A wrong answer raises
  ``AssertionError`` (the cell scores 0); a right one passes (full points). With
  ``points=P`` (matching, spot the signs) it returns the partial score instead, which
  nbgrader reads as the cell's grade: the call must then be the cell's last expression and
  ``P`` the cell's points (``course_kit.questions.notebook.notebook_problems`` checks both).
* ``check_bank_slot(bank_id, slot, key)``: the ``slot``-th question drawn from a bank for
  the learner being graded, checked against ``key[question id]["answer"]``. The learner is
  who the grader says (``course_kit.questions.draws.graded_student_id``), never what the
  answers file says. ``bank_key(bank_id, key)`` writes a bank's key once for all its slots.
* ``explain(qid, text)`` or ``explain(qid, vi=…, en=…)``: the explanation the learner
  reads in their feedback after grading. It does nothing when run: the feedback reads it
  from the trainer's cell without running anything (``grading.feedback``). A bank key's
  entries carry theirs as ``"explain"``.

A key entry is ``{"answer": …, "explain": …}`` plus ``"tolerance"`` (numeric) or
``"ignore_diacritics"`` (short text). The assertion messages never contain the key.

Practical tasks are NOT checked here: a learner's own code runs in the same kernel and
could fake any check. A module declares a practical task as an nbgrader *manually graded
task* cell named ``practical-<task_id>``; ``academy grade autograde`` scores it from the
sandbox e-office's evidence API, outside the kernel (see grading/practical_tasks.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from course_kit.questions import registry
from course_kit.questions.draws import drawn_question_ids, graded_student_id
from course_kit.questions.marking import check_key_entry, mark
from course_kit.questions.specs import QuestionDefinitionError
from course_kit.responses import ResponseStore, default_path

__all__ = ["answer", "bank_key", "check", "check_bank_slot", "explain"]


def answer(qid: str) -> Any:
    """The learner's saved answer to ``qid`` (None if not answered)."""
    return ResponseStore(default_path()).get(qid)


def explain(qid: str, text: str | None = None, *, vi: str | None = None,
            en: str | None = None) -> None:
    """The explanation of question ``qid`` shown in the learner's feedback (nothing at run
    time): one text, or a Vietnamese and an English one."""
    del qid, text, vi, en


def _score(what: str, fraction: float, points: float | None) -> float | None:
    """nbgrader's grade for a check: an error (0 points), nothing (full points), or the
    partial points as the cell's value."""
    if points is None:
        if fraction < 1:
            raise AssertionError(f"{what}: not correct")
        return None
    if fraction <= 0:
        raise AssertionError(f"{what}: not correct")
    return float(points) if fraction >= 1 else round(float(points) * fraction, 2)


def check(
    qid: str,
    key: Any,
    *,
    points: float | None = None,
    tolerance: float | None = None,
    ignore_diacritics: bool = False,
) -> float | None:
    """Compare the answer to ``qid`` with ``key`` (see the module docstring)."""
    spec = registry.shown_question(qid)
    if spec is None:
        raise AssertionError(
            f"{qid}: the question was not shown (its widget cell must run before this test)"
        )
    entry: dict[str, Any] = {"answer": key}
    if tolerance is not None:
        entry["tolerance"] = tolerance
    if ignore_diacritics:
        entry["ignore_diacritics"] = True
    return _score(qid, mark(spec, answer(qid), entry), points)


def bank_key(bank_id: str, key: Mapping[str, Any]) -> None:
    """The key of every question of a bank, written once: ``{question id: {"answer": …,
    "explain": …}}``. Later ``check_bank_slot(bank_id, n)`` calls use it."""
    registry.register_bank_key(bank_id, dict(key))


def check_bank_slot(
    bank_id: str,
    slot: int,
    key: Mapping[str, Any] | None = None,
    *,
    points: float | None = None,
) -> float | None:
    """Grade the ``slot``-th question (1 = the first shown) drawn from ``bank_id`` for the
    learner being graded, against ``key`` (or the key given to ``bank_key``)."""
    bank = registry.shown_bank(bank_id)
    if bank is None:
        raise AssertionError(
            f"bank {bank_id}: not shown (its question_bank cell must run before this test)"
        )
    drawn = drawn_question_ids(bank, graded_student_id())
    if not 1 <= slot <= len(drawn):
        raise QuestionDefinitionError(
            f"bank {bank_id}: slot {slot} does not exist; it draws {len(drawn)} questions"
        )
    qid = drawn[slot - 1]
    entries = dict(registry.bank_key(bank_id) or {})
    entries.update(key or {})
    if qid not in entries:
        raise QuestionDefinitionError(f"bank {bank_id}: the key has no entry for {qid}")
    entry = check_key_entry(bank.question(qid), entries[qid])
    return _score(f"bank {bank_id}, slot {slot}", mark(bank.question(qid), answer(qid), entry),
                  points)
