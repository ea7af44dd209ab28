"""Score practical tasks from what the sandbox e-office recorded, outside any learner code.

A module declares a practical task as an nbgrader *manually graded task* cell whose
grade id is ``practical-<task_id>``. After ``nbgrader autograde``, the grader asks the
e-office's evidence API (a grader-only token) what each learner did and writes the task's
points into the gradebook as that cell's manual score, with a comment saying what the
e-office recorded: exactly what a human grader would do in formgrader, but from the facts.
Nothing here runs in a learner's kernel, so nothing a learner types or edits changes it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry

PRACTICAL_PREFIX = "practical-"


class EvidenceError(RuntimeError):
    """The e-office's evidence API could not be read."""


@dataclass(frozen=True)
class PracticalScore:
    student_id: str
    task_id: str
    done: bool
    points: float
    detail: str


def fetch_evidence(base_url: str, token: str, student_id: str, timeout: float = 15) -> dict:
    """GET <base_url>/api/evidence/<student> with the grading service's token."""
    url = f"{base_url.rstrip('/')}/api/evidence/{student_id}"
    request = urllib.request.Request(  # noqa: S310 (loopback URL from our own settings)
        url, headers={"Authorization": f"token {token}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            payload = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise EvidenceError(f"e-office evidence for {student_id}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise EvidenceError(
            f"e-office evidence for {student_id}: {exc} (is the academy running?)"
        ) from exc
    if payload.get("username") != student_id or not isinstance(payload.get("tasks"), dict):
        raise EvidenceError(f"e-office evidence for {student_id}: unexpected answer")
    return payload


def score_practical_tasks(
    db_url: str,
    course_id: str,
    assignment: str,
    evidence_by_student: dict[str, dict],
) -> list[PracticalScore]:
    """Write manual scores (and comments) of every practical task cell; one transaction."""
    scores: list[PracticalScore] = []
    with Gradebook(db_url, course_id=course_id) as gradebook:
        for student_id, evidence in evidence_by_student.items():
            try:
                submission = gradebook.find_submission(assignment, student_id)
            except MissingEntry:
                continue
            for notebook in submission.notebooks:
                comments = {c.cell.name: c for c in notebook.comments}
                for grade in notebook.grades:
                    name = grade.cell.name
                    if not name.startswith(PRACTICAL_PREFIX):
                        continue
                    task_id = name[len(PRACTICAL_PREFIX):]
                    task = evidence["tasks"].get(task_id, {})
                    done = bool(task.get("done"))
                    points = float(grade.max_score) if done else 0.0
                    detail = task.get("detail") or ("done" if done else "not done yet")
                    grade.manual_score = points
                    grade.needs_manual_grade = False
                    if name in comments:
                        comments[name].manual_comment = (
                            f"Graded from the sandbox e-office's activity log: {detail}"
                        )
                    scores.append(PracticalScore(student_id, task_id, done, points, detail))
        gradebook.db.commit()
    return scores


def practical_task_ids(cell_names: Iterable[str]) -> list[str]:
    return [n[len(PRACTICAL_PREFIX):] for n in cell_names if n.startswith(PRACTICAL_PREFIX)]
