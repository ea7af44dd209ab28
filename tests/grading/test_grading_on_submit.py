"""Grade on submit: the grading service drains nbgrader's exchange, once per submission.

Real nbgrader release and submit into a real exchange, the real ds01 module, the sandboxed
grader and an evidence API on 127.0.0.1; ``SubmissionWatcher.tick`` is called directly, so
each test decides when the service looks (no timer in the test).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grading.autograde import EvidenceAccess, autograde_assignment
from grading.engine import GradeStatus
from grading.kernel_sandbox import SandboxLimits
from grading.nbgrader_runner import CourseWorkspace
from grading.on_submit import GradingTarget, SubmissionWatcher, waiting_submissions
from hub_config import CONFIG_DIR
from tests.grading.ds01_submissions import (
    CORRECT,
    COURSE_ID,
    MODULE,
    NBGRADER,
    NOTEBOOK,
    WRONG,
    make_course,
    nbgrader_env,
    responses,
)
from tests.json_http import JsonHandler, serving

TASK_POINTS = 4.0  # the practical task of ds01, done by everyone here
#: notebooks in the module: the graded Vietnamese one and its English version (display only)
NOTEBOOKS = 2


class EvidenceHandler(JsonHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        student = self.path.rstrip("/").rsplit("/", 1)[-1]
        task = {"done": True, "completed_at": None, "detail": "registered 12/STC"}
        self.send_json(200, {"username": student, "activity": [],
                             "tasks": {"register-incoming-from-so-tai-chinh": task}})


@pytest.fixture(scope="module")
def evidence_url() -> Iterator[str]:
    with serving(EvidenceHandler) as url:
        yield url


class Course:
    def __init__(self, base: Path, evidence_url: str) -> None:
        self.base = base
        self.root = base / "course"
        self.exchange = base / "exchange"
        self.exchange.mkdir()
        self.exchange.chmod(0o777)
        make_course(self.root)
        self._nbgrader("release_assignment", MODULE, cwd=self.root)
        self.workspace = CourseWorkspace(
            course_id=COURSE_ID, root=self.root, db_url=f"sqlite:///{self.root}/gradebook.db",
            exchange_dir=self.exchange, config_dir=CONFIG_DIR,
        )
        self.target = GradingTarget(self.workspace, EvidenceAccess(evidence_url, "grader-token"))

    def _nbgrader(self, *args: str, cwd: Path, data_dir: Path | None = None) -> None:
        env = nbgrader_env()
        if data_dir is not None:
            env["JUPYTER_DATA_DIR"] = str(data_dir)
        subprocess.run(
            [str(NBGRADER), *args, f"--Exchange.root={self.exchange}",
             "--Exchange.path_includes_course=True"],
            cwd=cwd, env=env, check=True, capture_output=True,
        )

    def submit(self, student: str, answers: dict[str, Any]) -> None:
        """What Submit on My learning does: nbgrader submit from the learner's folder."""
        work = self.base / "homes" / student
        folder = work / COURSE_ID / MODULE
        folder.mkdir(parents=True, exist_ok=True)
        released = self.root / "release" / MODULE / f"{NOTEBOOK}.ipynb"
        nbformat.write(nbformat.read(released, as_version=4), folder / f"{NOTEBOOK}.ipynb")
        (folder / "responses.json").write_text(responses(answers), encoding="utf-8")
        self._nbgrader("submit", MODULE, f"--student={student}", f"--course={COURSE_ID}",
                       cwd=work, data_dir=work / ".jupyter-data")

    def watcher(self, **kwargs: Any) -> SubmissionWatcher:
        return SubmissionWatcher(lambda: [self.target], log=lambda _line: None, **kwargs)

    def released_feedback(self) -> list[Path]:
        return sorted((self.exchange / COURSE_ID / "feedback").glob("*.html"))


@pytest.fixture
def course(tmp_path: Path, evidence_url: str) -> Course:
    return Course(tmp_path, evidence_url)


def scores(reports: list) -> dict[str, tuple[GradeStatus, float | None]]:
    return {o.student_id: (o.status, o.score) for r in reports for o in r.students}


def test_each_submission_is_graded_once_on_the_next_tick(course: Course) -> None:
    watcher = course.watcher()
    assert watcher.tick() == []  # nothing submitted yet

    course.submit("alice", CORRECT)
    course.submit("bob", WRONG)
    assert {m: sorted(s) for m, s in waiting_submissions(course.workspace).items()} == {
        MODULE: ["alice", "bob"]
    }
    assert scores(watcher.tick()) == {
        "alice": (GradeStatus.GRADED, 6 + TASK_POINTS),
        "bob": (GradeStatus.GRADED, 0 + TASK_POINTS),
    }
    # each learner can see their score now: a page per notebook of the module (the graded
    # Vietnamese one and the English version, display only)
    assert len(course.released_feedback()) == 2 * NOTEBOOKS
    assert waiting_submissions(course.workspace) == {}
    assert watcher.tick() == []  # graded once, not again

    # alice submits again: only her new submission is graded, and her new grade counts
    course.submit("alice", WRONG)
    assert list(waiting_submissions(course.workspace)[MODULE]) == ["alice"]
    assert scores(watcher.tick()) == {"alice": (GradeStatus.GRADED, 0 + TASK_POINTS)}
    assert watcher.tick() == []


def test_a_course_being_graded_by_the_trainer_waits_for_the_next_tick(course: Course) -> None:
    course.submit("chi", CORRECT)
    logs = course.root / "logs"
    logs.mkdir(exist_ok=True)
    watcher = course.watcher()
    with open(logs / "autograde.lock", "a+b") as held:  # a trainer's run holds the course
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert watcher.tick() == []
        assert list(waiting_submissions(course.workspace)[MODULE]) == ["chi"]
    assert scores(watcher.tick()) == {"chi": (GradeStatus.GRADED, 6 + TASK_POINTS)}


def test_a_submission_that_cannot_be_graded_is_not_retried(course: Course) -> None:
    course.submit("dung", CORRECT)
    # a kernel that cannot hand in its results (it may not write a single byte)
    starved = course.watcher(limits=SandboxLimits(file_bytes=0))
    assert scores(starved.tick()) == {"dung": (GradeStatus.NOT_GRADED, None)}
    notes = json.loads(
        (course.root / "autograded" / "dung" / MODULE / "grading-notes.json").read_text()
    )
    assert "the grading kernel stopped" in notes["not_graded_reason"]
    # the learner is told, through nbgrader's feedback like any result
    pages = course.released_feedback()
    assert len(pages) == NOTEBOOKS
    text = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert "(Could not be graded)" in text and "the grading kernel stopped" in text
    assert starved.tick() == []  # the feedback says why: not taken again...
    assert waiting_submissions(course.workspace) == {}
    course.submit("dung", CORRECT)  # ...until dung submits again
    assert scores(starved.tick()) == {"dung": (GradeStatus.NOT_GRADED, None)}
    # the trainer can grade it again, with the same grader
    again = autograde_assignment(course.workspace, MODULE, course.target.evidence,
                                 students=["dung"], regrade=True)
    assert scores([again]) == {"dung": (GradeStatus.GRADED, 6 + TASK_POINTS)}
    pages = [p.read_text(encoding="utf-8") for p in course.released_feedback()]
    assert any("(Score: 10.0 / 10.0)" in page for page in pages)  # the new submission's


def test_a_run_that_stopped_before_the_feedback_is_finished_next_tick(course: Course) -> None:
    course.submit("em", CORRECT)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # a port nothing listens on: the e-office is down
    down = GradingTarget(course.workspace, EvidenceAccess(
        f"http://127.0.0.1:{closed.getsockname()[1]}", "grader-token"))
    try:
        stalled = SubmissionWatcher(lambda: [down], log=lambda _line: None)
        assert stalled.tick() == []  # graded, but no practical task score and no feedback
    finally:
        closed.close()
    assert (course.root / "autograded" / "em" / MODULE / "timestamp.txt").is_file()
    assert list(waiting_submissions(course.workspace)[MODULE]) == ["em"]
    # the next tick, with the e-office back: the notebook is not graded again
    assert scores(course.watcher().tick()) == {"em": (GradeStatus.UNCHANGED, 6 + TASK_POINTS)}
    assert len(course.released_feedback()) == NOTEBOOKS
    assert waiting_submissions(course.workspace) == {}


def test_waiting_ignores_what_is_not_a_submission(course: Course) -> None:
    inbound = course.exchange / COURSE_ID / "inbound"
    (inbound / "stray-file").write_text("x")
    (inbound / "eve+ds01+not-a-time+abc").mkdir()
    os.symlink("/etc", inbound / "mallory+ds01+2026-11-20 10:00:00.000000 UTC+x")
    assert waiting_submissions(course.workspace) == {}
