"""Helpers for nbgrader hidden tests (they run only at autograde time).

`answer(qid)` reads the learner's saved answer from `responses.json` in the kernel's
working directory (`autograded/<student>/<assignment>/` during `nbgrader autograde`).

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
