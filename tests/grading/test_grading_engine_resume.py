"""A grading run killed with SIGKILL in the middle, then run again, on a PostgreSQL gradebook.

Nothing is lost or duplicated: learners graded before the kill are not graded again, the
submission that was being graded when the run died is graded again from the start, every
learner ends with the grade their answers are worth and exactly one submission in the
gradebook, and no sandbox process outlives the killed run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from sqlalchemy import create_engine, text

from grading.engine import AutogradeEngine, GradeStatus
from grading.kernel_sandbox import sandbox_account
from tests.grading.ds01_submissions import (
    CORRECT,
    COURSE_ID,
    MODULE,
    NOTEBOOK,
    PARTIAL,
    REPO,
    WRONG,
    make_course,
    submit,
)

ANSWERS = {  # eight learners, two workers: the run is killed after the third is graded
    f"learner{i}": answers
    for i, answers in enumerate([CORRECT, WRONG, PARTIAL, {}, CORRECT, PARTIAL, WRONG, CORRECT])
}
EXPECTED = {"learner0": 6.0, "learner1": 0.0, "learner2": 2.0, "learner3": 0.0,
            "learner4": 6.0, "learner5": 2.0, "learner6": 0.0, "learner7": 6.0}
HOLD_AFTER = 3


def gradebook_rows(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("submitted_assignment", "submitted_notebook", "grade")
            }
    finally:
        engine.dispose()


def test_killed_run_resumes_without_loss_or_duplicates(
    tmp_path: Path, postgres_database_url: str
) -> None:
    root = tmp_path / "course"
    make_course(root, f"c.CourseDirectory.db_url = {postgres_database_url!r}\n")
    for student, answers in ANSWERS.items():
        submit(root, student, answers, None)
    students = sorted(ANSWERS)

    run = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("killable_grading_run.py")), str(root),
         postgres_database_url, ",".join(students), str(HOLD_AFTER)],
        env=dict(os.environ, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE, text=True,
    )
    graded_before_kill = []
    assert run.stdout is not None
    for line in run.stdout:  # the run says when it holds; no timer decides the moment
        if line.startswith("graded "):
            graded_before_kill.append(line.split()[1])
        if line.strip() == "holding":
            break
    else:
        pytest.fail(f"the grading run ended before holding (exit {run.wait()})")
    sandbox = psutil.Process(run.pid).children(recursive=True)
    assert sandbox, "the run has zygotes and kernels"
    run.send_signal(signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL
    run.stdout.close()
    gone, alive = psutil.wait_procs(sandbox, timeout=60)  # a guard: they end on their own
    assert alive == [], f"sandbox processes outlived the killed run: {alive}"

    engine = AutogradeEngine(root, COURSE_ID, postgres_database_url, MODULE, workers=2,
                             account=sandbox_account())
    todo, done = engine.pending(students)
    # what was reported is done; a learner finished but not yet reported (its kernel was
    # being stopped) is done too; the rest, including the notebook in flight, is not
    assert set(graded_before_kill) <= set(done) and len(graded_before_kill) == HOLD_AFTER
    assert todo, "the kill left work to do"
    outcomes = {o.student_id: o for o in engine.run(students)}
    assert {s for s, o in outcomes.items() if o.status is GradeStatus.UNCHANGED} == set(done)
    assert {s for s, o in outcomes.items() if o.status is GradeStatus.GRADED} == set(todo)
    assert {s: o.score for s, o in outcomes.items()} == EXPECTED
    assert engine.pending(students) == ([], students)
    # one submission, two notebooks (the graded Vietnamese one and its English version,
    # display only: no grades) and six graded questions plus the practical task each
    assert gradebook_rows(postgres_database_url) == {
        "submitted_assignment": len(students),
        "submitted_notebook": 2 * len(students),
        "grade": len(students) * 7,
    }
    for student in students:
        assert (root / "autograded" / student / MODULE / f"{NOTEBOOK}.ipynb").is_file()
