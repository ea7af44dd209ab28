"""Helpers for nbgrader hidden tests (they run only at autograde time).

`answer(qid)` reads the learner's saved answer from `responses.json` in the kernel's
working directory (`autograded/<student>/<assignment>/` during `nbgrader autograde`).

`explain(qid, text)` holds the explanation the learner reads in their feedback after
grading. Write it inside the cell's `### BEGIN HIDDEN TESTS` block: nbgrader removes that
block from the released notebook, so nobody sees the explanation before grading. The
feedback reads it from the trainer's cell without running anything (`grading.feedback`).

Practical tasks are NOT checked here: a learner's own code runs in the same kernel and
could fake any check. A module declares a practical task as an nbgrader *manually graded
task* cell named `practical-<task_id>`; `academy grade autograde` scores it from the
sandbox e-office's evidence API, outside the kernel (see grading/practical_tasks.py).
"""

from __future__ import annotations

from typing import Any

from course_kit.responses import ResponseStore, default_path


def answer(qid: str) -> Any:
    """The learner's saved answer to `qid` (a string, or a list for multiple choice)."""
    return ResponseStore(default_path()).get(qid)


def explain(qid: str, text: str) -> None:
    """The explanation of question `qid` shown in the learner's feedback (nothing at run time)."""
    del qid, text
