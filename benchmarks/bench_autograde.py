"""Autograde throughput: stock `nbgrader autograde` vs the academy's grader, same run.

Builds two copies of the real digital-signatures module 1 course with nbgrader's own
`generate_assignment`, puts N submissions in each (a mix of right, wrong, partial and
blank answers, as `nbgrader collect` leaves them), then grades one copy with stock
`nbgrader autograde MODULE` (nbgrader's shipped configuration) and the other with
`grading.engine.AutogradeEngine` (`--workers`), and checks that every cell got the same
score. Run as root (the sandbox account is created like `academy init` does):

    PYTHONPATH=. .venv/bin/python benchmarks/bench_autograde.py [N] [WORKERS]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from grading.engine import AutogradeEngine  # noqa: E402
from grading.kernel_sandbox import SANDBOX_ACCOUNT, sandbox_account  # noqa: E402
from tests.grading.ds01_submissions import (  # noqa: E402
    CORRECT,
    COURSE_ID,
    HONEST,
    MODULE,
    NBGRADER,
    NOTEBOOK,
    make_course,
    nbgrader_env,
    submit,
)


def scores(root: Path, students: list[str]) -> dict[tuple[str, str], float]:
    with Gradebook(f"sqlite:///{root}/gradebook.db", course_id=COURSE_ID) as gb:
        out = {}
        for s in students:
            for g in gb.find_submission_notebook(NOTEBOOK, MODULE, s).grades:
                if g.auto_score is not None:
                    out[(s, g.name)] = g.auto_score
        return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    if os.geteuid() == 0:
        from academy.unix_accounts import ensure_account

        ensure_account(SANDBOX_ACCOUNT, "grading sandbox", home=False)
    base = Path(tempfile.mkdtemp(prefix="bench-autograde-"))
    kinds = list(HONEST.values())
    assert kinds[0] == CORRECT
    students = [f"learner{i:03d}" for i in range(n)]
    for name in ("stock", "academy"):
        make_course(base / name)
        for i, s in enumerate(students):
            submit(base / name, s, kinds[i % len(kinds)], None)

    t = time.perf_counter()
    subprocess.run([str(NBGRADER), "autograde", MODULE], cwd=base / "stock",
                   env=nbgrader_env(), check=True, capture_output=True)
    stock = time.perf_counter() - t

    root = base / "academy"
    t = time.perf_counter()
    engine = AutogradeEngine(root, COURSE_ID, f"sqlite:///{root}/gradebook.db", MODULE,
                             workers=workers, account=sandbox_account())
    outcomes = engine.run(students)
    ours = time.perf_counter() - t
    assert all(o.status.value == "graded" for o in outcomes)
    same = scores(base / "stock", students) == scores(root, students)
    durations = sorted(o.seconds for o in outcomes)
    print(f"submissions: {n}, workers: {workers}")
    print(f"stock nbgrader autograde: {stock:.1f} s, {n / stock:.2f} submissions/s, "
          f"{stock / n:.2f} s each")
    print(f"academy engine:           {ours:.1f} s, {n / ours:.2f} submissions/s "
          f"(median {durations[len(durations) // 2]:.2f} s per submission in a worker)")
    print(f"speed-up: {stock / ours:.1f}x; identical scores cell by cell: {same}")
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
