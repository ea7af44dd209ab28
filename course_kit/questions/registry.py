"""The questions and banks this kernel has shown, for the hidden tests that check them.

A module's cells run in order, in the learner's kernel and in the grading kernel alike:
the widget cells register their questions here before the hidden tests below them ask
``course_kit.grading.check`` how to compare an answer. A grading kernel is a fresh process
per submission, so nothing carries from one learner to the next.
"""

from __future__ import annotations

from typing import Any

from .specs import BankSpec, QuestionSpec

_questions: dict[str, QuestionSpec] = {}
_banks: dict[str, BankSpec] = {}
_bank_keys: dict[str, dict[str, Any]] = {}


def register_question(spec: QuestionSpec) -> None:
    _questions[spec.qid] = spec


def register_bank(bank: BankSpec) -> None:
    _banks[bank.bank_id] = bank
    for spec in bank.questions:
        register_question(spec)


def register_bank_key(bank_id: str, key: dict[str, Any]) -> None:
    _bank_keys.setdefault(bank_id, {}).update(key)


def shown_question(qid: str) -> QuestionSpec | None:
    return _questions.get(qid)


def shown_bank(bank_id: str) -> BankSpec | None:
    return _banks.get(bank_id)


def bank_key(bank_id: str) -> dict[str, Any] | None:
    return _bank_keys.get(bank_id)


def forget_all() -> None:
    """Empty the registry (tests; a trainer re-running a notebook from the top)."""
    _questions.clear()
    _banks.clear()
    _bank_keys.clear()
