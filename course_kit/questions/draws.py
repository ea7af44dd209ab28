"""Which questions of a bank a learner gets, in which order, and who the learner is.

**The draw** (nbgrader issue #1153: no two learners see the same questions in the same
order). The seed is the SHA-256 of (bank id, learner id); every question of the bank is
ranked by the SHA-256 of (seed, question id) and the learner gets the first ``draw`` of
that ranking, in that order. This is a uniformly random ordering of the bank for each
learner, the same every time and on every machine: it does not depend on Python's
``random`` (whose ``shuffle`` may change between versions), on the order the trainer wrote
the questions in, nor on anything the learner saved. Choices within a question are put in a
per-learner order the same way, seeded by (question id, learner id).

Trainers must not change a bank's questions once learners have answered: the draw depends
on the question ids, so adding or removing one changes what everyone was given.

**Who the learner is.** In the learner's kernel: ``JUPYTERHUB_USER`` (the hub account,
which is also the learner's nbgrader student id, ``hub_config/nbgrader_config.py``). When
grading, only what the grader sets, never the answers file (which the learner writes):

* ``ACADEMY_STUDENT_ID``, set by the academy's grader in each grading kernel's environment
  (``grading.engine``; that kernel runs in a private folder named after nothing);
* else, under stock ``nbgrader autograde`` (a trainer's own run, formgrader), the kernel's
  working directory, which nbgrader makes ``autograded/<student>/<assignment>/``.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from .specs import BankSpec

T = TypeVar("T")

#: Set by the academy's grader for each grading kernel (grading.engine.STUDENT_ENV).
STUDENT_ENV = "ACADEMY_STUDENT_ID"
#: nbgrader sets it to "autograde" in the kernels it grades with (so does the academy).
EXECUTION_ENV = "NBGRADER_EXECUTION"
AUTOGRADE = "autograde"
LEARNER_ENV = "JUPYTERHUB_USER"
#: nbgrader's folder of graded submissions: ``autograded/<student>/<assignment>/``.
AUTOGRADED_FOLDER = "autograded"


class StudentUnknownError(RuntimeError):
    """Grading a bank slot, but the grader did not say whose submission it is."""


def _digest(*parts: str) -> bytes:
    # JSON keeps the parts apart: ("ab", "c") and ("a", "bc") differ
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).digest()


def bank_seed(bank_id: str, learner: str) -> bytes:
    """The seed of a learner's draw from a bank: SHA-256 of (bank id, learner id)."""
    return _digest("bank", bank_id, learner)


def ranked(values: Sequence[T], keys: Sequence[str], seed: bytes) -> list[T]:
    """``values`` ordered by SHA-256(seed, key): a permutation fixed by the seed."""
    order = sorted(
        range(len(values)),
        key=lambda i: hashlib.sha256(seed + b"\x00" + keys[i].encode("utf-8")).digest(),
    )
    return [values[i] for i in order]


def drawn_question_ids(bank: BankSpec, learner: str) -> tuple[str, ...]:
    """The questions ``learner`` gets from ``bank``, in the order shown (slot 1 first)."""
    ids = bank.question_ids
    return tuple(ranked(ids, ids, bank_seed(bank.bank_id, learner))[: bank.draw])


def learner_order(values: Sequence[T], keys: Sequence[str], purpose: str, qid: str,
                  learner: str) -> list[T]:
    """``values`` in the order this learner sees them (choices, items, the right column)."""
    return ranked(values, keys, _digest(purpose, qid, learner))


def _autograded_student(folder: Path) -> str | None:
    parts = folder.parts
    if len(parts) >= 3 and parts[-3] == AUTOGRADED_FOLDER and parts[-2]:
        return parts[-2]
    return None


def grading() -> bool:
    """Whether this kernel is an autograding kernel (nbgrader's or the academy's)."""
    return os.environ.get(EXECUTION_ENV) == AUTOGRADE


def graded_student_id() -> str:
    """Whose submission is being graded, from the grader only (see the module docstring).

    Outside grading (a trainer trying the hidden tests in a preview) it is the learner id
    of this kernel. Raises ``StudentUnknownError`` when grading without a trusted id."""
    if not grading():
        return learner_id()
    student = os.environ.get(STUDENT_ENV) or _autograded_student(Path.cwd())
    if not student:
        raise StudentUnknownError(
            "the grader did not say whose submission this is (ACADEMY_STUDENT_ID, or "
            "nbgrader's autograded/<student>/<assignment>/ folder): a bank cannot be graded"
        )
    return student


def learner_id() -> str:
    """Who this kernel's learner is: the hub account (the grader's id when grading)."""
    if grading():
        student = os.environ.get(STUDENT_ENV) or _autograded_student(Path.cwd())
        if student:
            return student
    hub_user = os.environ.get(LEARNER_ENV)
    if hub_user:
        return hub_user
    try:
        return getpass.getuser()  # nbgrader's own notion of the student outside a hub
    except (OSError, KeyError):
        return "learner"
