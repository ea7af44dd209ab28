"""A grading run to kill: ``python killable_grading_run.py ROOT DB_URL STUDENTS HOLD_AFTER``.

Grades STUDENTS (comma-separated) of the ds01 course at ROOT with two workers. After
HOLD_AFTER learners are graded it prints ``holding`` and stops the run where it stands
(the other worker is in the middle of a notebook), so that the test can kill it with
SIGKILL at a known point instead of at a moment chosen by a timer.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from grading.engine import AutogradeEngine, Progress
from grading.kernel_sandbox import sandbox_account

COURSE_ID = "digital-signatures"
MODULE = "ds01-what-a-signature-proves"


def main() -> None:
    root, db_url, students, hold_after = sys.argv[1:5]

    def progress(p: Progress) -> None:
        print(f"graded {p.last.student_id}", flush=True)
        if p.done >= int(hold_after):
            print("holding", flush=True)
            threading.Event().wait()  # the event loop stops here until the process is killed

    engine = AutogradeEngine(
        Path(root), COURSE_ID, db_url, MODULE, workers=2, account=sandbox_account(),
        progress=progress,
    )
    engine.run(students.split(","))
    print("finished", flush=True)


if __name__ == "__main__":
    main()
