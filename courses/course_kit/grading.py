"""Helpers for nbgrader hidden tests, run by `nbgrader autograde` (never by learners).

    ### BEGIN HIDDEN TESTS
    from course_kit.grading import answer
    assert answer("q1") == "..."
    ### END HIDDEN TESTS

`answer` reads the learner's `responses.json` in the working directory (nbgrader runs the
kernel in `autograded/<student>/<assignment>/`). `practical_task_done` asks the sandbox
e-office's evidence API what the learner did; the grader sets, per student:

- ACADEMY_EVIDENCE_URL    base URL of the e-office, e.g. http://127.0.0.1:8101/services/eoffice
- ACADEMY_STUDENT_ID      the learner's username
- ACADEMY_EVIDENCE_TOKEN  token accepted by GET {URL}/api/evidence/{student}
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import requests

from .responses import ResponseStore, default_path

ENV_URL = "ACADEMY_EVIDENCE_URL"
ENV_STUDENT = "ACADEMY_STUDENT_ID"
ENV_TOKEN = "ACADEMY_EVIDENCE_TOKEN"  # noqa: S105 (a variable name)
TIMEOUT_S = 10


def answer(qid: str) -> Any:
    """The learner's saved answer to `qid` (a string, or a list for multiple choice)."""
    return ResponseStore(default_path()).get(qid)


def evidence() -> dict[str, Any]:
    """The learner's evidence record from the e-office (`{"username", "tasks", "activity"}`)."""
    missing = [name for name in (ENV_URL, ENV_STUDENT, ENV_TOKEN) if not os.environ.get(name)]
    if missing:
        raise RuntimeError(
            "Cannot check practical tasks: environment variable(s) "
            + ", ".join(missing)
            + " not set. The grader must set ACADEMY_EVIDENCE_URL, ACADEMY_STUDENT_ID and "
            "ACADEMY_EVIDENCE_TOKEN for each student before running nbgrader autograde."
        )
    student = os.environ[ENV_STUDENT]
    url = f"{os.environ[ENV_URL].rstrip('/')}/api/evidence/{quote(student, safe='')}"
    try:
        resp = requests.get(
            url,
            headers={
                "Authorization": f"token {os.environ[ENV_TOKEN]}",
                "Accept": "application/json",
            },
            timeout=TIMEOUT_S,
        )
    except requests.RequestException as exc:
        raise RuntimeError(f"Evidence API unreachable at {url}: {exc}") from exc
    if resp.status_code != 200:
        raise RuntimeError(
            f"Evidence API {url} answered HTTP {resp.status_code}: {resp.text[:200]!r}"
        )
    try:
        data = resp.json()
    except ValueError as exc:
        raise RuntimeError(f"Evidence API {url} did not return JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("tasks"), dict):
        raise RuntimeError(f"Evidence API {url} returned an unexpected shape: {str(data)[:200]}")
    if data.get("username") not in (None, student):
        raise RuntimeError(
            f"Evidence API returned the record of {data.get('username')!r}, not {student!r}"
        )
    return data


def practical_task_done(task_id: str) -> bool:
    """True when the e-office reports the practical task `task_id` as done by the learner."""
    task = evidence()["tasks"].get(task_id)
    return bool(isinstance(task, dict) and task.get("done") is True)
